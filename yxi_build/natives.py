"""Native modules match the target: ABI tags, and for Windows AMD64 PE files whose imports ship.

Nothing here runs Windows: PE headers and import tables are read with `struct`.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from yxi_build.project import BuildError
from yxi_build.target import Target

# DLLs Windows or the embedded CPython (python3*.dll, vcruntime140*.dll) provide; anything else a
# native module imports must ship (numpy, pandas and pyarrow bundle a renamed msvcp140).
SYSTEM_DLLS = re.compile(
    r"(api-ms-win-.*|ext-ms-.*|kernel32|kernelbase|user32|advapi32|ws2_32|bcrypt|crypt32|ole32|"
    r"oleaut32|shell32|shlwapi|secur32|ncrypt|iphlpapi|dbghelp|psapi|pdh|powrprof|netapi32|"
    r"mswsock|userenv|version|winhttp|wininet|rpcrt4|ntdll|gdi32|comdlg32|setupapi|dnsapi|"
    r"normaliz|wldap32|wintrust|imm32|winmm|python3\d*|vcruntime140(_1)?|ucrtbase|msvcrt)\.dll",
    re.IGNORECASE)
# grpcio-fips links the FIPS OpenSSL that Designer installs; its METADATA says "Those DLLs are
# expected to be on the user's machine (as part of an Alteryx Designer installation)".
DESIGNER_DLLS = {"libssl-3-x64.dll", "libcrypto-3-x64.dll"}
AMD64 = 0x8664


def pe_machine(head: bytes) -> int | None:
    """The COFF machine field of a PE file's first bytes, or None when it is not a PE file."""
    if head[:2] != b"MZ" or len(head) < 64:
        return None
    off = struct.unpack_from("<I", head, 0x3C)[0]
    if off + 6 > len(head) or head[off:off + 4] != b"PE\0\0":
        return None
    return int(struct.unpack_from("<H", head, off + 4)[0])


def pe_imports(data: bytes) -> list[str]:
    """The DLL names a PE file imports (its import directory), or [] when it has none."""
    pe = int(struct.unpack_from("<I", data, 0x3C)[0])
    nsections = int(struct.unpack_from("<H", data, pe + 6)[0])
    opt = pe + 24
    opt_size = int(struct.unpack_from("<H", data, pe + 20)[0])
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + (112 if magic == 0x20B else 96)
    import_rva = struct.unpack_from("<I", data, dirs + 8)[0]
    if not import_rva:
        return []
    sections = [struct.unpack_from("<IIII", data, opt + opt_size + 40 * i + 8)
                for i in range(nsections)]  # (virtual size, rva, raw size, raw offset)

    def offset(rva: int) -> int:
        for vsize, va, rsize, raw in sections:
            if va <= rva < va + max(vsize, rsize):
                return int(rva - va + raw)
        raise ValueError(f"RVA {rva:#x} outside every section")

    names: list[str] = []
    pos = offset(import_rva)
    while True:
        name_rva = struct.unpack_from("<I", data, pos + 12)[0]
        if not name_rva:
            return names
        start = offset(name_rva)
        names.append(data[start:data.index(b"\0", start)].decode("ascii"))
        pos += 20


def native_problems(target: Target, rel: str, data: bytes, shipped: set[str]) -> list[str]:
    """What is wrong with one payload file for the target (empty: nothing, or not native)."""
    name = rel.rsplit("/", 1)[-1]
    suffix = Path(name).suffix.lower()
    errors: list[str] = []
    if target.platform == "windows":
        if suffix in (".so", ".dylib") or ".so." in name:
            return [f"{rel}: not a Windows binary"]
        if suffix not in (".pyd", ".dll"):
            return []
        if pe_machine(data[:4096]) != AMD64:
            return [f"{rel}: not an AMD64 PE file"]
        for dll in pe_imports(data):
            low = dll.lower()
            if low not in DESIGNER_DLLS and low not in shipped and not SYSTEM_DLLS.fullmatch(dll):
                errors.append(f"{rel}: imports {dll}, which the payload lacks")
        tag = re.search(r"\.(cp\d+)-(win_amd64)\.pyd$", name)
        if suffix == ".pyd" and tag and f"{tag[1]}-{tag[2]}" != target.native_tag:
            errors.append(f"{rel}: built for {tag[1]}-{tag[2]}, not {target.native_tag}")
        return errors
    if suffix in (".pyd", ".dll"):
        return [f"{rel}: a Windows binary in a Linux payload"]
    if suffix == ".so" or ".so." in name:
        tag = re.search(r"\.cpython-(\d+)-", name)
        if tag and tag[1] != target.nodot:
            errors.append(f"{rel}: built for cpython-{tag[1]}")
    return errors


def is_native(name: str) -> bool:
    """A native module or library of either platform."""
    low = name.lower()
    return low.endswith((".pyd", ".dll", ".so", ".dylib")) or ".so." in low


def check_natives(target: Target, site: Path) -> int:
    """Every native module under `site` is for the target; returns how many there are."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    shipped = {p.name.lower() for p in files if p.suffix.lower() in (".dll", ".pyd")}
    errors: list[str] = []
    count = 0
    for path in files:
        if not is_native(path.name):
            continue
        count += 1
        errors += native_problems(target, path.relative_to(site).as_posix(), path.read_bytes(),
                                  shipped)
    if errors:
        raise BuildError("native modules do not match the target:\n  " + "\n  ".join(errors[:40]))
    return count
