"""Progress lines for long waits, where a user can see them while they happen.

A Python dynamic provider runs in its own process (`python -m pulumi.dynamic`)
with no connection to the Pulumi engine: in pulumi 3.272 `pulumi.log.info()`
there finds no engine and just prints `info: ...` to stderr (sdk
`pulumi/log.py`), and the host configures no Python logging (INFO records
would be dropped). So each line goes to the "pulumi_sonicha" logger (for
programs and tests that configure logging) *and* straight to the provider
host's stderr, the stream the engine reads from a provider plugin.
"""

from __future__ import annotations

import logging
import sys

from .errors import redact

log = logging.getLogger("pulumi_sonicha")

PREFIX = "pulumi-sonicha: "


def report(message: str, level: int = logging.INFO) -> None:
    """One progress line: to the logger and, flushed at once, to stderr; scrubbed of
    every registered credential (a status text from a unit could echo one)."""
    message = redact(message)
    log.log(level, message)
    try:
        print(PREFIX + message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed: the log record is enough
        pass
