"""Root test configuration: a private HOME for the whole session, the `emulator` fixture and
its HTTPS twin `tls_emulator`."""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ayx_server_emulator import EmulatorServer

# Set HOME before any test module imports the SDK: its logger writes under $HOME/Alteryx at
# import time, and tests must never touch the real home directory.
_ORIGINAL_HOME = os.environ.get("HOME")
_TEST_HOME = tempfile.mkdtemp(prefix="ayx-test-home-")
os.environ["HOME"] = _TEST_HOME


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that tunes the `emulator` fixture."""
    config.addinivalue_line(
        "markers",
        "emulator_config(**knobs): EmulatorConfig knobs for the `emulator` fixture "
        "(e.g. legacy_enabled=False, token_lifetime=1, job_timing='manual')",
    )


@pytest.fixture(scope="session", autouse=True)
def _private_home() -> Iterator[str]:
    """Keep HOME pointed at a temp dir for the whole session, then remove it."""
    os.environ["HOME"] = _TEST_HOME
    yield _TEST_HOME
    if _ORIGINAL_HOME is not None:
        os.environ["HOME"] = _ORIGINAL_HOME
    shutil.rmtree(_TEST_HOME, ignore_errors=True)


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A fresh, started local Alteryx Server emulator per test (stopped afterwards).

    Tune it with ``@pytest.mark.emulator_config(job_timing="manual", ...)``.
    """
    from ayx_server_emulator import EmulatorConfig, EmulatorServer

    config = EmulatorConfig()
    marker = request.node.get_closest_marker("emulator_config")
    if marker is not None:
        config.update(**marker.kwargs)
    emu = EmulatorServer(config=config)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorServer, Path]]:
    """An emulator serving HTTPS with a certificate from a private CA; yields it and the CA's
    PEM file (the TLS tests of the core, the tools and the security checks share it)."""
    import trustme

    from ayx_server_emulator import EmulatorServer

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    pem = tmp_path_factory.mktemp("tls") / "private-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    emu = EmulatorServer(ssl_context=context)
    emu.start()
    try:
        yield emu, pem
    finally:
        emu.stop()
