"""Drive the swagger-codegen client inside PyPI `mcp-server-alteryx` 0.2.22 (package
`src.server_client`, generated from the real Server's swagger) through a list of GET checks.

Runs in `.venv-contract` (its own venv: the peer's pins clash with ours), never imported by the
suite. Reads {"host", "client_id", "client_secret", "checks": [{"name", "op", "args", "kwargs"}]}
on stdin and prints one JSON result per check: the outcome ("ok", "http <status>: <body>",
or "invalid: <why the generated models refused the answer>") and the answer's keys that the
declared response model does not name ("undeclared").
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sys
from typing import Any

from src.server_client import api as api_pkg  # type: ignore[import-not-found]
from src.server_client import models as models_pkg  # type: ignore[import-not-found]
from src.server_client.api_client import ApiClient  # type: ignore[import-not-found]
from src.server_client.configuration import Configuration  # type: ignore[import-not-found]
from src.server_client.rest import ApiException  # type: ignore[import-not-found]


def undeclared(data: Any, typ: str | None, path: str, out: list[str]) -> None:
    """Collect the keys of `data` the swagger type `typ` does not declare (recursively)."""
    if typ is None or data is None:
        return
    if typ.startswith("list["):
        for i, item in enumerate(data if isinstance(data, list) else []):
            undeclared(item, typ[5:-1], f"{path}[{i}]", out)
        return
    if typ.startswith("dict("):
        inner = typ[typ.index(",") + 1:-1].strip()
        for key, value in (data if isinstance(data, dict) else {}).items():
            undeclared(value, inner, f"{path}.{key}", out)
        return
    model = getattr(models_pkg, typ, None)
    if model is None or not isinstance(data, dict):
        return
    declared = {model.attribute_map[a]: t for a, t in model.swagger_types.items()}
    for key, value in data.items():
        if key not in declared:
            out.append(f"{path}.{key}")
        else:
            undeclared(value, declared[key], f"{path}.{key}", out)


def main() -> int:
    spec = json.load(sys.stdin)
    cfg = Configuration()
    cfg.host = spec["host"].rstrip("/")
    cfg.client_id, cfg.client_secret = spec["client_id"], spec["client_secret"]
    cfg.client_side_validation = True
    # Models built while deserialising take the default configuration: validation on there too.
    Configuration.set_default(cfg)
    client = ApiClient(cfg)
    seen: dict[str, Any] = {}
    original = client.deserialize

    def capture(response: Any, response_type: str | None) -> Any:
        seen["type"] = response_type
        try:
            seen["raw"] = json.loads(response.data)
        except ValueError:
            seen["raw"] = None
        return original(response, response_type)

    client.deserialize = capture
    methods: dict[str, Any] = {}
    for info in pkgutil.iter_modules(api_pkg.__path__):
        module = importlib.import_module(f"{api_pkg.__name__}.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if name.endswith("Api") and cls.__module__ == module.__name__:
                instance = cls(client)
                for attr in dir(instance):
                    if not attr.startswith("_") and not attr.endswith("_with_http_info"):
                        methods[attr] = getattr(instance, attr)
    results = []
    for check in spec["checks"]:
        seen.clear()
        result: dict[str, Any] = {"name": check["name"], "op": check["op"], "undeclared": []}
        method = methods.get(check["op"])
        if method is None:
            result["outcome"] = "no generated method"
            results.append(result)
            continue
        try:
            method(*check.get("args", []), **check.get("kwargs", {}))
            result["outcome"] = "ok"
        except ApiException as exc:
            result["outcome"] = f"http {exc.status}: {str(exc.body)[:300]}"
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            result["outcome"] = f"invalid: {type(exc).__name__}: {exc}"
        result["type"] = seen.get("type")
        as_type = check.get("as_type")
        if as_type and "raw" in seen:
            # The model the public record says this answer is (the swagger declares another).
            result["as_type"] = as_type
            body = type("Answer", (), {"data": json.dumps(seen["raw"])})()
            try:
                original(body, as_type)
                result["outcome_as_type"] = "ok"
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                result["outcome_as_type"] = f"invalid: {type(exc).__name__}: {exc}"
        undeclared(seen.get("raw"), as_type or seen.get("type"), "$", result["undeclared"])
        results.append(result)
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
