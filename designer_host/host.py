"""Play Designer's engine for one tool run over the SDK's real gRPC protocol.

The SDK's own `test_harness` cannot do this (sdk/NOTES.md §3): it dials a fixed port, waits for a
message the plugin never sends, and cannot decode outputs. This driver starts the plugin process
the way Designer does (`python <entry> start-sdk-tool-service <package> <ToolClass>`), reads the
`ListenPort:` line it prints, then speaks the SdkToolV2 protocol: plugin initialization (config
XML, incoming metadata, outgoing anchors, engine constants, update mode), record batches as Arrow
IPC streams, incoming-connection-complete, notify-complete; it answers decrypt-password and
translate requests and collects outputs, pushed schemas, messages and progress. The child
process is always killed at the end.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pyarrow as pa
from ayx_python_sdk.providers.amp_provider.resources.generated.incoming_anchor_pb2 import (
    IncomingAnchor,
)
from ayx_python_sdk.providers.amp_provider.resources.generated.incoming_connection_pb2 import (
    IncomingConnection,
)
from ayx_python_sdk.providers.amp_provider.resources.generated.outgoing_anchor_pb2 import (
    OutgoingAnchor,
)
from ayx_python_sdk.providers.amp_provider.resources.generated.sdk_tool_service_v2_pb2 import (
    ControlIn,
    RecordTransferIn,
)
from ayx_python_sdk.providers.amp_provider.resources.generated.sdk_tool_service_v2_pb2_grpc import (
    SdkToolV2Stub,
)

from designer_host import dcm
from designer_host.metadata import metadata_of

LISTEN_TOKEN = "ListenPort: "
PLUGIN_LOADED = "Plugin class successfully loaded."
PLUGIN_FAILED = "Could not init plugin"
KINDS = {1: "info", 2: "warn", 3: "error", 8: "file_input", 9: "file_output"}
UM_RUN, UM_FULL, UM_QUICK = 0, 1, 2
_SENTINEL = object()

# Arrow type -> Alteryx FieldType number, for inputs that carry no `ayx.type` metadata.
@dataclass
class ToolRun:
    """Everything one run produced, as Designer would have seen it."""

    outputs: dict[str, pa.Table] = field(default_factory=dict)
    output_schemas: dict[str, pa.Schema] = field(default_factory=dict)
    messages: list[tuple[str, str]] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    saved_configs: list[str] = field(default_factory=list)
    closed_anchors: list[str] = field(default_factory=list)
    decrypt_requests: int = 0
    dcm_requests: int = 0
    completed: bool = False
    returncode: int | None = None
    log: str = ""

    def rows(self, anchor: str) -> list[dict[str, Any]]:
        """The rows of an output (DateTime values as datetimes, the time of day kept)."""
        from ayx_plugins.tools.typed_values import pylist

        return pylist(self.outputs[anchor])

    def texts(self, kind: str) -> list[str]:
        """The messages of one kind ("info", "warn", "error")."""
        return [text for k, text in self.messages if k == kind]

    @property
    def errors(self) -> list[str]:
        """The error messages (the Results window's red lines)."""
        return self.texts("error")


class HostError(RuntimeError):
    """The plugin process could not be started or did not finish the protocol in time."""


def default_entry_point() -> Path:
    """The SDK's own plugin entry point (what a YXI's main.pyz wraps)."""
    import ayx_python_sdk.providers.amp_provider as amp

    return Path(amp.__file__).parent / "__main__.py"


def _split(table: pa.Table, batch_rows: int | None) -> list[pa.Table]:
    if not batch_rows or table.num_rows <= batch_rows:
        return [table]
    return [table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows)]


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


class _Requests:
    """A blocking request iterator for one client-streaming side of a gRPC call."""

    def __init__(self) -> None:
        self._q: queue.Queue[Any] = queue.Queue()
        self.drained = threading.Event()

    def put(self, msg: Any) -> None:
        self._q.put(msg)

    def close(self) -> None:
        self._q.put(_SENTINEL)

    def __iter__(self) -> Iterator[Any]:
        while True:
            msg = self._q.get()
            if msg is _SENTINEL:
                return
            yield msg
            if self._q.empty():
                self.drained.set()


