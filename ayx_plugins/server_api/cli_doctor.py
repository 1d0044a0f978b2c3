"""`ayx-server doctor`: one line per check (URL, proxy, TLS, API, clock, credentials, role)."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

import requests

from .client import ServerClient
from .errors import ApiError, AuthenticationError, PermissionDeniedError
from .retry import RetryPolicy
from .sessions import configure_session, system_ssl_context
from .urls import AuthType, parse_base_url
from .values import server_clock_offset

__all__ = ["cmd_doctor"]

EXIT_OK, EXIT_FAILED = 0, 1
MakeClient = Callable[..., ServerClient]




class _Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed = False

    def line(self, level: str, check: str, text: str) -> None:
        if level == "FAIL":
            self.failed = True
        print(f"{level:<4} {check:<12} {text}", file=self.out)


def _redact_proxy(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return url


def _probe(
    session: requests.Session, url: str, verify: bool | str, timeout: float
) -> requests.Response:
    return session.get(url, timeout=timeout, verify=verify, allow_redirects=False)


def cmd_doctor(
    make_client: MakeClient, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    """`ayx-server doctor`: URL, proxy, TLS, API family, clock, credentials, role."""
    rep = _Report(out)
    url = args.url or os.environ.get("AYX_SERVER_URL")
    if not url:
        rep.line("FAIL", "url", "no Server URL: pass --url or set AYX_SERVER_URL")
        return EXIT_FAILED
    try:
        base = parse_base_url(url)
    except ValueError as exc:
        rep.line("FAIL", "url", str(exc))
        return EXIT_FAILED
    auth = args.auth or ("oauth2" if args.token else base.default_auth)
    rep.line("OK", "url", f"{url} -> API base {base.api_base(auth)} ({auth})")

    proxies = requests.utils.get_environ_proxies(base.origin)
    scheme = urlsplit(base.origin).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if proxy:
        no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or "-"
        rep.line(
            "OK", "proxy", f"{_redact_proxy(proxy)} from the environment (NO_PROXY: {no_proxy})"
        )
    else:
        rep.line("OK", "proxy", "none: direct connection (set HTTPS_PROXY if one is required)")

    verify: bool | str = False if args.insecure else (args.ca_bundle or True)
    timeout = min(float(args.http_timeout), 15.0)
    session = requests.Session()
    configure_session(session, pool_size=2, ssl_context=system_ssl_context())
    try:
        start = time.time()
        try:
            first = _probe(session, base.webapi + "v3/workflows", verify, timeout)
        except requests.exceptions.SSLError:
            rep.line(
                "FAIL",
                "tls",
                f"TLS with {base.origin} failed (an untrusted certificate, or no https on this "
                "port): for a private CA pass its PEM with --ca-bundle (or REQUESTS_CA_BUNDLE); "
                "make sure the Server sends its intermediate certificates",
            )
            return EXIT_FAILED
        except requests.RequestException as exc:
            rep.line(
                "FAIL",
                "reach",
                f"{base.origin} does not answer ({type(exc).__name__}): "
                "check the host name, port, VPN/firewall and the proxy above",
            )
            return EXIT_FAILED
        if scheme == "https":
            how = f"CA bundle {args.ca_bundle}" if args.ca_bundle else "the system's trust store"
            if args.insecure:
                rep.line("WARN", "tls", "certificate NOT verified (--insecure): use --ca-bundle")
            else:
                rep.line("OK", "tls", f"certificate chain verified ({how})")
        else:
            rep.line(
                "WARN",
                "tls",
                "plain http: secrets and tokens cross the network "
                "unencrypted; use the https:// URL if the Server has one",
            )

        webapi = first.status_code in (200, 401, 403)
        try:
            legacy_resp = _probe(
                session, base.gallery_api + "v1/workflows/subscription/", verify, timeout
            )
            # A 2022.1+ Server answers /gallery/api/ with its web app's HTML page: not the API.
            legacy = legacy_resp.status_code in (200, 400, 401, 403) and (
                "html" not in (legacy_resp.headers.get("Content-Type") or "").lower()
            )
        except requests.RequestException:
            legacy = False
        families = []
        if webapi:
            families.append("/webapi/ (OAuth 2, Server 2021.4+)")
        if legacy:
            families.append("/gallery/api/ (OAuth 1.0a, Server before 2022.1)")
        if not families:
            rep.line(
                "FAIL",
                "api",
                f"neither /webapi/ nor /gallery/api/ answers under "
                f"{base.origin}{base.prefix}: is this the Server's address (not Designer's "
                "or a load balancer's health page)?",
            )
            return EXIT_FAILED
        rep.line("OK", "api", "answering: " + "; ".join(families))
        if auth == "oauth2" and not webapi:
            rep.line(
                "FAIL",
                "api",
                "OAuth 2 was chosen but /webapi/ does not answer: the "
                "Server predates 2021.4; use --auth oauth1 and the /gallery/api/ URL",
            )
        if auth == "oauth1" and not legacy:
            rep.line(
                "FAIL",
                "api",
                "OAuth 1.0a was chosen but /gallery/api/ is gone: the "
                "Server is 2022.1+; use --auth oauth2 and the /webapi/ URL with API "
                "access keys",
            )

        measured = server_clock_offset(first.headers.get("Date"), start, time.time())
        if measured is not None:
            offset = measured
            side = "behind" if offset > 0 else "ahead of"
            text = f"this machine's clock is {abs(offset):.0f} s {side} the Server's"
            if abs(offset) < 1:
                text = "this machine's clock agrees with the Server's (within 1 s)"
            if abs(offset) < 60:
                rep.line("OK", "clock", text)
            elif auth == "oauth1":
                rep.line(
                    "WARN",
                    "clock",
                    text + ": OAuth 1.0a allows about 5 minutes; "
                    "ayx-server corrects it from the Date header, but set the clock right "
                    "(NTP); the time zone does not matter",
                )
            else:
                rep.line(
                    "WARN",
                    "clock",
                    text + ": token expiry times will look odd; set the clock right (NTP)",
                )
        else:
            rep.line("WARN", "clock", "the Server sent no Date header: cannot check the clock")
    finally:
        session.close()
    if rep.failed:
        return EXIT_FAILED

    try:
        client = make_client(args, retry=RetryPolicy(max_retries=1, backoff_base=0.2))
    except Exception as exc:  # the CLI's usage error: no URL or credentials
        rep.line("FAIL", "credentials", str(exc))
        return EXIT_FAILED
    with client:
        _doctor_credentials(client, args, rep, legacy)
        if not rep.failed and client.auth_type == "oauth2":
            _doctor_role(client, rep)
    return EXIT_FAILED if rep.failed else EXIT_OK


def _doctor_credentials(
    client: ServerClient, args: argparse.Namespace, rep: _Report, legacy: bool
) -> None:
    try:
        client.verify_credentials()
    except ApiError as exc:
        other = _other_family_accepts(client, args, legacy)
        if other == "oauth1":
            rep.line(
                "FAIL",
                "credentials",
                "these are legacy keys (a Private Studio key or an "
                "OAuth 1.0a key): they work on /gallery/api/ but not for OAuth 2. Create an "
                "API access key under My Profile > Keys, or use --auth oauth1 with the "
                "/gallery/api/ URL while the Server still has it",
            )
        elif other == "oauth2":
            rep.line(
                "FAIL",
                "credentials",
                "these are API access keys (OAuth 2): use --auth oauth2 with the /webapi/ URL",
            )
        else:
            rep.line("FAIL", "credentials", f"refused: {exc}")
        return
    if client.auth_type == "oauth2" and not args.token:
        token = client.token()
        left = max(0.0, token.expires_in)
        rep.line(
            "OK",
            "credentials",
            f"API access key works (OAuth 2 token issued, valid "
            f"{left:.0f} s; reused and refreshed automatically)",
        )
    elif client.auth_type == "oauth2":
        rep.line("OK", "credentials", "the bearer token is accepted")
    else:
        rep.line("OK", "credentials", "the key signs valid OAuth 1.0a requests on /gallery/api/")


def _other_family_accepts(
    client: ServerClient, args: argparse.Namespace, legacy: bool
) -> str | None:
    key = args.key or os.environ.get("AYX_API_KEY")
    secret = args.secret or os.environ.get("AYX_API_SECRET")
    if not (key and secret):
        return None
    verify: bool | str = False if args.insecure else (args.ca_bundle or True)
    other: AuthType = "oauth1" if client.auth_type == "oauth2" else "oauth2"
    if other == "oauth1" and not legacy:
        return None
    url = client.base.api_base(other)
    try:
        with ServerClient(
            url,
            key,
            secret,
            auth_type=other,
            verify=verify,
            timeout=min(args.http_timeout, 15.0),
            retry=RetryPolicy.none(),
        ) as probe:
            probe.verify_credentials()
    except ApiError:
        return None
    return other


def _doctor_role(client: ServerClient, rep: _Report) -> None:
    try:
        client.request("GET", "v3/workflows", params={"view": "Default"})
        rep.line("OK", "workflows", "the key may list workflows (v3)")
    except (AuthenticationError, PermissionDeniedError):
        rep.line(
            "WARN",
            "workflows",
            "listing v3 workflows is denied: the role is probably "
            "Viewer/Member; running workflows needs Artisan or more",
        )
    except ApiError as exc:
        rep.line("WARN", "workflows", f"GET v3/workflows failed: {exc}")
    try:
        client.request("GET", "v3/users", params={"view": "Default"})
        rep.line("OK", "role", "the role reaches the v3 admin endpoints (Curator)")
    except (AuthenticationError, PermissionDeniedError):
        rep.line(
            "WARN",
            "role",
            "the v3 admin endpoints (users, groups, credentials, ...) are "
            "denied: the role is below Curator. Running jobs and workflow calls still work; "
            "ask an admin for Curator if you need the admin endpoints",
        )
    except ApiError as exc:
        rep.line("WARN", "role", f"GET v3/users failed: {exc}")
