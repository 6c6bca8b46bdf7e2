"""Procore's rate limits (api/procore.md §5, REL-1): the ``X-Rate-Limit-*`` window and ``Retry-After``.

Every answer carries ``X-Rate-Limit-Limit``, ``-Remaining`` and ``-Reset`` (Unix seconds); the client
spreads what is left of the window over the time left, and waits for the reset once it is spent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class RateLimitState:
    """The last ``X-Rate-Limit-*`` headers seen (REL-1)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # Unix seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitState | None:
        """The window an answer reports, or None when it reports none."""
        limit, remaining = _number(headers, "X-Rate-Limit-Limit"), _number(headers, "X-Rate-Limit-Remaining")
        if limit is None or remaining is None:
            return None
        return cls(int(limit), int(remaining), _number(headers, "X-Rate-Limit-Reset"))

    def pause(self, now: float, slowdown_fraction: float) -> tuple[float, bool] | None:
        """How long to wait before the next call and whether the window is spent; None: no wait.

        A spent window waits for its reset; one with fewer than ``slowdown_fraction`` of its calls left
        spreads them over the time left."""
        if self.limit is None or self.remaining is None or self.reset is None:
            return None
        left = self.reset - now
        if left <= 0:
            return None
        if self.remaining <= 0:
            return left, True
        if self.remaining < max(2, self.limit * slowdown_fraction):
            return left / self.remaining, False
        return None

    def reserve_wait(self, now: float, reserve_fraction: float) -> float | None:
        """Seconds until the window resets when no more than ``reserve_fraction`` of it is left (the
        share kept for other work), else None: a caller that must not eat into the reserve waits or stops."""
        if self.limit is None or self.remaining is None or self.reset is None:
            return None
        if self.remaining > max(1, int(self.limit * reserve_fraction)):
            return None
        return max(0.0, self.reset - now)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a ``Retry-After`` header asks for, or None."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
