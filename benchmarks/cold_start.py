"""Cold start of a packaged tool, as a ratio to the SDK's own example plugin started the same way.

Designer starts one Python process per tool per run and per configuration refresh, so the time
from process start to a finished update-only run is paid on every canvas change. Measured here
from the Linux twin of the YXI: each tool's packaged `main.pyz`, a bare CPython of the target
version, the Tools folder made unwritable (as an admin install is for a user), driven by
`designer_host` over the SDK's gRPC protocol. The reference is the SDK's `AyxSdkPassThrough`
example, packaged next to our tools with the same `main.pyz`, the same site-packages and its
own `.pyc` compiled the same way, so the ratio is what our package adds to the SDK's own start.

    python -m benchmarks.cold_start [--runs N] [--yxi PATH]      # prints the figure lines

`fig_cold_start(emit, runs)` is what the benchmark runner calls; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "AyxSdkPassThrough"
EXAMPLE_PACKAGE = "ayx_sdk_example"
EXAMPLE_FOLDER = f"{EXAMPLE}_1_0"
TOOL = "ServerGet"  # a request tool: engine, config, catalogue and core on its import path


def build_linux_yxi(out: Path, python: str = "3.13") -> Path:
    """The Linux twin of the YXI (reused from build/yxi/ when its inputs did not change)."""
    sys.path.insert(0, str(ROOT))
    from yxi_build.cli import build
    from yxi_build.target import Target

    return build(Target(python, "linux"), out, None)


def unwritable_python(bare: str, folder: Path) -> Path:
    """A launcher that runs `bare` unable to write where the permission bits say no.

    As root, permission bits do not stop writes; the launcher drops the capabilities that let
    root ignore them (setpriv), so `chmod -R a-w` on the Tools folder means what it does for a
    user. As another user the bits apply anyway.
    """
    launcher = folder / "python-unwritable"
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv:
        body = (f'exec "{setpriv}" --bounding-set=-dac_override,-dac_read_search,-fowner '
                f'--inh-caps=-all -- "{bare}" "$@"\n')
    else:
        body = f'exec "{bare}" "$@"\n'
    launcher.write_text("#!/bin/sh\n" + body)
    launcher.chmod(0o755)
    return launcher


def add_example(tools: Path, shared_folder: str, bare: str) -> None:
    """Package the SDK's AyxSdkPassThrough example next to our tools, started like them."""
    from ayx_python_sdk import __file__ as sdk_init

    source = Path(sdk_init).parent / "examples" / EXAMPLE / "main.py"
    folder = tools / EXAMPLE_FOLDER
    package = folder / EXAMPLE_PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_bytes(source.read_bytes())
    shutil.copyfile(tools / shared_folder / "main.pyz", folder / "main.pyz")
    (folder / "manifest.json").write_text(json.dumps({
        "version": "3.13", "entry_point": f"{EXAMPLE_FOLDER}\\main.pyz",
        "tool_package": EXAMPLE_PACKAGE, "tool_name": EXAMPLE,
        "additional_pythonpaths": [str(folder)]}))
    subprocess.run([bare, "-I", "-m", "compileall", "-q", "--invalidation-mode",
                    "unchecked-hash", str(package)], check=True, capture_output=True)


def make_unwritable(folder: Path) -> None:
    """chmod -R a-w (directories keep r-x)."""
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(folder: Path) -> None:
    """Undo make_unwritable, so the folder can be deleted."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _start(python: Path, tools: Path, folder: str, package: str, tool: str,
           outputs: tuple[str, ...]) -> float:
    from designer_host import run_tool

    t0 = time.perf_counter()
    run = run_tool(tool, "<Configuration />", {}, python=python,
                   entry_point=tools / folder / "main.pyz", package=package, update_only=True,
                   timeout=120, outputs=outputs,
                   env={"PYTHONPATH": "", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": ""})
    elapsed = time.perf_counter() - t0
    if not run.completed:
        raise RuntimeError(f"{tool} did not start:\n{run.log[-2000:]}")
    return elapsed


def measure(yxi: Path, bare: str, runs: int = 5) -> dict[str, float]:
    """Median seconds per start: our tool with and without the shipped .pyc, and the example."""
    with tempfile.TemporaryDirectory(prefix="cold_start_") as tmp:
        base = Path(tmp)
        tools = base / "Tools"
        with zipfile.ZipFile(yxi) as zf:
            zf.extractall(tools)
        first = sorted(p.name for p in tools.iterdir() if (p / "site-packages").is_dir())[0]
        folder = next(p.name for p in tools.iterdir() if p.name.startswith(f"{TOOL}_"))
        add_example(tools, first, bare)
        python = unwritable_python(bare, base)
        os.environ.setdefault("HOME", tmp)
        make_unwritable(tools)
        try:
            ours = [_start(python, tools, folder, "ayx_plugins", TOOL, ("Success", "Failure"))
                    for _ in range(runs)]
            example = [_start(python, tools, EXAMPLE_FOLDER, EXAMPLE_PACKAGE, EXAMPLE,
                              ("Output",)) for _ in range(runs)]
            make_writable(tools)
            for cache in list(tools.rglob("__pycache__")):
                if EXAMPLE_FOLDER not in cache.parts:
                    shutil.rmtree(cache)
            make_unwritable(tools)
            no_pyc = [_start(python, tools, folder, "ayx_plugins", TOOL, ("Success", "Failure"))
                      for _ in range(max(2, runs // 2))]
        finally:
            make_writable(tools)
    return {"ours": statistics.median(ours), "example": statistics.median(example),
            "no_pyc": statistics.median(no_pyc)}


def fig_cold_start(emit: Callable[[str, str], None], runs: int = 5,
                   yxi: Path | None = None) -> dict[str, float]:
    """The benchmark runner's entry: one line with the ratio to the SDK example."""
    sys.path.insert(0, str(ROOT))
    from yxi_build.checks import find_python

    bare = find_python("3.13")
    with tempfile.TemporaryDirectory() as out:
        path = yxi or build_linux_yxi(Path(out))
        result = measure(path, bare, runs)
    emit("cold start (packaged, unwritable)",
         f"{TOOL} {result['ours']:.2f} s vs SDK {EXAMPLE} {result['example']:.2f} s: "
         f"ratio {result['ours'] / result['example']:.2f}; without shipped .pyc "
         f"{result['no_pyc']:.2f} s ({result['no_pyc'] / result['example']:.2f}x); "
         f"median of {runs}, bare CPython 3.13 update-only run over gRPC")
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: print the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--yxi", type=Path, help="a built Linux py313 YXI (default: build one)")
    args = parser.parse_args(argv)
    fig_cold_start(lambda name, text: print(f"{name:<34} {text}", flush=True), args.runs,
                   args.yxi)
    return 0


if __name__ == "__main__":
    sys.exit(main())
