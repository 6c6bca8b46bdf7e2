"""What Procore answers: JSON bodies, Procore's own error messages, and the results of sync actions.

Error bodies come in several shapes (api/procore.md §5): ``{"errors": "..."}``, ``{"errors": {field:
[problems]}}``, ``{"error": ...}``, ``{"message": ...}``, and sometimes an HTML page from a proxy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from .errors import (
    AuthError,
    BadRequest,
    Conflict,
    Forbidden,
    MalformedResponse,
    NotFound,
    ProcoreError,
    Unprocessable,
)

#: The exception each error status raises; any other 4xx is a plain ``ProcoreError``.
ERRORS_BY_STATUS: dict[int, type[ProcoreError]] = {
    400: BadRequest, 401: AuthError, 403: Forbidden, 404: NotFound, 409: Conflict, 422: Unprocessable,
}


@dataclass
class SyncResult:
    """What a ``/sync`` call returned over all its batches: ``entities`` and per-element ``errors``."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @staticmethod
    def reason(error: dict[str, Any]) -> str:
        """A refused element's reason in words, from its ``errors`` (a dict of field → messages, or text)."""
        problems = error.get("errors")
        if isinstance(problems, dict):
            return "; ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in problems.items())
        return str(problems or "sync element refused")


def decoded(response: requests.Response) -> Any:
    """The answer's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def _is_html(response: requests.Response) -> bool:
    return "html" in response.headers.get("Content-Type", "") or response.content.lstrip()[:1] == b"<"


def message_of(response: requests.Response) -> str:
    """Procore's own message from an error body."""
    payload = decoded(response)
    if isinstance(payload, dict):
        for key in ("errors", "error", "message"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and value:
                parts = []
                for name, problems in value.items():
                    if isinstance(problems, list):
                        problems = ", ".join(str(p) for p in problems)
                    parts.append(f"{name} {problems}" if name != "base" else str(problems))
                return "; ".join(parts)
            if isinstance(value, list) and value:
                return "; ".join(str(v) for v in value)
    if payload is None and response.content and _is_html(response):
        return f"Procore answered an HTML page (HTTP {response.status_code})"
    return response.reason or ""


def error_for(response: requests.Response, method: str, path: str) -> ProcoreError:
    """The exception an error answer (4xx) raises, with Procore's message and its ``errors``."""
    status = response.status_code
    payload = decoded(response)
    errors = payload.get("errors") if isinstance(payload, dict) else None
    cls = ERRORS_BY_STATUS.get(status, ProcoreError)
    return cls(message_of(response) or f"Procore answered {status}", status=status, errors=errors,
               method=method, path=path)


def json_of(response: requests.Response, method: str, path: str) -> Any:
    """The JSON of a successful answer (None when it has no body); an HTML page or broken JSON is a
    ``MalformedResponse`` (REL-6)."""
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        what = "an HTML page" if _is_html(response) else "invalid JSON"
        raise MalformedResponse(f"Procore answered {what} instead of JSON", status=response.status_code,
                                method=method, path=path) from None
