"""The SonicOS API's errors, one class per code: raise one in the backend or a handler
and the server answers the vendor's envelope with `success: false` and that code.

Sources: E_DISABLED (403, "Service disabled.") is in the vendor's scripts (VEN);
E_INVALID_API_CALL (400) in the vendor's OpenAPI and API guide; 503 for too many
sessions in the API guide (GUIDE). The other codes are not documented anywhere
public: the status follows GUIDE's HTTP status codes, the code name is ours.
"""

from __future__ import annotations

from ..server import ApiError


class SonicOSError(ApiError):
    """Base of the unit's API errors: `status` and `code` are per class."""

    status_code: int = 500
    error_code: str = "E_INTERNAL"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(self.status_code, self.error_code, message, headers)


class InvalidApiCall(SonicOSError):
    """400 E_INVALID_API_CALL: a malformed body, an unknown field (GUIDE, O72)."""

    status_code, error_code = 400, "E_INVALID_API_CALL"


class InvalidValue(SonicOSError):
    """400 E_INVALID_VALUE: a known field with a value the unit refuses (ours: the code)."""

    status_code, error_code = 400, "E_INVALID_VALUE"


class Unauthorized(SonicOSError):
    """401 E_UNAUTHORIZED: no session, or bad credentials (ours: the code)."""

    status_code, error_code = 401, "E_UNAUTHORIZED"


class Disabled(SonicOSError):
    """403 E_DISABLED "Service disabled.": the SonicOS API is turned off (VEN)."""

    status_code, error_code = 403, "E_DISABLED"

    def __init__(self, message: str = "Service disabled.") -> None:
        super().__init__(message)


class NotConfigMode(SonicOSError):
    """403 E_NOT_CONFIG_MODE: a write from a session without config mode (ours: the code)."""

    status_code, error_code = 403, "E_NOT_CONFIG_MODE"


class HaStandby(SonicOSError):
    """403 E_HA_STANDBY: a configuration write on a pair's synchronized Backup (ours: no
    public source shows a Standby's API answer; status and code are our choice)."""

    status_code, error_code = 403, "E_HA_STANDBY"


class NotFound(SonicOSError):
    """404 E_NOT_FOUND: an unknown path or object (ours: the code)."""

    status_code, error_code = 404, "E_NOT_FOUND"


class MaxSessions(SonicOSError):
    """503 E_MAX_SESSIONS: the maximum number of sessions is exceeded (GUIDE: 503; ours:
    the code)."""

    status_code, error_code = 503, "E_MAX_SESSIONS"


class Internal(SonicOSError):
    """500 E_INTERNAL: what a simulator bug answers, as a real 500 would."""

    status_code, error_code = 500, "E_INTERNAL"


#: Every API error class, for the generated docs.
ERRORS: tuple[type[SonicOSError], ...] = (
    InvalidApiCall,
    InvalidValue,
    Unauthorized,
    Disabled,
    NotConfigMode,
    HaStandby,
    NotFound,
    MaxSessions,
    Internal,
)
