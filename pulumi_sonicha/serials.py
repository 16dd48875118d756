"""Serial numbers, spelled one way everywhere.

Units, the portal and administrators write the same serial as `2cb8-ed0a-1b2c`,
`2CB8ED0A1B2C` or `2CB8 ED0A 1B2C`; inputs, outputs, ids and comparisons all use
the 12 upper-case hex digits.
"""

from __future__ import annotations

import re


def normalize_serial(value: object) -> str:
    """`2cb8-ed0a-1b2c` -> `2CB8ED0A1B2C` (separators dropped, upper case; no validation)."""
    return re.sub(r"[\s:-]", "", str(value or "")).upper()
