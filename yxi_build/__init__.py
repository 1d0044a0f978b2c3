"""The YXI builder (dev only, never shipped): `python build_yxi.py` runs `yxi_build.cli.main`.

One module per job, in the order a build runs them:

- `project`   what the build reads: the tool specs, the runtime requirements, the cache folder
- `target`    one YXI flavour (embedded CPython 3.13/3.10, Windows or Linux wheels)
- `resolve`   the exact wheels for a target (pip's resolver, markers evaluated for the target)
- `payload`   unpack, prune, copy `ayx_plugins`, compile `.pyc` for the target
- `natives`   native modules match the target (ABI tags, PE machine and imports)
- `checks`    no build-machine paths; a bare interpreter of the target imports the payload
- `generate`  Config.xml, the tool XMLs, manifest.json, main.pyz; `helppages` the help HTML
- `archive`   a reproducible zip, copying cached compressed entries; the input digests
- `cli`       one build end to end, and the command line

`runtime/` holds the code that runs on the target interpreter, not in the build: the tools'
`main.pyz` and the payload check. They are plain modules, so ruff and mypy read them.
"""
