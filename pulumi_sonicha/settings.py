"""Provider settings: stack config namespace `sonicha`, falling back to `SONICHA_*`.

Why not resource inputs: credentials in inputs would land in the state file
and in every diff. The engine hands stack config to `ResourceProvider.configure`
(config values arrive as strings, secrets already unwrapped), so this module
parses strings only and keeps the secrets out of `repr`.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields

from .errors import SettingsError, register_secret

DEFAULT_PORTAL_URL = "https://api.mysonicwall.com"

# (attribute, config key, environment variable)
_KEYS: tuple[tuple[str, str, str], ...] = (
    ("username", "sonicha:username", "SONICHA_USERNAME"),
    ("password", "sonicha:password", "SONICHA_PASSWORD"),
    ("portal_username", "sonicha:portalUsername", "SONICHA_PORTAL_USERNAME"),
    ("portal_password", "sonicha:portalPassword", "SONICHA_PORTAL_PASSWORD"),
    ("portal_url", "sonicha:portalUrl", "SONICHA_PORTAL_URL"),
    ("ca_bundle", "sonicha:caBundle", "SONICHA_CA_BUNDLE"),
    ("insecure", "sonicha:insecure", "SONICHA_INSECURE"),
    ("timeout", "sonicha:timeout", "SONICHA_TIMEOUT"),
    ("max_retries", "sonicha:maxRetries", "SONICHA_MAX_RETRIES"),
    ("override_session", "sonicha:overrideSession", "SONICHA_OVERRIDE_SESSION"),
)
CONFIG_KEY = {attr: key for attr, key, _ in _KEYS}
ENV_VAR = {attr: env for attr, _, env in _KEYS}


@dataclass(frozen=True)
class Settings:
    """Everything a client needs to reach a unit or the portal."""

    username: str = "admin"
    password: str | None = field(default=None, repr=False)
    portal_username: str | None = None
    portal_password: str | None = field(default=None, repr=False)
    portal_url: str = DEFAULT_PORTAL_URL
    ca_bundle: str | None = None
    insecure: bool = False
    timeout: float = 30.0
    max_retries: int = 4
    override_session: bool = False
    # Seconds between retries grow as backoff_factor * 2**n; tests shrink it.
    backoff_factor: float = 0.5

    def __post_init__(self) -> None:
        # However built (stack config, or directly by a script or test), the settings make
        # `redact()` scrub their credentials, also in the Basic-auth form a server may echo.
        register_secret(self.password)
        register_secret(self.portal_password)
        if self.password:
            for encoding in ("latin-1", "utf-8"):  # requests sends latin-1 when it can
                try:
                    basic = f"{self.username}:{self.password}".encode(encoding)
                except UnicodeEncodeError:
                    continue
                register_secret(base64.b64encode(basic).decode("ascii"))

    @property
    def verify(self) -> bool | str:
        """The `verify=` value for every request (never only on the Session: see client notes)."""
        if self.insecure:
            return False
        return self.ca_bundle or True

    def require_password(self) -> str:
        if not self.password:
            raise SettingsError(
                "no appliance password: set it with `pulumi config set --secret sonicha:password`"
                " (or the SONICHA_PASSWORD environment variable)"
            )
        return self.password

    def require_portal_credentials(self) -> tuple[str, str]:
        if not self.portal_username or not self.portal_password:
            raise SettingsError(
                "no MySonicWall credentials: set `sonicha:portalUsername` and"
                " `pulumi config set --secret sonicha:portalPassword`"
                " (or SONICHA_PORTAL_USERNAME / SONICHA_PORTAL_PASSWORD)"
            )
        return self.portal_username, self.portal_password

    @classmethod
    def load(
        cls,
        config_get: Callable[[str], object | None] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Read each setting from stack config, else the environment, else the default."""
        environ = os.environ if environ is None else environ
        raw: dict[str, str] = {}
        for attr, key, env in _KEYS:
            value = config_get(key) if config_get else None
            if value is None or value == "":
                value = environ.get(env)
            if value is not None and value != "":
                raw[attr] = str(value)
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            values[f.name] = _parse(f.name, raw[f.name])
        return cls(**values)  # type: ignore[arg-type]


def _parse(attr: str, text: str) -> object:
    where = f"{CONFIG_KEY[attr]} / {ENV_VAR[attr]}"
    if attr in ("insecure", "override_session"):
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise SettingsError(f"{where} must be true or false, got {text!r}")
    if attr == "timeout":
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if not math.isfinite(number) or number <= 0:
            raise SettingsError(f"{where} must be a positive number of seconds, got {text!r}")
        return number
    if attr == "max_retries":
        if not text.strip().isdigit():
            raise SettingsError(f"{where} must be a whole number >= 0, got {text!r}")
        return int(text)
    if attr == "ca_bundle":
        if not os.path.isfile(text):
            raise SettingsError(f"{where}: CA bundle file {text!r} does not exist")
        return text
    if attr == "portal_url":
        url = text.strip().rstrip("/")
        if not url.startswith("https://"):
            url = "https://" + url.removeprefix("http://")
        if "/" in url.removeprefix("https://"):
            raise SettingsError(
                f"{where} is the portal's origin only (scheme, host, port, e.g."
                f" https://portal.example:8443); the client adds /api/v1. Got {text!r}"
            )
        return url
    return text
