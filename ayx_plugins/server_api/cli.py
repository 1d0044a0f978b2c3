"""`ayx-server`: the command line over the core (request, run, job, endpoints, doctor).

Exit status: 0 success, 1 an HTTP/transport error or a job that did not succeed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

import requests

from . import cli_doctor, cli_jobs
from .catalogue import Endpoint, call_endpoint, load_catalogue
from .client import ServerClient
from .errors import ApiError
from .jobs import Job, download_outputs, get_job, start_job
from .retry import RetryPolicy
from .segments import PathEscapeError
from .values import build_multipart, encode_value
from .workflows import resolve_workflow

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake: exit status 2."""


def _pairs(values: Sequence[str] | None, what: str) -> list[tuple[str, str]]:
    out = []
    for item in values or ():
        if "=" not in item:
            raise UsageError(f"{what} must look like name=value, got {item!r}")
        key, value = item.split("=", 1)
        out.append((key, value))
    return out


def _read_json_arg(text: str) -> Any:
    raw = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"--json is not valid JSON: {exc}") from None


def _print_json(data: Any, out: TextIO) -> None:
    if isinstance(data, str):
        print(data, file=out)
    else:
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)


def _add_connection_options(p: argparse.ArgumentParser, *, sub: bool) -> None:
    # Options repeat on each sub-command so they may come after it; there they default to
    # "not given" so that they never override the ones given before the sub-command.
    d: Callable[[Any], Any] = (lambda v: argparse.SUPPRESS) if sub else (lambda v: v)
    g = p.add_argument_group("connection (or AYX_SERVER_URL, AYX_API_KEY, AYX_API_SECRET)")
    g.add_argument("--url", default=d(None), help="Server URL: https://host, .../webapi/, ...")
    g.add_argument("--key", default=d(None), help="API key (client id)")
    g.add_argument("--secret", default=d(None), help="API secret (prefer AYX_API_SECRET)")
    g.add_argument("--token", default=d(None), help="a ready OAuth 2 bearer token (AYX_TOKEN)")
    g.add_argument(
        "--auth",
        choices=("oauth1", "oauth2"),
        default=d(None),
        help="default: oauth1 for a /gallery/api/ URL, else oauth2",
    )
    g.add_argument(
        "--token-in-body",
        action="store_true",
        default=d(False),
        help="send client_id/secret in the token request body, not HTTP Basic",
    )
    g.add_argument("--ca-bundle", default=d(None), help="PEM file of a private CA")
    g.add_argument(
        "--insecure",
        action="store_true",
        default=d(False),
        help="do not verify TLS certificates (testing only)",
    )
    g.add_argument("--http-timeout", type=float, default=d(60.0), help="seconds per request")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of `ayx-server`."""
    parser = argparse.ArgumentParser(
        prog="ayx-server",
        description="Talk to Alteryx Server's REST API (OAuth 2 /webapi/ or legacy /gallery/api/).",
    )
    _add_connection_options(parser, sub=False)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")

    def sub(name: str, help_: str) -> argparse.ArgumentParser:
        p = subs.add_parser(name, help=help_, description=help_)
        _add_connection_options(p, sub=True)
        return p

    p = sub("request", "send one API request and print the response")
    p.add_argument("method", help="GET, POST, PUT, PATCH, DELETE")
    p.add_argument("path", help="path under the API base (v3/workflows) or an endpoint name")
    p.add_argument(
        "--path-param",
        "-p",
        action="append",
        metavar="k=v",
        help="path parameter for an endpoint name",
    )
    p.add_argument("--query", "-q", action="append", metavar="k=v", help="query parameter")
    p.add_argument("--json", "-j", metavar="BODY|@file", help="JSON body")
    p.add_argument("--form", "-f", action="append", metavar="k=v", help="form field")
    p.add_argument(
        "--file",
        "-F",
        action="append",
        metavar="name=path",
        help="file part (sends multipart/form-data)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the response body to FILE")

    p = sub("run", "start a job for a workflow (and with --wait, wait and judge it)")
    p.add_argument("workflow_id", help="workflow id, Gallery URL or exact workflow name")
    p.add_argument("--question", "-Q", action="append", metavar="name=value")
    p.add_argument("--priority")
    p.add_argument("--worker-tag")
    p.add_argument("--credential", help="credential id to run as (v3)")
    p.add_argument("--api", choices=("v1", "v3"), default="v3")
    p.add_argument("--wait", action="store_true", help="poll until the job ends")
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait at most")
    p.add_argument("--poll-interval", type=float, default=2.0)
    p.add_argument("--output-dir", help="download the outputs here (implies --wait)")
    p.add_argument("--format", default="Raw", help="output format (Raw, Csv, Yxdb, Xlsx, ...)")
    cli_jobs.add_wait_options(p)

    p = sub("job", "show a job (with --wait, wait for it to end)")
    p.add_argument("job_id")
    p.add_argument("--wait", action="store_true")
    p.add_argument("--timeout", type=float, default=None)
    p.add_argument("--poll-interval", type=float, default=2.0)
    p.add_argument("--api", choices=("v1", "v3"), default="v3")
    p.add_argument("--output-dir", help="download the outputs here")
    p.add_argument("--format", default="Raw")
    cli_jobs.add_job_options(p)
    cli_jobs.register(sub)

    p = subs.add_parser("endpoints", help="list the endpoint catalogue")
    p.add_argument("filter", nargs="?", default="", help="substring of the name or path")
    p.add_argument("--method", help="only this HTTP method")
    p.add_argument("--json", action="store_true", help="print as JSON")

    sub("doctor", "check URL, TLS, proxy, clock, credentials and role, one line each")
    return parser


def _client(args: argparse.Namespace, *, retry: RetryPolicy | None = None) -> ServerClient:
    url = args.url or os.environ.get("AYX_SERVER_URL")
    if not url:
        raise UsageError("no Server URL: pass --url or set AYX_SERVER_URL")
    key = args.key or os.environ.get("AYX_API_KEY")
    secret = args.secret or os.environ.get("AYX_API_SECRET")
    token = args.token or os.environ.get("AYX_TOKEN")
    if not token and not (key and secret):
        raise UsageError(
            "no credentials: pass --key/--secret or set AYX_API_KEY and AYX_API_SECRET "
            "(or --token / AYX_TOKEN)"
        )
    verify: bool | str = False if args.insecure else (args.ca_bundle or True)
    try:
        return ServerClient(
            url,
            key,
            secret,
            auth_type=args.auth,
            token=None if (key and secret and not args.token) else token,
            token_in_body=args.token_in_body,
            timeout=args.http_timeout,
            verify=verify,
            retry=retry,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _cmd_request(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    method = args.method.upper()
    params = _pairs(args.query, "--query")
    form = dict(_pairs(args.form, "--form"))
    files = dict(_pairs(args.file, "--file"))
    for name, path in files.items():
        if not Path(path).is_file():
            raise UsageError(f"--file {name}={path}: no such file")
    body = _read_json_arg(args.json) if args.json is not None else None
    if body is not None and (form or files):
        raise UsageError("give either --json or --form/--file, not both")
    path_params = dict(_pairs(args.path_param, "--path-param"))
    catalogue = load_catalogue()
    # PATH may be an endpoint name (its {params} from --path-param) or a concrete path.
    named = None
    if "/" not in args.path:
        try:
            named = catalogue.get(args.path)
        except KeyError:
            named = None
    if named is not None:
        if named.method != method:
            raise UsageError(f"{named.name} is a {named.method} endpoint, not {method}")
        try:
            path = named.render_path(path_params)
        except PathEscapeError as exc:
            raise UsageError(str(exc)) from None
        except ValueError as exc:
            raise UsageError(f"{exc} (give them with --path-param name=value)") from None
        multipart = named.multipart
    else:
        path = args.path.lstrip("/")
        known = catalogue.match(method, path)
        multipart = bool(known and known.multipart)
    endpoint = Endpoint(name=args.path, method=method, path=path, files=("file",) * multipart)
    with _client(args) as client:
        try:
            if args.output:
                with ExitStack() as stack:
                    sent: dict[str, Any] = {"json": body}
                    if multipart or files:
                        sent = {"files": build_multipart(stack, form, files)}
                    elif form:
                        sent = {"data": {k: encode_value(v) for k, v in form.items()}}
                    part = Path(args.output + ".part")
                    try:
                        with open(part, "wb") as fh:
                            size = client.download(
                                path, fh, method=method, params=params or None, **sent
                            )
                        os.replace(part, args.output)
                    finally:
                        part.unlink(missing_ok=True)
                print(f"wrote {args.output} ({size} bytes)", file=err)
                return EXIT_OK
            result = call_endpoint(
                client,
                endpoint,
                path_params=path_params,
                params=params or None,
                json=body,
                form=form or None,
                files=files or None,
            )
        except OSError as exc:
            raise UsageError(str(exc)) from None
    if result is not None:
        _print_json(result, out)
    return EXIT_OK


def _progress(err: TextIO) -> Callable[[Job], None]:
    last: list[str] = []

    def on_poll(job: Job) -> None:
        line = job.summary()
        if not last or last[-1] != line:
            print(line, file=err)
            last.append(line)

    return on_poll


def _finish_job(
    client: ServerClient, job: Job, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    if (args.wait or args.output_dir) and not job.done:
        job = cli_jobs.wait(client, job.id, args, _progress(err), err)
    _print_json(job.raw, out)
    if not job.done:
        return EXIT_OK
    if args.output_dir and job.outputs:
        for path in download_outputs(client, job, args.output_dir, fmt=args.format):
            print(f"downloaded {path}", file=err)
    if job.succeeded:
        for warning in job.warning_messages:
            print(f"warning: {warning}", file=err)
        return EXIT_OK
    print(f"ayx-server: {job.summary()}: the job did not succeed", file=err)
    for message in job.error_messages[1:]:
        print(f"  error: {message}", file=err)
    return EXIT_FAILED


def _cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    questions = [{"name": k, "value": v} for k, v in _pairs(args.question, "--question")]
    with _client(args) as client:
        try:
            job = start_job(
                client,
                resolve_workflow(client, args.workflow_id),
                questions,
                priority=args.priority,
                worker_tag=args.worker_tag,
                credential_id=args.credential,
                api=args.api,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(f"started {job.summary()}", file=err)
        return _finish_job(client, job, args, out, err)


def _cmd_job(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _client(args) as client:
        if args.cancel:
            return cli_jobs.cmd_cancel(client, args, out, err)
        job = get_job(client, args.job_id, api=args.api)
        return _finish_job(client, job, args, out, err)


def _cmd_endpoints(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    wanted = args.filter.lower()
    rows = [
        e
        for e in load_catalogue().all()
        if (not args.method or e.method == args.method.upper())
        and (wanted in e.name.lower() or wanted in e.path.lower())
    ]
    if args.json:
        _print_json(
            [
                {
                    "name": e.name,
                    "method": e.method,
                    "path": e.path,
                    "summary": e.summary,
                    "pathParams": list(e.path_params),
                    "query": list(e.query),
                    "form": list(e.form),
                    "files": list(e.files),
                    "body": list(e.body),
                    "multipart": e.multipart,
                    "response": e.response,
                }
                for e in rows
            ],
            out,
        )
    else:
        for e in rows:
            print(e.describe(), file=out)
        print(f"{len(rows)} endpoints", file=err)
    return EXIT_OK


# ------------------------------------------------------------------------------------ main

_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "request": _cmd_request,
    "run": _cmd_run,
    "job": _cmd_job,
    "endpoints": _cmd_endpoints,
    "doctor": lambda a, o, e: cli_doctor.cmd_doctor(_client, a, o, e),
    "jobs": lambda a, o, e: cli_jobs.cmd_jobs(_client, a, o, e),
    "orchestrate": lambda a, o, e: cli_jobs.cmd_orchestrate(_client, a, o, e),
}


def _cli_hint(exc: ApiError) -> str:
    """What the CLI adds to a core message: its own option names, the request id."""
    hint = ""
    if exc.kind == "tls":
        hint = " [give the CA bundle with --ca-bundle FILE (or REQUESTS_CA_BUNDLE)]"
    elif exc.kind == "legacy_removed":
        hint = " [use --auth oauth2 with the /webapi/ URL]"
    if exc.request_id and exc.status is not None:
        hint += f" [request id {exc.request_id}]"
    return hint


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ayx-server`; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    try:
        return _COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        print(f"ayx-server: {exc}", file=err)
        return EXIT_USAGE
    except ApiError as exc:
        print(f"ayx-server: {exc}{_cli_hint(exc)}", file=err)
        return EXIT_FAILED
    except requests.RequestException as exc:  # never expected: the core maps these
        print(f"ayx-server: HTTP failure ({type(exc).__name__})", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("ayx-server: interrupted", file=err)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
