"""A provider's advice said for a harness user.

Providers speak to users of the Pulumi CLI: "run `pulumi up` again", "set it with
`pulumi config set --secret sonicha:password` (or the SONICHA_PASSWORD environment
variable)". The harness has no config store and its commands are spelled
`python -m pulumi_sonicha.testing up`: `for_harness` rewrites such advice in every
line the harness prints (steps, diagnostics, errors), so a harness user is never
told to run a command they do not have.
"""

from __future__ import annotations

import re

from ..settings import CONFIG_KEY, ENV_VAR

COMMAND = "python -m pulumi_sonicha.testing"
"""How a harness user runs a command (`up`, `preview`, `refresh`, `destroy`)."""

ENV_OF_KEY = {key: ENV_VAR[attr] for attr, key in CONFIG_KEY.items()}
"""`sonicha:password` -> `SONICHA_PASSWORD`: the variable each provider setting falls back to."""

# `pulumi config set [--secret] sonicha:key [value]`, with what usually follows it in
# our messages: "(or the SONICHA_X environment variable)" or "(or SONICHA_A / SONICHA_B)".
_CONFIG_SET = re.compile(
    r"`pulumi config set (?:--secret )?(sonicha:\w+)(?: [^`]*)?`"
    r"(?: \(or (?:the )?SONICHA_\w+(?: / SONICHA_\w+)*(?: environment variables?)?\))?"
)
_PLAIN_KEY_THEN_ENV = re.compile(
    r"`(sonicha:\w+)`(?= and `pulumi config set)"
)
_CONFIG_RM = re.compile(r"\(`pulumi config rm KEY`, then `pulumi config set` the right one\)")
_STATE_DELETE = re.compile(r"`pulumi state delete[^`]*`")
_COMMANDS = re.compile(r"`pulumi (up|preview|refresh|destroy)((?: --[\w-]+)*)`")


def _env(key: str) -> str:
    variable = ENV_OF_KEY.get(key)
    if variable is None:
        return f"--config {key}=..."
    return f"`export {variable}=...` (the provider host inherits the environment)"


def for_harness(text: str) -> str:
    """`text` with the CLI's commands replaced by what a harness user does instead."""
    text = _PLAIN_KEY_THEN_ENV.sub(lambda m: _env(m.group(1)), text)
    text = _CONFIG_SET.sub(lambda m: _env(m.group(1)), text)
    text = _CONFIG_RM.sub(
        "(in Pulumi.<stack>.yaml or the --config flags; SONICHA_* variables for the"
        " provider settings)",
        text,
    )
    text = _STATE_DELETE.sub("delete its entry from the harness's state file (--state)", text)
    return _COMMANDS.sub(lambda m: f"`{COMMAND} {m.group(1)}{m.group(2)}`", text)
