"""Sessions: the client's adapter (pool size, the OS trust store) and User-Agent on any session."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import requests
from requests.adapters import HTTPAdapter

__all__ = ["USER_AGENT", "ServerAdapter", "configure_session", "system_ssl_context"]

USER_AGENT = "alteryx-server-tools/0.1 (+ayx_plugins.server_api)"


@functools.lru_cache(maxsize=1)
def system_ssl_context() -> ssl.SSLContext | None:
    """The SSL context on the operating system's trust store (truststore), None without it.

    One per process: contexts are thread-safe, and building one per client would cost time.
    """
    try:
        import truststore
    except ImportError:  # pragma: no cover - a dependency; certifi's bundle is the fallback
        return None
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class ServerAdapter(HTTPAdapter):
    """An HTTPAdapter with the client's pool size that verifies with the OS trust store.

    `verify=True` uses `ssl_context` (the OS store: on Windows the certificate store a private CA
    is usually already in); a CA-bundle path or `verify=False` behave as in plain requests.
    """

    def __init__(self, pool_size: int, ssl_context: ssl.SSLContext | None) -> None:
        self._ssl_context = ssl_context
        self.pool_size = pool_size
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> Any:
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        if verify is True and self._ssl_context is not None:
            pool["ssl_context"] = self._ssl_context
        return host, pool


def configure_session(
    session: requests.Session, *, pool_size: int, ssl_context: ssl.SSLContext | None
) -> ServerAdapter:
    """Give a session (own or handed in) the client's adapter and, unless set, its User-Agent.

    A session shared by several clients keeps the adapter the first one mounted when it is as
    large (re-mounting would drop the pooled connections of the clients before).
    """
    current = session.adapters.get("https://")
    if (
        isinstance(current, ServerAdapter)
        and current.pool_size >= pool_size
        and current._ssl_context is ssl_context
        and session.adapters.get("http://") is current
    ):
        adapter = current
    else:
        replaced = {id(a): a for a in (current, session.adapters.get("http://")) if a is not None}
        adapter = ServerAdapter(pool_size, ssl_context)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        for old in replaced.values():
            if old not in session.adapters.values():
                old.close()  # its idle pooled connections would otherwise hold sockets
    agent = str(session.headers.get("User-Agent") or "")
    if not agent or agent.startswith("python-requests"):
        session.headers["User-Agent"] = USER_AGENT
    return adapter
