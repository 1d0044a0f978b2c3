"""Secrets out of every text the core hands back: the secret, tokens, Basic values and encodings.

A Server, a WAF or a gateway page may echo the request (`Authorization: Bearer ...`, the
base64 of `key:secret`, a form body with `client_secret=...`). The client registers every secret
it holds or receives here, in each form it may travel in, and scrubs every error text and body.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Scrubber", "secret_forms"]

MASK = "***"
_MIN_LEN = 4  # shorter values would mask ordinary words


def _forms(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    raw = secret.encode("utf-8")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms.update({text, text.rstrip("=")})
    return {f for f in forms if len(f) >= _MIN_LEN}


def secret_forms(*secrets: str | None, basic: tuple[str, str] | None = None) -> set[str]:
    """Every text form the secrets (and the Basic value of `basic` = (user, password)) may take
    in an echoed page: themselves, URL-, JSON- and base64-encoded. What `Scrubber` masks."""
    scrub = Scrubber(*secrets)
    if basic is not None:
        scrub.add_basic(*basic)
    return set(scrub.forms)


class Scrubber:
    """A thread-safe set of secrets; calling it replaces each of their forms with `***`."""

    def __init__(self, *secrets: str | None) -> None:
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a secret: itself, URL-, JSON- and base64-encoded."""
        if secret and len(secret) >= _MIN_LEN:
            self._extend(_forms(secret))

    def add_basic(self, user: str, password: str) -> None:
        """Register the HTTP Basic value of `user:password` (as requests and curl send it)."""
        pairs = {f"{user}:{password}", f"{quote(user, safe='')}:{quote(password, safe='')}"}
        forms: set[str] = set()
        for pair in pairs:
            for codec in ("utf-8", "latin-1"):
                try:
                    raw = pair.encode(codec)
                except UnicodeEncodeError:
                    continue
                text = base64.b64encode(raw).decode("ascii")
                forms.update({text, text.rstrip("=")})
        self._extend({f for f in forms if len(f) >= _MIN_LEN})
        self.add(password)

    def _extend(self, forms: set[str]) -> None:
        with self._lock:
            # Longest first: a secret's base64 form must go before a shorter form inside it.
            merged = set(self._forms) | forms
            self._forms = tuple(sorted(merged, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        """`text` with every registered form replaced by `***`."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    @property
    def forms(self) -> tuple[str, ...]:
        """The registered forms, longest first."""
        return self._forms

    def __len__(self) -> int:
        return len(self._forms)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._forms)} forms)"
