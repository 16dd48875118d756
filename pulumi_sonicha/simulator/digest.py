"""HTTP Digest authentication (RFC 7616) as a simulated unit checks it.

SonicOS 7 "session security" (on by default) asks for Digest on every request
with an incrementing nonce count (spec: GUIDE; LIVE logs in with `--digest`).
A unit so configured answers a request without valid Digest credentials with
401, an empty body and a `WWW-Authenticate: Digest` challenge (VEN's script
detects Digest exactly by that empty 401). Nonces live for `NONCE_TTL_S`; a
reused or decreasing nonce count is refused like a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from urllib.request import parse_http_list, parse_keqv_list

REALM = "SonicOS API"
ALGORITHM = "SHA-256"
NONCE_TTL_S = 600.0


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DigestChecker:
    """Issues nonces and verifies `Authorization: Digest ...` headers for one unit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nonces: dict[str, tuple[float, int]] = {}  # nonce -> (issued, last nc)
        self.opaque = secrets.token_hex(8)

    def challenge(self, stale: bool = False) -> str:
        nonce = secrets.token_hex(16)
        with self._lock:
            now = time.monotonic()
            self._nonces = {n: v for n, v in self._nonces.items() if now - v[0] < NONCE_TTL_S}
            self._nonces[nonce] = (now, 0)
        header = (
            f'Digest realm="{REALM}", qop="auth", algorithm={ALGORITHM}, nonce="{nonce}",'
            f' opaque="{self.opaque}"'
        )
        return header + (", stale=true" if stale else "")

    def verify(
        self, header: str, method: str, uri: str, username: str, password: str
    ) -> tuple[bool, bool]:
        """(valid, stale): stale means right credentials on an expired or reused nonce."""
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "digest":
            return False, False
        params = parse_keqv_list(parse_http_list(rest))
        nonce = params.get("nonce", "")
        try:
            nc = int(params.get("nc", ""), 16)
        except ValueError:
            return False, False
        if params.get("uri") != uri or params.get("qop") != "auth":
            return False, False
        ha1 = _h(f"{username}:{REALM}:{password}")
        ha2 = _h(f"{method}:{uri}")
        expected = _h(f"{ha1}:{nonce}:{params.get('nc')}:{params.get('cnonce', '')}:auth:{ha2}")
        right = hmac.compare_digest(expected, params.get("response", "")) and hmac.compare_digest(
            params.get("username", ""), username
        )
        if not right:
            return False, False
        with self._lock:
            issued = self._nonces.get(nonce)
            if issued is None or time.monotonic() - issued[0] >= NONCE_TTL_S or nc <= issued[1]:
                return False, True
            self._nonces[nonce] = (issued[0], nc)
        return True, False
