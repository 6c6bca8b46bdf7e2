"""Errors raised by the Procore client.

Every error carries ``status`` (the HTTP status, or None for network faults) and ``message``
(Procore's own message where it sent one). Messages and reprs never contain a token, a client
secret or a request body (REL-7).
"""

from __future__ import annotations

from typing import Any


class ProcoreError(Exception):
    """Base class: ``status`` (int | None), ``message`` (str), ``errors`` (field errors, if any)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Any = None,
        method: str | None = None,
        path: str | None = None,
    ):
        self.message = message
        self.status = status
        self.errors = errors
        self.method = method
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        status = f"[{self.status}] " if self.status is not None else ""
        return f"{status}{where}{self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class AuthError(ProcoreError):
    """401/403, or an OAuth failure (bad client credentials, not connected)."""


class InvalidGrant(AuthError):
    """The authorization code or refresh token is dead: the link needs a reconnect (CONN-3)."""


class Forbidden(AuthError):
    """403: missing permission, tool disabled, app not connected to the company."""


class BadRequest(ProcoreError):
    """400: a missing parameter (e.g. the Procore-Company-Id header)."""


class NotFound(ProcoreError):
    """404 (Procore also answers 404 when the user lacks read access)."""


class Conflict(ProcoreError):
    """409: concurrent edit (direct costs) or another conflict."""


class Unprocessable(ProcoreError):
    """422: a business rule refused the write (origin_id clash, record locked by origin_id, bad field)."""


class TransientError(ProcoreError):
    """A timeout, connection error or 5xx that outlived the retries (REL-2).

    ``committed_unknown`` is True when a non-idempotent write may have been committed
    before the answer was lost: reconcile (e.g. look the record up by origin_id) before retrying.
    """

    def __init__(self, message: str, *, committed_unknown: bool = False, **kwargs: Any):
        self.committed_unknown = committed_unknown
        super().__init__(message, **kwargs)


class RateLimited(TransientError):
    """429 that outlived the patience of the client (REL-1); ``reset_at`` is a Unix time or None."""

    def __init__(self, message: str, *, reset_at: float | None = None, **kwargs: Any):
        self.reset_at = reset_at
        super().__init__(message, **kwargs)


class MalformedResponse(ProcoreError):
    """An answer that is not the JSON shape Procore documents (HTML page, bad JSON, wrong type)."""


__all__ = [
    "AuthError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "InvalidGrant",
    "MalformedResponse",
    "NotFound",
    "ProcoreError",
    "RateLimited",
    "TransientError",
    "Unprocessable",
]
