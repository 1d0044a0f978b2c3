"""TLS: the operating system's trust store by default (truststore), a CA bundle on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ayx_plugins.server_api import ServerClient, TlsError
from ayx_plugins.server_api.sessions import ServerAdapter


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(var, raising=False)


def test_the_os_trust_store_is_used_by_default(
    tls_emulator: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CA the system trusts (on Linux: SSL_CERT_FILE, which OpenSSL's store reads; certifi
    ignores it) is enough with the default verify=True: no CA-bundle setting needed."""
    emu, pem = tls_emulator
    user = emu.user("Curator")
    _clean_env(monkeypatch)
    with ServerClient(emu.url, user.api_key, user.api_secret) as client:
        adapter = client.session.get_adapter(emu.url)
        assert isinstance(adapter, ServerAdapter)
        assert type(adapter._ssl_context).__module__.startswith("truststore")
        with pytest.raises(TlsError) as info:
            client.verify_credentials()
    text = str(info.value)
    assert info.value.kind == "tls" and "CA bundle" in text
    assert "--ca-bundle" not in text and "REQUESTS_CA_BUNDLE" not in text
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    with ServerClient(emu.url, user.api_key, user.api_secret) as client:
        client.verify_credentials()


def test_a_ca_bundle_still_works(
    tls_emulator: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, pem = tls_emulator
    user = emu.user("Curator")
    _clean_env(monkeypatch)
    with ServerClient(emu.url, user.api_key, user.api_secret, verify=str(pem)) as client:
        assert client.request_json("GET", "v3/workflows") is not None
