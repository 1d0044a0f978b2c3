"""The swagger contract: the client generated from the real Server's swagger (PyPI
`mcp-server-alteryx` 0.2.22, `src/server_client`), with client-side validation on, deserialises
every GET answer the emulator gives, and finds no field its models do not declare.

The client lives in `.venv-contract` (git-ignored), made on first use from this Python with pip;
a failed install fails the test (nothing is skipped). Shapes where the public record and the
generated code disagree are listed below (VIEW_MODELS, CONTRADICTIONS), with the evidence
in docs/emulator.md.
"""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
import venv
from pathlib import Path
from typing import Any

from emu_helpers import APP, ERROR, SUCCESS, Api

from ayx_server_emulator import EmulatorServer
from ayx_server_emulator.contracts import catalogue_operations

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-contract"
PEER = "mcp-server-alteryx==0.2.22"
# The generated client's own requirements (the wheel's other pins, mcp and friends, are not
# needed to import src.server_client and clash with nothing here, but take minutes to install).
CLIENT_DEPS = ("six>=1.10", "python-dateutil>=2.5.3", "urllib3>=1.15.1", "certifi", "requests")
DRIVER = Path(__file__).with_name("contract_driver.py")

# Operations the public record has and the generated client (2024.x swagger) lacks.
NOT_IN_SWAGGER = {"jobs_get_jobs"}  # help pages, current: "Retrieve Details about All Jobs"

