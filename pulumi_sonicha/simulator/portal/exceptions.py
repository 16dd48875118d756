"""The portal API's errors, one class per code (`{"error": {"code", "message"}}`): the
codes the portal's API reference names, and ours where it is silent (a missing or
unknown token is UNAUTHORIZED, a malformed body or serial INVALID_REQUEST)."""

from __future__ import annotations

from ..server import ApiError


class PortalError(ApiError):
    """Base of the portal's errors: `status` and `code` are per class."""

    status_code: int = 500
    error_code: str = "INTERNAL_ERROR"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(self.status_code, self.error_code, message, headers)


class InvalidRequest(PortalError):
    """400: a malformed body or serial (ours)."""

    status_code, error_code = 400, "INVALID_REQUEST"


class InvalidCredentials(PortalError):
    status_code, error_code = 401, "INVALID_CREDENTIALS"


class Unauthorized(PortalError):
    """401: a missing or unknown bearer token (ours)."""

    status_code, error_code = 401, "UNAUTHORIZED"


class TokenExpired(PortalError):
    status_code, error_code = 401, "TOKEN_EXPIRED"


class ProductNotRegistered(PortalError):
    status_code, error_code = 404, "PRODUCT_NOT_REGISTERED"


class NotFound(PortalError):
    status_code, error_code = 404, "NOT_FOUND"


class AlreadyAssociated(PortalError):
    status_code, error_code = 409, "ALREADY_ASSOCIATED"


class ModelMismatch(PortalError):
    status_code, error_code = 422, "MODEL_MISMATCH"


class SameProduct(PortalError):
    status_code, error_code = 422, "SAME_PRODUCT"


#: 429 with Retry-After: injected by `rate_limit()` as a fault, not raised.
RATE_LIMITED = (429, "RATE_LIMITED")

ERRORS: tuple[type[PortalError], ...] = (
    InvalidRequest,
    InvalidCredentials,
    Unauthorized,
    TokenExpired,
    ProductNotRegistered,
    NotFound,
    AlreadyAssociated,
    ModelMismatch,
    SameProduct,
)
