"""The HTTP core of the Procore client: auth, company header, retries, rate limits, paging, sync.

Sources (api/procore.md): §4 ``Procore-Company-Id`` on every call (also /me and /companies for
service accounts); §5 rate limits (``X-Rate-Limit-*``, 429 → wait for the reset, 503 →
``Retry-After``) and error codes; §6 paging (``page``/``per_page``, ``Link``/``Total``/``Per-Page``),
``filters[updated_at]`` ranges and ``/sync`` batches of at most 1000.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from .auth import REFRESH_MARGIN_SECONDS, OAuthToken, ProcoreOAuth, TokenStore
from .errors import (
    AuthError,
    BadRequest,
    Conflict,
    Forbidden,
    MalformedResponse,
    NotFound,
    ProcoreError,
    RateLimited,
    TransientError,
    Unprocessable,
)
from .parsing import normalise
from .resources import ResourcesMixin

#: Largest ``per_page`` used by default on v1.x lists. Procore recommends at most 2,000
#: (``DOC:plan_your_app/pagination.md``); 1000 keeps answers small enough to stay quick.
DEFAULT_PER_PAGE = 1000
#: Endpoint-specific caps (path regex → max per_page): ``OAS:RestV11ProjectsGet`` says max 300;
#: v2.0 lists max 100 (``DOC:announcements/new_rest_v2_version.md``).
PER_PAGE_CAPS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^/rest/v1\.1/projects$"), 300),
    (re.compile(r"^/rest/v2\.\d+/"), 100),
]
#: Sync endpoints take at most 1000 updates per call (``DOC:tutorials/using_sync_actions.md``).
SYNC_BATCH_SIZE = 1000

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass
class SyncResult:
    """What a ``/sync`` call returned over all its batches: ``entities`` and per-element ``errors``."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class RateLimitState:
    """The last ``X-Rate-Limit-*`` headers seen (REL-1)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # Unix seconds


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to Procore")


def format_range(since: datetime | date, until: datetime | date) -> str:
    """A ``filters[...]`` range: ``<iso>...<iso>`` (``DOC:tutorials/filtering_on_list_actions.md``)."""

    def fmt(value: datetime | date) -> str:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("datetimes sent to Procore must be timezone-aware")
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat()

    return f"{fmt(since)}...{fmt(until)}"


class ProcoreClient(ResourcesMixin):
    """A client of one Procore company. See the package docstring for the typed methods."""

    def __init__(
        self,
        *,
        api_url: str,
        company_id: int,
        oauth: ProcoreOAuth,
        token_store: TokenStore,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_retries: int = 6,
    ):
        self.api_url = api_url.rstrip("/")
        self.company_id = int(company_id)
        self.oauth = oauth
        self.token_store = token_store
        self.session = session or requests.Session()
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.max_retries = max_retries
        #: How many 429s in a row we wait out before giving up with RateLimited.
        self.max_rate_limit_waits = max(10, max_retries * 4)
        #: Start slowing down when fewer than this share of the window's calls remain.
        self.slowdown_fraction = 0.1
        #: Longest single wait (seconds) for a reset or Retry-After; Procore's hourly window is 3600.
        self.max_wait_seconds = 3600.0
        self.rate = RateLimitState()
        self._random = random.Random()

    def __repr__(self) -> str:
        return f"ProcoreClient(api_url={self.api_url!r}, company_id={self.company_id})"

    # -- tokens (CONN-3) --------------------------------------------------------------------------
    def _stale(self, token: OAuthToken) -> bool:
        return token.expires_within(REFRESH_MARGIN_SECONDS, now=self.clock())

    def _token(self) -> OAuthToken:
        token = self.token_store.load()
        if token is None:
            raise AuthError("no Procore token: connect the company first")
        if self._stale(token):
            token = self._refresh(rejected=None)
        return token

    def _refresh(self, rejected: OAuthToken | None) -> OAuthToken:
        """Refresh under the caller's lock; a token refreshed by someone else meanwhile is reused."""
        with self.token_store.lock():
            token = self.token_store.load()
            if token is None:
                raise AuthError("no Procore token: connect the company first")
            still_stale = self._stale(token) or (
                rejected is not None and token.access_token == rejected.access_token
            )
            if still_stale:
                if token.refresh_token:
                    new = self.oauth.refresh(token)
                else:  # a service account (client credentials) has no refresh token
                    new = self.oauth.client_credentials()
                self.token_store.save(new)
                token = new
            return token

    # -- URLs -------------------------------------------------------------------------------------
    def _path(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return urlsplit(path).path
        if not path.startswith("/"):
            path = "/" + path
        if not path.startswith("/rest/"):
            path = "/rest/v1.0" + path
        return path

    # -- rate limits (REL-1) ----------------------------------------------------------------------
    def _note_rate_headers(self, response: requests.Response) -> None:
        def num(name: str) -> float | None:
            value = response.headers.get(name)
            try:
                return float(value) if value is not None else None
            except ValueError:
                return None

        limit, remaining, reset = num("X-Rate-Limit-Limit"), num("X-Rate-Limit-Remaining"), num("X-Rate-Limit-Reset")
        if limit is not None and remaining is not None:
            self.rate = RateLimitState(int(limit), int(remaining), reset)

    def _pace(self) -> None:
        """Slow down before the limit: spread what is left of the window over the time left."""
        state = self.rate
        if state.limit is None or state.remaining is None or state.reset is None:
            return
        left = state.reset - self.clock()
        if left <= 0:
            return
        if state.remaining <= 0:
            self._wait(left + self._random.uniform(0, 1))
            self.rate = RateLimitState()  # unknown until the next answer
        elif state.remaining < max(2, state.limit * self.slowdown_fraction):
            self._wait(left / state.remaining)

    def _wait(self, seconds: float) -> None:
        self.sleep(max(0.0, min(seconds, self.max_wait_seconds)))

    def _backoff(self, attempt: int) -> float:
        base = min(30.0, 0.5 * (2 ** (attempt - 1)))
        return base + self._random.uniform(0, base)

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return None

    # -- the request loop -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send one API call with auth, company header, pacing and retries; return the raw answer.

        Retries (REL-2): timeouts, connection errors, 500/502/503/504 with exponential backoff and
        jitter; 503 honours ``Retry-After``; 429 waits until ``X-Rate-Limit-Reset`` (REL-1).
        POST is not idempotent: after a timeout, a dropped connection or a 500/502/504 it is NOT
        retried (the write may have been committed) and ``TransientError.committed_unknown`` is set.
        429 and 503 mean "not processed" and are retried for every method.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method != "POST"
        path = self._path(path)
        url = self.api_url + path
        data = None if json_body is None else json.dumps(json_body, default=_json_default)
        attempt = 0
        rate_waits = 0
        auth_retried = False
        while True:
            self._pace()
            token = self._token()
            headers = {
                "Authorization": f"Bearer {token.access_token}",
                "Procore-Company-Id": str(self.company_id),
                "Accept": "application/json",
            }
            if data is not None:
                headers["Content-Type"] = "application/json"
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
                if (idempotent or never_sent) and attempt < self.max_retries:
                    attempt += 1
                    self._wait(self._backoff(attempt))
                    continue
                raise TransientError(
                    f"network fault talking to Procore ({type(exc).__name__})",
                    committed_unknown=not idempotent and not never_sent,
                    method=method,
                    path=path,
                ) from None
            self._note_rate_headers(response)
            status = response.status_code
            if status == 401 and not auth_retried:
                auth_retried = True
                self._refresh(rejected=token)
                continue
            if status == 429:
                rate_waits += 1
                reset = self.rate.reset
                if rate_waits > self.max_rate_limit_waits:
                    raise RateLimited(
                        self._message(response) or "rate limited", reset_at=reset, status=429,
                        method=method, path=path,
                    )
                wait = self._retry_after(response)
                if wait is None and reset is not None:
                    wait = reset - self.clock()
                if wait is None:
                    wait = self._backoff(rate_waits)
                self._wait(wait + self._random.uniform(0, 1))
                self.rate = RateLimitState()
                continue
            if status in TRANSIENT_STATUSES:
                retry_after = self._retry_after(response) if status == 503 else None
                retryable = idempotent or status == 503
                if retryable and attempt < self.max_retries:
                    attempt += 1
                    self._wait(retry_after if retry_after is not None else self._backoff(attempt))
                    continue
                raise TransientError(
                    self._message(response) or f"Procore answered {status}",
                    committed_unknown=not idempotent and status != 503,
                    status=status,
                    method=method,
                    path=path,
                )
            if status >= 400:
                raise self._error(response, method, path)
            return response

    # -- errors -----------------------------------------------------------------------------------
    @staticmethod
    def _decoded(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def _message(self, response: requests.Response) -> str:
        """Procore's own message from an error body (``{"errors": ...}``, ``{"error": ...}``...)."""
        payload = self._decoded(response)
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
                if isinstance(value, dict) and "message" in value:
                    return str(value["message"])
        if payload is None and response.content:
            ctype = response.headers.get("Content-Type", "")
            if "html" in ctype or response.content.lstrip()[:1] == b"<":
                return f"Procore answered an HTML page (HTTP {response.status_code})"
        return response.reason or ""

    def _error(self, response: requests.Response, method: str, path: str) -> ProcoreError:
        status = response.status_code
        payload = self._decoded(response)
        errors = payload.get("errors") if isinstance(payload, dict) else None
        message = self._message(response) or f"Procore answered {status}"
        cls: type[ProcoreError] = {
            400: BadRequest,
            401: AuthError,
            403: Forbidden,
            404: NotFound,
            409: Conflict,
            422: Unprocessable,
        }.get(status, ProcoreError)
        return cls(message, status=status, errors=errors, method=method, path=path)

    def _json(self, response: requests.Response, method: str, path: str) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            ctype = response.headers.get("Content-Type", "")
            what = "an HTML page" if "html" in ctype or response.content.lstrip()[:1] == b"<" else "invalid JSON"
            raise MalformedResponse(
                f"Procore answered {what} instead of JSON", status=response.status_code, method=method, path=path
            ) from None

    # -- generic verbs ----------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | None = None, *, expect: type | None = None) -> Any:
        """GET and decode: money → Decimal, timestamps → aware datetimes, ids → int."""
        return self._call("GET", path, params=params, expect=expect)

    def post(self, path: str, json_body: Any = None, *, params: dict[str, Any] | None = None,
             expect: type | None = dict) -> Any:
        return self._call("POST", path, params=params, json_body=json_body, expect=expect)

    def patch(self, path: str, json_body: Any = None, *, params: dict[str, Any] | None = None,
              expect: type | None = dict) -> Any:
        return self._call("PATCH", path, params=params, json_body=json_body, expect=expect)

    def delete(self, path: str, *, params: dict[str, Any] | None = None) -> Any:
        return self._call("DELETE", path, params=params, expect=None)

    def _call(self, method: str, path: str, *, params=None, json_body=None, expect=None) -> Any:
        full = self._path(path)
        response = self.request(method, full, params=params, json_body=json_body)
        payload = self._json(response, method, full)
        if isinstance(payload, dict) and set(payload) == {"data"} and full.startswith("/rest/v2"):
            payload = payload["data"]  # v2.0 wraps answers in {"data": ...}
        if expect is not None and not isinstance(payload, expect):
            raise MalformedResponse(
                f"expected a JSON {'object' if expect is dict else 'array'}, got {type(payload).__name__}",
                status=response.status_code, method=method, path=full,
            )
        return normalise(payload)

    # -- paging (PERF-2) --------------------------------------------------------------------------
    def max_per_page(self, path: str) -> int:
        path = self._path(path)
        for pattern, cap in PER_PAGE_CAPS:
            if pattern.search(path):
                return cap
        return DEFAULT_PER_PAGE

    def iter_pages(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        updated_since: datetime | date | None = None,
        per_page: int | None = None,
        *,
        updated_until: datetime | date | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Yield every record of a list endpoint, page after page.

        ``updated_since`` adds ``filters[updated_at]=<since>...<until>`` (until defaults to one day
        past the client's clock, so a skewed server clock never hides a change). Follows the
        ``Link: rel="next"`` header; without one, ``Total``/``Per-Page`` or a short page ends it.
        A 429 or a transient fault in the middle re-reads the same page: no page is lost.
        """
        full = self._path(path)
        query = dict(params or {})
        if updated_since is not None:
            until = updated_until or datetime.fromtimestamp(self.clock(), tz=UTC) + timedelta(days=1)
            query["filters[updated_at]"] = format_range(updated_since, until)
        size = min(per_page or self.max_per_page(full), self.max_per_page(full))
        query["per_page"] = size
        page = int(query.pop("page", 1))
        seen = 0
        while True:
            query["page"] = page
            response = self.request("GET", full, params=query)
            payload = self._json(response, "GET", full)
            if isinstance(payload, dict) and isinstance(payload.get("data"), list):
                payload = payload["data"]
            if not isinstance(payload, list):
                raise MalformedResponse(
                    f"expected a JSON array on page {page}, got {type(payload).__name__}",
                    status=response.status_code, method="GET", path=full,
                )
            for item in payload:
                if not isinstance(item, dict):
                    raise MalformedResponse(
                        f"expected objects in the list on page {page}, got {type(item).__name__}",
                        method="GET", path=full,
                    )
                yield normalise(item)
            seen += len(payload)
            next_page = self._next_page(response, page, len(payload), seen, size)
            if next_page is None:
                return
            page = next_page

    @staticmethod
    def _next_page(response: requests.Response, page: int, count: int, seen: int, size: int) -> int | None:
        link = response.headers.get("Link")
        if link is not None:
            match = _LINK_NEXT.search(link)
            if not match:
                return None
            values = parse_qs(urlsplit(match.group(1)).query).get("page")
            return int(values[0]) if values else page + 1
        total = response.headers.get("Total")
        if total is not None and total.isdigit():
            return page + 1 if seen < int(total) and count > 0 else None
        per_page = response.headers.get("Per-Page")
        if per_page is not None and per_page.isdigit():
            size = int(per_page)
        return page + 1 if count >= size and count > 0 else None

    def list_all(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self.iter_pages(path, params, **kwargs))

    # -- sync actions -----------------------------------------------------------------------------
    def sync(
        self,
        path: str,
        updates: Iterable[dict[str, Any]],
        *,
        params: dict[str, Any] | None = None,
        batch_size: int = SYNC_BATCH_SIZE,
        **scope: Any,
    ) -> SyncResult:
        """PATCH a ``/sync`` endpoint in batches of at most 1000 (``{**scope, "updates": [...]}``).

        Procore answers 200 even when single elements fail: each error echoes the input element
        with its ``errors`` (``DOC:tutorials/using_sync_actions.md``); they are returned, not raised.
        """
        batch_size = max(1, min(batch_size, SYNC_BATCH_SIZE))
        items = list(updates)
        result = SyncResult()
        for start in range(0, len(items), batch_size):
            body = {**scope, "updates": items[start : start + batch_size]}
            payload = self._call("PATCH", path, params=params, json_body=body, expect=dict)
            entities, errors = payload.get("entities"), payload.get("errors")
            if not isinstance(entities, list) or not isinstance(errors, list):
                raise MalformedResponse("a sync answer must hold 'entities' and 'errors' arrays",
                                        method="PATCH", path=self._path(path))
            result.entities.extend(entities)
            result.errors.extend(errors)
        return result
