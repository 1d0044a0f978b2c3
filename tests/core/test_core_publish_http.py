"""Catalogue calls over real HTTP: multipart publish, new versions, JSON bodies, errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from core_seed import SUCCESS_WF

from ayx_plugins.server_api import (
    ServerClient,
    UnsupportedMediaTypeError,
    ValidationError,
    call_endpoint,
)
from ayx_server_emulator import EmulatorServer


def _package(tmp_path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Published.yxmd", "<AlteryxDocument yxmdVer='2024.1'/>")
    path = tmp_path / "Published.yxzp"
    path.write_bytes(buf.getvalue())
    return path


def _form(owner: str) -> dict[str, object]:
    return {
        "name": "Published by the core",
        "ownerId": owner,
        "isPublic": False,
        "isReadyForMigration": False,
        "othersMayDownload": True,
        "othersCanExecute": True,
        "executionMode": "Safe",
        "workflowCredentialType": "Default",
        "districtTags": [],
        "comments": "ünïcode & symbols = fine",
    }


def test_multipart_publish_then_new_version(
    emulator: EmulatorServer, curator: ServerClient, tmp_path: Path
) -> None:
    owner = emulator.user("Curator").id
    new_id = call_endpoint(
        curator, "workflows_create_workflow", form=_form(owner), files={"file": _package(tmp_path)}
    )
    assert isinstance(new_id, str) and len(new_id) == 24
    view = curator.request_json("GET", f"v3/workflows/{new_id}")
    assert view["name"] == "Published by the core" and view["othersMayDownload"] is True
    assert view["isPublic"] is False

    form = _form(owner)
    for key in ("isPublic", "isReadyForMigration", "districtTags"):
        form.pop(key)
    form["makePublished"] = True
    updated = call_endpoint(
        curator,
        "workflows_add_version_to_workflow",
        path_params={"workflowId": new_id},
        form=form,
        files={"file": ("v2.yxzp", _package(tmp_path).read_bytes())},
    )
    assert len(updated["versions"]) == 2


def test_publish_with_json_is_refused_with_415(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    with pytest.raises(UnsupportedMediaTypeError, match="multipart/form-data"):
        curator.request_json("POST", "v3/workflows", json={"name": "x"})


def test_missing_fields_surface_model_state(
    emulator: EmulatorServer, curator: ServerClient, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as info:
        call_endpoint(
            curator, "workflows_create_workflow", form={"name": "x"},
            files={"file": _package(tmp_path)},
        )  # fmt: skip
    assert "ownerId" in info.value.model_state
    assert "ownerId" in str(info.value)


def test_json_endpoint_by_name(emulator: EmulatorServer, curator: ServerClient) -> None:
    job = call_endpoint(
        curator,
        "workflows_enqueue",
        path_params={"workflowId": SUCCESS_WF},
        json={"questions": [], "priority": "Default"},
    )
    assert job["status"] == "Queued"
    questions = call_endpoint(
        curator, "v1_get_workflow_questions", path_params={"appId": SUCCESS_WF}
    )
    assert isinstance(questions, list)
