"""Xero's rate limits in the sandbox (api/xero.md §2)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from .wire import ApiError, _ceil_seconds


class RateLimits:
    """Per-tenant minute, day and concurrency windows and the app's minute window (§2)."""

    # ------------------------------------------------------------------ rate limits (§2)
    def _rate_headers(self, tenant: str, now: datetime) -> dict:
        minute = self._window(self._minute, tenant, now, timedelta(minutes=1))
        day = self._window(self._day, tenant, now, timedelta(days=1))
        self._prune(self._app_minute, now, timedelta(minutes=1))
        return {"X-DayLimit-Remaining": str(max(0, self.day_limit - len(day))),
                "X-MinLimit-Remaining": str(max(0, self.minute_limit - len(minute))),
                "X-AppMinLimit-Remaining": str(max(0, self.app_minute_limit - len(self._app_minute)))}

    @staticmethod
    def _prune(window: deque, now: datetime, span: timedelta) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def _window(self, table: dict, tenant: str, now: datetime, span: timedelta) -> deque:
        window = table.setdefault(tenant, deque())
        self._prune(window, now, span)
        return window

    def _check_rate(self, tenant: str) -> None:
        """§2: 5 in progress, 60 a minute, 5,000 a day per tenant, 10,000 a minute per app. A refused
        call answers 429 with Retry-After and X-Rate-Limit-Problem, and is not counted."""
        now = self.clock()
        minute = self._window(self._minute, tenant, now, timedelta(minutes=1))
        day = self._window(self._day, tenant, now, timedelta(days=1))
        self._prune(self._app_minute, now, timedelta(minutes=1))
        if self.rate_limits:
            refusal = None
            if self._in_flight.get(tenant, 0) > self.concurrent_limit:
                refusal = ("concurrent", 1)
            elif len(day) >= self.day_limit:
                refusal = ("day", _ceil_seconds(day[0] + timedelta(days=1) - now))
            elif len(minute) >= self.minute_limit:
                refusal = ("minute", _ceil_seconds(minute[0] + timedelta(minutes=1) - now))
            elif len(self._app_minute) >= self.app_minute_limit:
                refusal = ("appminute", _ceil_seconds(self._app_minute[0] + timedelta(minutes=1) - now))
            if refusal:
                headers = self._rate_headers(tenant, now)
                headers.update({"Retry-After": str(refusal[1]), "X-Rate-Limit-Problem": refusal[0]})
                raise ApiError(429, {"Type": None, "Title": "Too Many Requests", "Status": 429,
                                     "Detail": f"Rate limit exceeded ({refusal[0]})"}, headers)
        minute.append(now)
        day.append(now)
        self._app_minute.append(now)
