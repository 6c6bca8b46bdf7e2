"""Per-tenant call limits of the Xero API (REL-1; api/xero.md §2, §10.3).

Xero allows, per tenant and app, 5 calls in progress and 60 per rolling minute (5,000 a day). One
`TenantLimiter` per tenant is shared by every client of that tenant in the process
(`TenantLimiter.for_tenant`). It is corrected by the `X-MinLimit-Remaining` and
`X-DayLimit-Remaining` headers: when Xero has counted more calls than we have (another process
uses the same tenant), the window is padded so we slow down to match.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_CONCURRENT = 5
PER_MINUTE = 60
WINDOW = 60.0


class TenantLimiter:
    def __init__(self, *, max_concurrent: int = MAX_CONCURRENT, per_minute: int = PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic):
        self.max_concurrent = max_concurrent
        self.per_minute = per_minute
        self.clock = clock
        self._cond = threading.Condition()
        self._in_flight = 0
        self._starts: deque[float] = deque()
        self.day_remaining: int | None = None

    _registry: dict[str, TenantLimiter] = {}
    _registry_lock = threading.Lock()

    @classmethod
    def for_tenant(cls, tenant_id: str, *, clock: Callable[[], float] = time.monotonic) -> TenantLimiter:
        """The process-wide limiter of `tenant_id` (created with `clock` on first use)."""
        with cls._registry_lock:
            limiter = cls._registry.get(tenant_id)
            if limiter is None:
                limiter = cls._registry[tenant_id] = cls(clock=clock)
            return limiter

    def _prune(self, now: float) -> None:
        while self._starts and self._starts[0] <= now - WINDOW:
            self._starts.popleft()

    def acquire(self, sleep: Callable[[float], None]) -> None:
        """Wait for a free slot (≤5 in flight) and room in the rolling minute, then take both."""
        while True:
            with self._cond:
                while self._in_flight >= self.max_concurrent:
                    self._cond.wait()
                now = self.clock()
                self._prune(now)
                if len(self._starts) < self.per_minute:
                    self._in_flight += 1
                    self._starts.append(now)
                    return
                wait = self._starts[0] + WINDOW - now
            sleep(max(wait, 0.001))

    def release(self, headers=None) -> None:
        """Give the slot back and learn from Xero's counters."""
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is not None:
                self._observe(headers)
            self._cond.notify()

    def _observe(self, headers) -> None:
        minute = _int_header(headers, "X-MinLimit-Remaining")
        if minute is not None:
            now = self.clock()
            self._prune(now)
            used_by_xero = self.per_minute - minute
            while len(self._starts) < min(used_by_xero, self.per_minute):
                self._starts.append(now)
        day = _int_header(headers, "X-DayLimit-Remaining")
        if day is not None:
            self.day_remaining = day

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def calls_in_window(self) -> int:
        with self._cond:
            self._prune(self.clock())
            return len(self._starts)


def _int_header(headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None
