"""Simulated faults of the Procore sandbox (fail_next, set_fault_rates); see app.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from .wire import RATE_LIMIT_MESSAGE


@dataclass
class Fault:
    remaining: int
    status: int | None = None
    timeout: bool = False
    drop: bool = False
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_contains is None or self.path_contains in path)


class FaultFace:
    """Faults told to happen or drawn at random, and their answers."""

    def fail_next(self, n: int = 1, *, status: int | None = None, timeout: bool = False, drop: bool = False,
                  method: str | None = None, path_contains: str | None = None) -> None:
        """Make the next ``n`` matching requests fail: with ``status`` (429 carries rate-limit
        headers, 503 a ``Retry-After``), a ``timeout`` (nothing committed) or a ``drop`` (committed)."""
        if not (status or timeout or drop):
            raise ValueError("say how to fail: status=, timeout=True or drop=True")
        with self._lock:
            self._faults.append(Fault(n, status, timeout, drop, method, path_contains))

    def set_fault_rates(self, *, timeout: float = 0.0, drop: float = 0.0, error_500: float = 0.0,
                        error_503: float = 0.0, rate_limited: float = 0.0, seed: int | None = None) -> None:
        """Random faults on API calls, each a probability in [0, 1] (seeded, reproducible)."""
        with self._lock:
            self._fault_rates = {"timeout": timeout, "drop": drop, "500": error_500, "503": error_503,
                                 "429": rate_limited}
            if seed is not None:
                self._random.seed(seed)

    def _take_fault(self, method: str, path: str) -> str | int | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                return "timeout" if fault.timeout else "drop" if fault.drop else fault.status
        if path.startswith("/rest/") and self._fault_rates:
            roll = self._random.random()
            for name, rate in self._fault_rates.items():
                if roll < rate:
                    return {"timeout": "timeout", "drop": "drop"}.get(name) or int(name)
                roll -= rate
        return None

    def _fault_status(self, status: int) -> Response:
        headers: dict[str, str] = {}
        body: Any = {"errors": "Simulated failure"}
        if status == 429:
            headers = {"X-Rate-Limit-Limit": str(self.rate_limit), "X-Rate-Limit-Remaining": "0",
                       "X-Rate-Limit-Reset": str(int(self.clock()) + 1)}
            body = {"errors": RATE_LIMIT_MESSAGE}
        elif status == 503:
            headers = {"Retry-After": "1"}  # §5: 503 under heavy load carries Retry-After seconds
            body = {"errors": "Service Unavailable"}
        return self._json(body, status, headers)
