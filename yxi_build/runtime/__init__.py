"""Code that runs on the target interpreter, not in the build: shipped or run against a payload.

Nothing here may import `yxi_build` (a bare interpreter runs these files by path).
"""
