"""Simulated network faults of the Xero sandbox (fail_next, set_fault_rates); see app.py."""

from __future__ import annotations

import random
from dataclasses import dataclass

from werkzeug.wrappers import Response

from .wire import _json_response


@dataclass
class Fault:
    remaining: int
    status: int | None = None
    timeout: bool = False
    drop: bool = False
    method: str | None = None
    path_contains: str | None = None
    problem: str | None = None
    retry_after: int | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path_contains is None:
            return "/api.xro/" in path or path.endswith("/connections") or "/connections/" in path
        return self.path_contains in path


class FaultFace:
    """Faults told to happen (fail_next) or drawn at random (set_fault_rates), and their answers."""

    def fail_next(self, n: int = 1, *, status: int | None = None, timeout: bool = False, drop: bool = False,
                  method: str | None = None, path_contains: str | None = None, problem: str | None = None,
                  retry_after: int | None = None) -> None:
        """Make the next `n` matching calls fail: with `status` (429 takes `problem`, default "minute",
        and `retry_after`), a `timeout` (nothing committed) or a `drop` (committed, answer lost). Without
        `path_contains` only API calls (/api.xro, /connections) match."""
        if sum(bool(x) for x in (status, timeout, drop)) != 1:
            raise ValueError("give exactly one of status, timeout, drop")
        with self._lock:
            self.faults.append(Fault(n, status, timeout, drop, method, path_contains, problem, retry_after))

    def set_fault_rates(self, drop: float = 0.0, rate_limit: float = 0.0, server_error: float = 0.0,
                        timeout: float = 0.0, seed: int = 0) -> None:
        """Random faults on API calls, reproducible by `seed` (soak tests)."""
        if drop + rate_limit + server_error + timeout > 1:
            raise ValueError("fault rates add up to more than 1")
        with self._lock:
            self.fault_rates = {"drop": drop, "rate_limit": rate_limit, "server_error": server_error,
                                "timeout": timeout}
            self._rng = random.Random(seed)

    def _pick_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
            rates = self.fault_rates
            if "/api.xro/" not in path or not any(rates.values()):
                return None
            roll = self._rng.random()
            for name in ("timeout", "drop", "rate_limit", "server_error"):
                if roll < rates[name]:
                    if name == "timeout":
                        return Fault(1, timeout=True)
                    if name == "drop":
                        return Fault(1, drop=True)
                    if name == "rate_limit":
                        return Fault(1, status=429, problem=self._rng.choice(["minute", "concurrent"]), retry_after=1)
                    return Fault(1, status=self._rng.choice([500, 503]))
                roll -= rates[name]
            return None

    def _fault_response(self, fault: Fault) -> Response:
        status = fault.status or 500
        if status == 429:
            kind = fault.problem or "minute"
            retry = fault.retry_after if fault.retry_after is not None else (43200 if kind == "day" else 1)
            return _json_response({"Type": None, "Title": "Too Many Requests", "Status": 429,
                                   "Detail": f"Rate limit exceeded ({kind})"}, 429,
                                  {"Retry-After": str(retry), "X-Rate-Limit-Problem": kind})
        return _json_response({"Type": None, "Title": "Simulated failure", "Status": status,
                               "Detail": f"The sandbox was told to fail this call with {status}"}, status)
