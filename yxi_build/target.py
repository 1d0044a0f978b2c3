"""One YXI flavour: the embedded CPython it runs on and the platform its wheels are for."""

from __future__ import annotations

import os
from dataclasses import dataclass

try:
    from packaging.markers import default_environment
except ImportError:  # pip always carries a copy; the build needs pip anyway
    from pip._vendor.packaging.markers import (  # type: ignore[assignment,no-redef,unused-ignore]
        default_environment,
    )

# The CPython each Designer embeds (sdk/NOTES.md): marker values and the bare interpreter the
# build checks the payload with.
FULL_VERSIONS = {"3.13": "3.13.0", "3.10": "3.10.13"}
DESIGNERS = {"3.13": "2026.1+", "3.10": "2024.1-2025.2"}


@dataclass(frozen=True)
class Target:
    """One YXI flavour: the embedded CPython it runs on and the platform its wheels are for."""

    python: str  # "3.13" | "3.10"
    platform: str  # "windows" | "linux"
    layout: str = "shared"  # "shared" | "per-tool": where site-packages lives (docs/yxi.md)

    @property
    def nodot(self) -> str:
        """'313' for Python 3.13."""
        return self.python.replace(".", "")

    @property
    def key(self) -> str:
        """'linux-313-shared': names cache entries."""
        return f"{self.platform}-{self.nodot}-{self.layout}"

    @property
    def designer(self) -> str:
        """The Designer releases whose embedded Python this is."""
        return DESIGNERS[self.python]

    @property
    def wheel_platforms(self) -> list[str]:
        """The pip --platform values whose wheels this target can load."""
        if self.platform == "windows":
            return ["win_amd64"]
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.17"
        minor = int(glibc.split()[-1].split(".")[1])
        tags = [f"manylinux_2_{m}_x86_64" for m in range(minor, 16, -1)]
        return [*tags, "manylinux2014_x86_64", "linux_x86_64"]

    @property
    def native_tag(self) -> str:
        """The tag every version-specific native module must carry."""
        if self.platform == "windows":
            return f"cp{self.nodot}-win_amd64"
        return f"cpython-{self.nodot}-x86_64-linux-gnu"

    @property
    def pyc_tag(self) -> str:
        """The tag of the target's `.pyc` files: `cpython-313`."""
        return f"cpython-{self.nodot}"

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of the target interpreter (pip would use this machine's)."""
        env = {k: str(v) for k, v in default_environment().items()}
        full = FULL_VERSIONS[self.python]
        env.update(python_version=self.python, python_full_version=full,
                   implementation_name="cpython", implementation_version=full,
                   platform_python_implementation="CPython")
        if self.platform == "windows":
            env.update(os_name="nt", sys_platform="win32", platform_system="Windows",
                       platform_machine="AMD64", platform_release="10",
                       platform_version="10.0.19045")
        else:
            env.update(os_name="posix", sys_platform="linux", platform_system="Linux",
                       platform_machine="x86_64")
        return env

    def file_name(self, version: str, ui: bool) -> str:
        """A name that tells a user which Designer it is for (or that it is not for Designer)."""
        suffix = ("" if ui else "-noui") + ("-pertool" if self.layout == "per-tool" else "")
        if self.platform == "windows":
            return (f"AlteryxServerTools-{version}-designer{self.designer}-py{self.nodot}"
                    f"-win_amd64{suffix}.yxi")
        return (f"AlteryxServerTools-{version}-py{self.nodot}-linux_x86_64-NOT-FOR-DESIGNER"
                f"{suffix}.yxi")


def iter_targets(platforms: list[str], pythons: list[str], layout: str) -> list[Target]:
    """Targets in a stable order: newest Designer first."""
    return [Target(py, plat, layout) for plat in platforms for py in pythons]
