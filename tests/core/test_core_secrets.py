"""No secret (API secret, token) in a log line, an exception message, a repr or CLI output."""

from __future__ import annotations

import logging

import pytest

from ayx_plugins.server_api import ApiError, ServerClient, get_job
from ayx_plugins.server_api.cli import main
from ayx_server_emulator import EmulatorServer


def test_secrets_never_leak(
    emulator: EmulatorServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = emulator.user("Viewer")
    texts: list[str] = []
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret) as client:
        token = client.token()
        texts += [repr(client), repr(client.auth), repr(token), str(token), repr(client.stats)]
        emulator.faults.error(503, count=1, method="GET")
        for call in (
            lambda: client.request_json("GET", "v3/users"),
            lambda: get_job(client, "0123456789abcdef01234567"),
        ):
            try:
                call()
            except ApiError as exc:
                texts += [str(exc), repr(exc), str(exc.body), str(exc.url)]
        emulator.expire_tokens()
        try:
            client.request_json("GET", "v3/workflows")
        except ApiError as exc:
            texts += [str(exc), repr(exc)]
    with ServerClient(emulator.webapi_url, user.api_key, "wrong" + user.api_secret) as bad:
        try:
            bad.verify_credentials()
        except ApiError as exc:
            texts += [str(exc), repr(exc), repr(bad.auth)]
    curator = emulator.user("Curator")
    oauth1 = ServerClient(emulator.gallery_url, curator.studio_key, curator.studio_secret)
    texts += [repr(oauth1), repr(oauth1.auth)]
    oauth1.request_json("GET", "v1/workflows/subscription/")
    given = ServerClient(emulator.webapi_url, token=token.access_token)
    texts += [repr(given), repr(given.auth), repr(given.token())]

    monkeypatch.setenv("AYX_SERVER_URL", emulator.url)
    monkeypatch.setenv("AYX_API_KEY", user.api_key)
    monkeypatch.setenv("AYX_API_SECRET", user.api_secret)
    main(["doctor"])
    main(["request", "GET", "v3/users"])
    out, err = capsys.readouterr()
    texts += [out, err, caplog.text]
    blob = "\n".join(texts)
    assert "denied" in blob  # the run did produce errors and messages
    for secret in (user.api_secret, curator.studio_secret, token.access_token):
        assert secret not in blob