# The v3 lists' `view`: the swagger declares one item model for both views, but the public
# record (SPEC §3/§4.4: "Default returns the reduced view") and the swagger's own Reduced*
# models say the answer's items differ. Per list: (op, view) -> the model the items are.
VIEW_MODELS = {
    ("users_get_users", "Default"): "list[ReducedUserView]",  # declared list[UserView]
    ("users_get_users", "Full"): "list[UserView]",
    ("collections_get_collections", "Full"): "list[CollectionView]",
    ("credentials_get_credentials", "Full"): "list[CredentialsView]",
    ("schedules_get_schedules", "Full"): "list[ScheduleView]",
    ("server_connections_get_server_data_connections", "Full"):
        "list[ServerConnectionView]",
    ("workflows_get_workflows", "Full"): "list[WorkflowView]",
}
# The one declared-type refusal the contradiction above causes: the generated client cannot
# read GET /v3/users in its default view (ReducedUserView lacks UserView's required fields).
CONTRADICTIONS = {("users_get_users", "Default"): "must not be `None`"}
# Keys the item model does not declare but that the answer carries on purpose.
ALLOWED_EXTRA = {
    # view=Full items are WorkflowView plus the declared ReducedWorkflowView's two fields.
    ("workflows_get_workflows", "Full"): {"publishedVersionNumber", "isAmp"},
}


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_contract_venv() -> Path:
    """Create .venv-contract with the peer's generated client (once; a stamp names the pins)."""
    stamp = VENV / ".stamp"
    wanted = " ".join(("recipe-2", PEER, "then", *CLIENT_DEPS))
    lock_dir = ROOT / ".venv-contract-lock"  # git-ignored like every .venv*/ folder
    lock_dir.mkdir(exist_ok=True)
    with open(lock_dir / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == wanted and _python().exists():
            return _python()
        venv.create(VENV, with_pip=True, clear=True)
        pip = [str(_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "--no-deps", PEER], check=True, timeout=900)
        subprocess.run([*pip, *CLIENT_DEPS], check=True, timeout=900)
        subprocess.run([str(_python()), "-c", "import src.server_client.api"], check=True,
                       timeout=60)
        stamp.write_text(wanted)
    return _python()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _fixtures(emu: EmulatorServer) -> dict[str, Any]:
    """Ids for every path parameter: seeded ones, plus jobs in each state and DCM items."""
    api = Api(emu)
    done = api.post(f"v3/workflows/{APP}/jobs", json={
        "questions": [{"name": "Region", "value": "East"}], "workerTag": "tagged"}).json()["id"]
    job = api.get(f"v3/jobs/{done}").json()
    failed = api.post(f"v3/workflows/{ERROR}/jobs", json={}).json()["id"]
    api.get(f"v3/jobs/{failed}")
    queued = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    with emu.state.lock:
        subscription = next(iter(emu.state.subscriptions))
    return {
        "job_id": [done, failed, queued], "id": [done], "output_id": [job["outputs"][0]["id"]],
        "format": ["Raw"], "workflow_id": [SUCCESS, APP, "6101a0b0c0d0e0f0a0b0c006"],
        "collection_id": ["6501a0b0c0d0e0f0a0b0c001"],
        "credential_id": ["6301a0b0c0d0e0f0a0b0c001"],
        "schedule_id": ["6601a0b0c0d0e0f0a0b0c001"],
        "data_connection_id": ["6401a0b0c0d0e0f0a0b0c001"],
        "user_group_id": ["6201a0b0c0d0e0f0a0b0c001"],
        "user_id": [emu.user("Curator").id, emu.user("Artisan").id],
        "subscription_id": [subscription],
    }


VARIANTS: dict[str, list[dict[str, Any]]] = {
    "view": [{}, {"view": "Default"}, {"view": "Full"}],
    "includeMessages": [{}, {"include_messages": False}],
    "assetType": [{}, {"asset_type": "Workflows"}],
}


def _checks(emu: EmulatorServer) -> list[dict[str, Any]]:
    ids = _fixtures(emu)
    checks = []
    for op in catalogue_operations():
        if op["method"] != "GET" or op["op"] in NOT_IN_SWAGGER:
            continue
        if "/dcm/" in op["path"].lower() or "DCME" in op["path"]:
            continue  # DCM is served by the generic handler: see docs/emulator.md
        params = [p for p in op["required"] if p in ids]
        variants = next((VARIANTS[q] for q in op["query"] if q in VARIANTS), [{}])
        combos: list[list[Any]] = [[]]
        for p in params:
            combos = [[*c, v] for c in combos for v in ids[p]]
        for args in combos:
            for kwargs in variants:
                tag = ",".join([*(str(a)[-3:] for a in args),
                                *(f"{k if k != 'include_messages' else 'includeMessages'}={v}"
                                  for k, v in kwargs.items())])
                view = kwargs.get("view", "Default") if "view" in op["query"] else None
                check = {"name": f"{op['op']}[{tag}]", "op": op["op"], "args": args,
                         "kwargs": kwargs, "view": view}
                if (op["op"], view) in VIEW_MODELS:
                    check["as_type"] = VIEW_MODELS[(op["op"], view)]
                checks.append(check)
    return checks


def _problems(check: dict[str, Any], result: dict[str, Any]) -> list[str]:
    where = (check["op"], check["view"])
    out = []
    expected = CONTRADICTIONS.get(where)
    if result["outcome"] != "ok" and not (expected and expected in result["outcome"]):
        out.append(f"{check['name']}: {result['outcome']}")
    if expected and result["outcome"] == "ok":
        out.append(f"{check['name']}: the documented contradiction no longer shows")
    if result.get("outcome_as_type", "ok") != "ok":
        out.append(f"{check['name']} as {result['as_type']}: {result['outcome_as_type']}")
    allowed = ALLOWED_EXTRA.get(where, set())
    out += [f"{check['name']}: undeclared {key}" for key in result["undeclared"]
            if key.rsplit(".", 1)[-1] not in allowed]
    return out


def test_generated_client_deserialises_every_get(emulator: EmulatorServer) -> None:
    python = ensure_contract_venv()
    checks = _checks(emulator)
    cur = emulator.user("Curator")
    proc = subprocess.run(
        [str(python), str(DRIVER)], input=json.dumps({
            "host": emulator.webapi_url, "client_id": cur.api_key,
            "client_secret": cur.api_secret, "checks": checks}),
        capture_output=True, text=True, timeout=300, cwd=str(VENV), check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)
    assert len(results) == len(checks) >= 50
    problems = [p for c, r in zip(checks, results, strict=True) for p in _problems(c, r)]
    assert problems == [], "\n".join(["", *problems])


def test_the_contract_check_catches_a_bad_enum() -> None:
    """A positive control: an uploadSource outside the swagger's enum is refused."""
    seed = json.loads((ROOT / "ayx_server_emulator" / "data" / "seed.json").read_text())
    seed["workflows"][0]["uploadSource"] = "Emulator"
    python = ensure_contract_venv()
    with EmulatorServer(seed=seed) as emu:
        cur = emu.user("Curator")
        check = {"name": "bad", "op": "workflows_get_workflow", "args": [SUCCESS], "kwargs": {}}
        proc = subprocess.run(
            [str(python), str(DRIVER)], input=json.dumps({
                "host": emu.webapi_url, "client_id": cur.api_key,
                "client_secret": cur.api_secret, "checks": [check]}),
            capture_output=True, text=True, timeout=120, cwd=str(VENV), check=True)
    (result,) = json.loads(proc.stdout)
    assert "upload_source" in result["outcome"] and "Designer" in result["outcome"]
