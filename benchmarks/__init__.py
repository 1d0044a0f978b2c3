"""Benchmarks of the Server tools against the emulator (`python -m benchmarks`; not tests)."""
