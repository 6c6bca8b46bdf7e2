"""The errors of xero_client: a small typed hierarchy, each carrying Xero's own message.

No message or repr ever contains a token, a client secret or an Authorization header (REL-7):
errors are built from Xero's answer bodies and our own words only.
"""

from __future__ import annotations

from datetime import datetime


class XeroError(Exception):
    """Base class. `.message` is Xero's message (or ours when Xero gave none); `.status` the HTTP status."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class ValidationFailed(XeroError):
    """A 400 ValidationException: `.elements` are Xero's elements, each with its `ValidationErrors`."""

    def __init__(self, elements: list[dict] | None = None, message: str = "A validation exception occurred",
                 *, status: int | None = 400):
        self.elements = list(elements or [])
        details = "; ".join(self.messages)
        super().__init__(f"{message}: {details}" if details else message, status=status)

    @property
    def messages(self) -> list[str]:
        out = []
        for element in self.elements:
            for err in element.get("ValidationErrors") or []:
                if isinstance(err, dict) and err.get("Message"):
                    out.append(str(err["Message"]))
        return out


class AuthError(XeroError):
    """401/403 from the API, or a refused token request."""


class InvalidGrant(AuthError):
    """The token endpoint answered `invalid_grant`: the refresh token is dead, the link needs reconnecting (CONN-3)."""


class NotFound(XeroError):
    """404: the document does not exist in this organisation."""


class RateLimited(XeroError):
    """429 for the minute, concurrent or app-minute limit, still refused after the retries (REL-1)."""

    def __init__(self, retry_after: float, problem: str | None, message: str = "Rate limit exceeded",
                 *, status: int | None = 429):
        super().__init__(f"{message} ({problem or 'unknown'} limit; retry after {retry_after:g} s)", status=status)
        self.retry_after = retry_after
        self.problem = problem


class DailyLimitReached(XeroError):
    """429 with X-Rate-Limit-Problem: day. `.retry_at` (aware UTC) is when the day window reopens (REL-1)."""

    def __init__(self, retry_at: datetime, message: str = "Daily call limit reached", *, status: int | None = 429):
        super().__init__(f"{message}; retry at {retry_at.isoformat()}", status=status)
        self.retry_at = retry_at


class TransientError(XeroError):
    """Timeouts, connection resets and 500/502/503/504 that outlasted the retries (REL-2)."""


class MalformedResponse(XeroError):
    """Xero's answer could not be understood: not JSON, an HTML error page, or the wrong shape (REL-6)."""
