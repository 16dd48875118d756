"""Secret config values in the harness: kept out of the state file and every text.

A value that equals (or contains) the value of a secret config key is written
to the state file as the engine writes a secret, with a template naming the
config key, so a later run restores it from the current config. Values the
program marks secret travel wrapped (`rpc.wrap_rpc_secret`) between program and
provider host; `unwrap_secrets`/`wrap_secrets` move between the two forms.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

from .host import PROVIDER_KEY, HarnessError, redact

_SIG_KEY = "4dabf18193072939515e22adb298388d"  # pulumi.runtime.rpc._special_sig_key
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # pulumi.runtime.rpc._special_secret_sig
_MIN_EMBEDDED_SECRET = 4  # shorter secret values are scrubbed only on exact match
# Where the provider host may get a password from instead of the stack config.
SECRET_ENV = ("SONICHA_PASSWORD", "SONICHA_PORTAL_PASSWORD")


def _unwrap_secrets(props: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Plain values, and the keys that were secret (the SDK pushes secrecy up)."""
    plain: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in props.items():
        if rpc.is_rpc_secret(value):
            secret.add(key)
        plain[key] = rpc.unwrap_rpc_secret(value)
    return plain, secret


def _wrap_secrets(props: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    keys = set(keys) - {PROVIDER_KEY}
    return {k: rpc.wrap_rpc_secret(v) if k in keys else v for k, v in props.items()}


class _Secrets:
    """The secret config values, and how they are kept out of files and texts."""

    def __init__(self, config: Mapping[str, str], secret_keys: Iterable[str]) -> None:
        self.by_key = {k: config[k] for k in secret_keys if config.get(k)}

    def redact(self, text: str) -> str:
        return redact(text, self.by_key.values())

    def leaks(self, texts: Mapping[str, str], env: Mapping[str, str] | None = None) -> list[str]:
        """Where a secret appears in plain text in `texts` (name -> text): one line per
        secret and place, naming the secret's key (or the environment variable the
        provider host got it from), never its value."""
        forms = {f"secret config value {k}": v for k, v in self.by_key.items()}
        for name in SECRET_ENV:
            if (env or {}).get(name):
                forms[f"environment variable {name}"] = env[name]  # type: ignore[index]
        return [
            f"{what} in {where}"
            for what, secret in forms.items()
            if len(secret) >= _MIN_EMBEDDED_SECRET
            for where, text in texts.items()
            if secret in text
        ]

    def _matches(self, text: str) -> list[str]:
        return [
            key
            for key, secret in self.by_key.items()
            if text == secret or (len(secret) >= _MIN_EMBEDDED_SECRET and secret in text)
        ]

    def scrub(self, value: Any) -> Any:
        """`value` fit for the state file: secret config values replaced by placeholders."""
        if isinstance(value, Unknown):
            raise HarnessError("an unknown value cannot be stored in the state file")
        if isinstance(value, str):
            keys = self._matches(value)
            if not keys:
                return value
            template = value
            for key in sorted(keys, key=lambda k: len(self.by_key[k]), reverse=True):
                template = template.replace(self.by_key[key], f"[secret:{key}]")
            return {_SIG_KEY: _SECRET_SIG, "ciphertext": "[secret]", "template": template}
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value

    def restore(self, value: Any) -> Any:
        """Undo `scrub` where the current config still holds the secret."""
        if isinstance(value, dict):
            if value.get(_SIG_KEY) == _SECRET_SIG and "template" in value:
                text = str(value["template"])
                for key, secret in self.by_key.items():
                    text = text.replace(f"[secret:{key}]", secret)
                return value if "[secret:" in text else text
            return {k: self.restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        return value

    def leaked_into_pickle(self, provider: Any) -> str | None:
        """The secret config key whose value the pickled provider contains, if any."""
        if not isinstance(provider, str):
            return None
        try:
            raw = base64.b64decode(provider)
        except ValueError:
            return None
        for key, secret in self.by_key.items():
            if len(secret) >= _MIN_EMBEDDED_SECRET and secret.encode() in raw:
                return key
        return None