def run_tool(
    tool_class: str,
    config_xml: str | Mapping[str, Any] = "<Configuration />",
    inputs: Mapping[str, pa.Table] | None = None,
    *,
    python: str | os.PathLike[str] = sys.executable,
    entry_point: str | os.PathLike[str] | None = None,
    package: str = "ayx_plugins",
    update_only: bool = False,
    update_mode: int | None = None,
    secrets: Callable[[str], str] | None = None,
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    outputs: tuple[str, ...] = ("Success", "Failure"),
    engine_constants: Mapping[str, str] | None = None,
    batch_rows: int | None = None,
    input_metadata: Mapping[str, pa.Schema] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    dcm_connections: Mapping[str, Any] | None = None,
) -> ToolRun:
    """Run one tool out of process as Designer's engine would; see the module docstring.

    `config_xml` is the tool's configuration XML, or a panel's saved `model.Configuration` (a
    dict, with `Secrets`), which goes through Designer's Json.NET step
    (`designer_host.jsonnet.configuration_to_xml`) first. `workflow_dir` is the folder of the
    workflow (the `Engine.WorkflowDirectory` engine constant; default: a `workflow` folder that is
    not the plugin's working directory, as in Designer; `cwd` when that is given);
    `Engine.TempFilePath` is a temp folder.

    `inputs` maps anchor name -> table (one connection per anchor, named like Designer's
    "#1"); `batch_rows` splits each table into several record batches; `secrets` decrypts
    what the tool sends to `decrypt_password` (default: the text unchanged); `input_metadata`
    overrides the metadata announced for an anchor (default: from the table's schema).
    Anchors are sent in the order of `inputs` (e.g. `{"Input": data, "Connection": record}`
    sends the data first). `dcm_connections` answers the tool's DCM requests like Designer:
    connection id -> dict or `designer_host.dcm.DcmRefusal` (see `designer_host.dcm`).
    """
    if not isinstance(config_xml, str):
        from designer_host.jsonnet import configuration_to_xml

        config_xml = configuration_to_xml(config_xml)
    inputs = dict(inputs or {})
    run = ToolRun()
    deadline = time.monotonic() + timeout
    workdir = Path(cwd) if cwd else Path(tempfile.mkdtemp(prefix="designer_host_"))
    if cwd:  # the caller's folder: nothing is created in it
        flowdir = Path(workflow_dir) if workflow_dir else workdir
        tempdir = Path(tempfile.mkdtemp(prefix="designer_host_temp_"))
    else:
        flowdir = Path(workflow_dir) if workflow_dir else workdir / "workflow"
        tempdir = workdir / "engine_temp"
        tempdir.mkdir(parents=True, exist_ok=True)
    flowdir.mkdir(parents=True, exist_ok=True)
    child_env = dict(os.environ)
    child_env.update(env or {})
    child_env["TOOL_SERVICE_ADDRESS"] = "127.0.0.1:0"  # the plugin binds a free port and says which
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    entry = Path(entry_point) if entry_point else default_entry_point()
    cmd = [str(python), str(entry), "start-sdk-tool-service", package, tool_class]
    proc = subprocess.Popen(
        cmd, cwd=str(workdir), env=child_env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    log_lines: list[str] = []
    port_box: queue.Queue[int | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        found = False
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            log_lines.append(line)
            if not found and LISTEN_TOKEN in line:
                found = True
                port_box.put(int(line.split(LISTEN_TOKEN, 1)[1].strip()))
        if not found:
            port_box.put(None)

    pumper = threading.Thread(target=pump, name="designer_host-stdout", daemon=True)
    pumper.start()
    channel: grpc.Channel | None = None
    ctrl_req = _Requests()
    rec_req = _Requests()
    try:
        try:
            port = port_box.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            port = None
        if port is None:
            raise HostError("the plugin process printed no ListenPort line:\n"
                            + "\n".join(log_lines[-40:]))
        channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[("grpc.max_send_message_length", -1),
                     ("grpc.max_receive_message_length", -1)],
        )
        grpc.channel_ready_future(channel).result(timeout=max(0.1, deadline - time.monotonic()))
        stub = SdkToolV2Stub(channel)
        _drive(stub, run, ctrl_req, rec_req, tool_class, config_xml, inputs, outputs,
               update_mode if update_mode is not None else (UM_FULL if update_only else UM_RUN),
               secrets or (lambda text: text), deadline, (flowdir, tempdir, workdir),
               engine_constants, batch_rows, input_metadata or {}, dcm_connections)
    finally:
        ctrl_req.close()
        rec_req.close()
        if channel is not None:
            channel.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        run.returncode = proc.returncode
        pumper.join(timeout=5)
        run.log = "\n".join(log_lines)
    return run


def _drive(
    stub: Any, run: ToolRun, ctrl_req: _Requests, rec_req: _Requests, tool_class: str,
    config_xml: str, inputs: dict[str, pa.Table], outputs: tuple[str, ...], mode: int,
    secrets: Callable[[str], str], deadline: float, dirs: tuple[Path, Path, Path],
    engine_constants: Mapping[str, str] | None, batch_rows: int | None,
    input_metadata: Mapping[str, pa.Schema],
    dcm_connections: Mapping[str, Any] | None = None,
) -> None:
    loaded = threading.Event()
    complete = threading.Event()
    records_done = threading.Event()
    failures: list[BaseException] = []
    chunks: dict[str, bytearray] = {}
    tables: dict[str, list[pa.Table]] = {}

    def control_reader(responses: Iterator[Any]) -> None:
        try:
            for resp in responses:
                kind = resp.WhichOneof("payload")
                if kind == "output_message":
                    om = resp.output_message
                    if om.message_type == 11:
                        run.saved_configs.append(om.message)
                    else:
                        run.messages.append((KINDS.get(om.message_type, str(om.message_type)),
                                             om.message))
                    if PLUGIN_LOADED in om.message or PLUGIN_FAILED in om.message:
                        loaded.set()
                elif kind == "update_progress":
                    run.progress.append(float(resp.update_progress.value))
                elif kind == "outgoing_metadata":
                    push = resp.outgoing_metadata
                    run.output_schemas[push.output_anchor_name] = pa.ipc.read_schema(
                        pa.py_buffer(push.schema))
                elif kind == "decrypt_password":
                    run.decrypt_requests += 1
                    answer = ControlIn(msg_id=resp.msg_id)
                    answer.decrypted_password.password = secrets(resp.decrypt_password.password)
                    ctrl_req.put(answer)
                elif kind == "dcm_e_request":
                    run.dcm_requests += 1
                    cid = resp.dcm_e_request.v2.get_connection.connection_id
                    success, struct = dcm.answer(dcm_connections, cid)
                    answer = ControlIn(msg_id=resp.msg_id)
                    answer.dcm_e_response.success = success
                    answer.dcm_e_response.response.CopyFrom(struct)
                    ctrl_req.put(answer)
                elif kind == "translate_message":
                    tm = resp.translate_message
                    text = tm.unlocalized_string
                    for i, arg in enumerate(tm.interpolation_data):
                        text = text.replace(f"%{i + 1}", arg)
                    answer = ControlIn(msg_id=resp.msg_id)
                    answer.translated_message.translated_message = text
                    ctrl_req.put(answer)
                elif kind == "confirm_complete":
                    run.completed = True
                    complete.set()
        except grpc.RpcError as exc:
            if not complete.is_set():
                failures.append(exc)
        finally:
            loaded.set()
            complete.set()

    def record_reader(responses: Iterator[Any]) -> None:
        try:
            for resp in responses:
                kind = resp.WhichOneof("payload")
                if kind == "outgoing_records":
                    rec = resp.outgoing_records
                    buf = chunks.setdefault(rec.anchor_name, bytearray())
                    buf.extend(rec.data)
                    if rec.end_of_chunk:
                        reader = pa.ipc.open_stream(pa.py_buffer(bytes(buf)))
                        tables.setdefault(rec.anchor_name, []).append(reader.read_all())
                        chunks[rec.anchor_name] = bytearray()
                elif kind == "close_outgoing_anchor":
                    run.closed_anchors.append(resp.close_outgoing_anchor.name)
        except grpc.RpcError as exc:
            if not complete.is_set():
                failures.append(exc)
        finally:
            records_done.set()

    init = ControlIn()
    data = init.plugin_initialization_data
    data.configXml = config_xml
    for n, (anchor, table) in enumerate(inputs.items()):
        schema = input_metadata.get(anchor, table.schema)
        conn = IncomingConnection(name=f"#{n + 1}", metadata=metadata_of(schema))
        data.incomingAnchors.append(IncomingAnchor(name=anchor, connections=[conn], sequencing=5))
    for name in outputs:
        data.outgoingAnchors.append(OutgoingAnchor(name=name, num_connections=1))
    flowdir, tempdir, workdir = dirs
    constants = {
        "Engine.TempFilePath": str(tempdir),
        "Engine.WorkflowDirectory": str(flowdir),
        "Engine.Version": "2025.1.1.0",
        "AlteryxExecutable": str(workdir),
        "ToolId": "7",
        "WorkflowRunGuid": "00000000-0000-4000-8000-000000000001",
    }
    constants.update(engine_constants or {})
    for key, value in constants.items():
        data.engineConstants[key] = value
    data.updateMode = mode  # type: ignore[assignment]
    ctrl_req.put(init)

    control_responses = stub.Control(iter(ctrl_req))
    record_responses = stub.RecordTransfer(iter(rec_req))
    threads = [
        threading.Thread(target=control_reader, args=(control_responses,), daemon=True),
        threading.Thread(target=record_reader, args=(record_responses,), daemon=True),
    ]
    for t in threads:
        t.start()

    def remaining() -> float:
        return max(0.05, deadline - time.monotonic())

    if not loaded.wait(remaining()):
        raise HostError(f"{tool_class} did not finish loading in time")
    if mode == UM_RUN:
        sent = False
        for n, (anchor, table) in enumerate(inputs.items()):
            for part in _split(table, batch_rows):
                msg = RecordTransferIn()
                msg.incoming_records.anchor_name = anchor
                msg.incoming_records.connection_name = f"#{n + 1}"
                msg.incoming_records.data = _ipc(part)
                msg.incoming_records.end_of_chunk = True
                rec_req.put(msg)
                sent = True
        if sent:
            # The engine's streams are independent: let the records reach the plugin before the
            # connection-complete and notify-complete control messages overtake them. With two
            # anchors a record that arrives after notify-complete would be lost (the SDK runs
            # on_complete once no stream is pending), so give a loaded machine more time.
            rec_req.drained.wait(remaining())
            time.sleep(0.1 if len(inputs) < 2 else 0.5)
        for n, anchor in enumerate(inputs):
            done = ControlIn()
            done.incoming_connection_complete.anchor_name = anchor
            done.incoming_connection_complete.connection_name = f"#{n + 1}"
            ctrl_req.put(done)
    notify = ControlIn()
    notify.notify_complete.SetInParent()
    ctrl_req.put(notify)
    if not complete.wait(remaining()):
        raise HostError(f"{tool_class} did not confirm completion in time")
    records_done.wait(remaining())
    if failures and not run.completed:
        raise HostError(f"gRPC failed: {failures[0]!r}")
    for name, schema in run.output_schemas.items():
        parts = tables.get(name, [])
        run.outputs[name] = pa.concat_tables(parts) if parts else schema.empty_table()
    for name, parts in tables.items():
        if name not in run.outputs:
            run.outputs[name] = pa.concat_tables(parts)
