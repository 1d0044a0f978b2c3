"""Run by a bare interpreter of the target against a staged Linux payload (`python -I -S -B`):

    python verify_payload.py <site-packages>

Imports every top-level package and module in site-packages (what the pruning must keep), every
`ayx_plugins` module, the SDK's service entry, and constructs each tool of
`ayx_plugins.tools.specs` against the SDK's real `AMPProviderV2` in update-only mode with an
empty configuration (what dropping a tool on the canvas does). Prints one summary line.
"""

import importlib
import pkgutil
import site
import sys
import warnings
from pathlib import Path

NATIVE_SUFFIXES = (".so", ".pyd")
# Windows-only by design (the SDK requires it unconditionally): it needs ctypes.WinDLL, so it
# cannot import in the Linux twin; the Windows payload byte-compiles it with the target Python.
WINDOWS_ONLY = {"wincertstore"}


def top_level_names(site_dir: Path) -> list[str]:
    """Every importable top-level name in a site-packages folder."""
    names = set()
    for entry in site_dir.iterdir():
        if entry.name.endswith((".dist-info", ".data")) or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            if (entry / "__init__.py").is_file() or any(entry.glob("*.py")) or any(
                    p.is_dir() for p in entry.iterdir()):
                names.add(entry.name)
        elif entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.name.endswith(NATIVE_SUFFIXES):
            names.add(entry.name.split(".")[0])
    return sorted(n for n in names if n.isidentifier() and n not in WINDOWS_ONLY)


def main(site_dir: str) -> int:
    """Import and construct everything; raise on the first failure."""
    warnings.simplefilter("ignore")
    site.addsitedir(site_dir)
    bad = [p for p in sys.path if "site-packages" in p and not p.startswith(site_dir)]
    if bad:
        raise SystemExit(f"not a bare interpreter: {bad}")
    tops = top_level_names(Path(site_dir))
    failed = []
    for name in tops:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported at once
            failed.append(f"import {name}: {type(exc).__name__}: {exc}")
    if failed:
        raise SystemExit("top-level imports failed:\n  " + "\n  ".join(failed))

    import ayx_plugins
    from ayx_plugins.tools import specs

    modules = [m.name for m in pkgutil.walk_packages(ayx_plugins.__path__, "ayx_plugins.")]
    for name in modules:
        importlib.import_module(name)
    import pyarrow as pa
    from ayx_python_sdk.core import PluginV2
    from ayx_python_sdk.core.testing import (
        _DummyCtrlIn,
        _IncomingAnchor,
        _IncomingConnection,
        _OutgoingAnchor,
        _PluginInitializationData,
    )
    from ayx_python_sdk.providers.amp_provider import AMPProviderV2
    from ayx_python_sdk.providers.amp_provider.__main__ import start_sdk_tool_service

    assert callable(start_sdk_tool_service)
    schema = pa.schema([pa.field("x", pa.string())])
    for tool in specs.TOOLS:
        cls = getattr(ayx_plugins, tool.class_name)
        assert issubclass(cls, PluginV2), f"{tool.class_name} is not a PluginV2"
        provider = AMPProviderV2()
        ins = [_IncomingAnchor(a.name, [_IncomingConnection("1", schema)]) for a in tool.inputs]
        outs = [_OutgoingAnchor(a.name, 1, None) for a in tool.outputs]
        init = _PluginInitializationData("<Configuration />", ins, outs)
        provider.set_anchors(_DummyCtrlIn(init))
        provider.environment.set_tool_config("<Configuration />")
        provider.environment.save_update_mode(2)  # UM_Full: what dropping the tool on a canvas does
        cls(provider)
    print(f"imported {len(tops)} top-level packages and {len(modules)} ayx_plugins modules, "
          f"constructed {len(specs.TOOLS)} tools")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
