"""Provider settings: stack config namespace `sonicha`, falling back to `SONICHA_*`.

Why not resource inputs: credentials in inputs would land in the state file
and in every diff. The engine hands stack config to `ResourceProvider.configure`
(config values arrive as strings, secrets already unwrapped), so this module
parses strings only and keeps the secrets out of `repr`.
"""

from __future__ import annotations

import base64
import difflib
import math
import os
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields

from .errors import SettingsError, register_secret

DEFAULT_PORTAL_URL = "https://api.mysonicwall.com"


@dataclass(frozen=True)
class Setting:
    """One provider setting: where it is read and what it means (docs/index.md's table
    is generated from `SETTINGS`, `python -m pulumi_sonicha.docsgen`)."""

    attr: str  # the `Settings` attribute
    key: str  # the stack config key
    env: str  # the environment variable read when the key is not set
    meaning: str
    default: str  # as the docs say it (the value, or when it is required)
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("username", "sonicha:username", "SONICHA_USERNAME", "appliance admin user", "`admin`"),
    Setting(
        "password",
        "sonicha:password",
        "SONICHA_PASSWORD",
        "appliance admin password",
        "required for appliance resources",
        secret=True,
    ),
    Setting(
        "portal_username",
        "sonicha:portalUsername",
        "SONICHA_PORTAL_USERNAME",
        "MySonicWall account",
        "required for LicenseAssociation",
    ),
    Setting(
        "portal_password",
        "sonicha:portalPassword",
        "SONICHA_PORTAL_PASSWORD",
        "MySonicWall password",
        "required for LicenseAssociation",
        secret=True,
    ),
    Setting(
        "portal_url",
        "sonicha:portalUrl",
        "SONICHA_PORTAL_URL",
        "portal API origin (`https://host[:port]`); the client adds `/api/v1`",
        f"`{DEFAULT_PORTAL_URL}`",
    ),
    Setting(
        "ca_bundle",
        "sonicha:caBundle",
        "SONICHA_CA_BUNDLE",
        "PEM file trusted for appliance and portal TLS; passed on every request, so it wins"
        " over a `REQUESTS_CA_BUNDLE` in the environment",
        "system trust store",
    ),
    Setting(
        "insecure",
        "sonicha:insecure",
        "SONICHA_INSECURE",
        "`true` skips TLS verification (logs a loud warning; not for production)",
        "`false`",
    ),
    Setting(
        "timeout", "sonicha:timeout", "SONICHA_TIMEOUT", "per-request timeout, seconds", "`30`"
    ),
    Setting(
        "max_retries",
        "sonicha:maxRetries",
        "SONICHA_MAX_RETRIES",
        "retries for connection errors, 5xx and 429",
        "`4`",
    ),
    Setting(
        "override_session",
        "sonicha:overrideSession",
        "SONICHA_OVERRIDE_SESSION",
        "a write may preempt whoever holds config mode (their unsaved changes are lost);"
        " reads never need it",
        "`false`",
    ),
)
_KEYS: tuple[tuple[str, str, str], ...] = tuple((s.attr, s.key, s.env) for s in SETTINGS)
CONFIG_KEY = {attr: key for attr, key, _ in _KEYS}
ENV_VAR = {attr: env for attr, _, env in _KEYS}
#: The stack config namespace that is ours: every key in it must be a setting above.
#: Other namespaces (`ha:` of the examples, a program's own) belong to the program.
NAMESPACE = "sonicha"


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
        config_keys: Iterable[str] = (),
    ) -> Settings:
        """Read each setting from stack config, else the environment, else the default.

        `config_keys` (every key of the stack config, when known) are checked first:
        a misspelled `sonicha:` key is an error, not a setting silently left out.
        """
        check_config_keys(config_keys)
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


def check_config_keys(keys: Iterable[str]) -> None:
    """Refuse `sonicha:` keys that are not settings, suggesting the closest one.

    A misspelled `sonicha:pasword` would otherwise be ignored and the run fail later
    for "no password" (or, for `sonicha:insecure` or `overrideSession`, silently
    behave otherwise than asked). Key names only: values may be secrets.
    """
    known = list(CONFIG_KEY.values())
    by_name = {key.partition(":")[2].lower(): key for key in known}
    problems = []
    for key in sorted(set(keys)):
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE or key in known:
            continue
        close = difflib.get_close_matches(name.lower(), list(by_name), n=1, cutoff=0.7)
        hint = f"did you mean {by_name[close[0]]}?" if close else "it is not a setting"
        problems.append(f"{key} ({hint})")
    if problems:
        raise SettingsError(
            f"unknown provider setting{'s' if len(problems) > 1 else ''} in the stack config:"
            f" {'; '.join(problems)}. Rename it (`pulumi config rm KEY`, then"
            " `pulumi config set` the right one). Settings in the `sonicha` namespace: "
            + ", ".join(known)
        )


def unknown_env_vars(environ: Mapping[str, str]) -> list[str]:
    """`SONICHA_*` variables that are not settings (the simulator's `SONICHA_SIM_*` aside),
    each with the closest setting's variable: for a warning, since the environment is
    shared with other tools and shells."""
    known = list(ENV_VAR.values())
    found = []
    for name in sorted(environ):
        if not name.startswith("SONICHA_") or name in known or name.startswith("SONICHA_SIM_"):
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}?" if close else "not a setting"
        found.append(f"{name} ({hint})")
    return found


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
        _require_pem(where, text)
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


def _require_pem(where: str, path: str) -> None:
    """A CA bundle must be PEM; a DER file or a key would fail later as "not trusted"."""
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise SettingsError(f"{where}: cannot read CA bundle {path!r}: {exc.strerror}") from None
    if b"-----BEGIN CERTIFICATE-----" not in content:
        raise SettingsError(
            f"{where}: {path!r} is not a PEM CA bundle (no -----BEGIN CERTIFICATE-----"
            " block). Give the CA certificate(s) in PEM; a DER file converts with"
            " `openssl x509 -inform der -in CA.der -out CA.pem`"
        )
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except ssl.SSLError as exc:
        raise SettingsError(
            f"{where}: {path!r} looks like PEM but holds no certificate TLS can use"
            f" ({exc.reason or exc}); give the PEM of the CA that signed the units' certificates"
        ) from None
