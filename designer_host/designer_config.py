"""What Designer stores for a tool: the configuration XML and its (reversibly) encrypted secrets.

Designer encrypts a panel's `Secrets` and hands the tool only the encrypted text, which the tool
decrypts through `provider.io.decrypt_password` (a round trip to the engine). This host plays
both sides with a reversible stand-in, so a test can check the tool really asked to decrypt.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from xml.sax.saxutils import escape

_PREFIX = "ENC:"


def encrypt(secret: str) -> str:
    """What the fake Designer stores for a secret (`decrypt` reverses it)."""
    return _PREFIX + base64.b64encode(secret.encode()).decode()


def decrypt(text: str) -> str:
    """Designer's answer to a decrypt-password request."""
    if not text.startswith(_PREFIX):
        raise ValueError("the tool must send the stored (encrypted) text")
    return base64.b64decode(text[len(_PREFIX):]).decode()


def config_xml(secret: str | None = None, **values: Any) -> str:
    """A tool configuration as Designer writes it: <Configuration> + encrypted Secrets."""
    parts = []
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            text = json.dumps(value)
        else:
            text = str(value)
        parts.append(f"<{key}>{escape(text)}</{key}>")
    if secret is not None:
        parts.append(
            f"<Secrets><apiSecret><text>{escape(encrypt(secret))}</text>"
            "<encryptionMode>obfuscation</encryptionMode><encrypted>true</encrypted>"
            "</apiSecret></Secrets>"
        )
    return "<Configuration>" + "".join(parts) + "</Configuration>"


def panel_config(secret: str | None = None, **values: Any) -> dict[str, Any]:
    """A panel's saved `model.Configuration` as Designer holds it (the secret encrypted in
    `Secrets`); `run_tool` and `run_inprocess` take it and apply Designer's Json.NET step."""
    config: dict[str, Any] = dict(values)
    if secret is not None:
        config["Secrets"] = {SECRET_KEY: {"text": encrypt(secret), "encryptionMode": "obfuscation",
                                          "encrypted": True}}
    return config


SECRET_KEY = "apiSecret"
