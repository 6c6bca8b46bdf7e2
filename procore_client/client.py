"""The HTTP core of the Procore client: auth, company header, retries, rate limits, paging, sync.
The typed calls are in ``resources/``; answers are read by ``answers``, limits by ``limits``, pages by
``paging``.

Sources (api/procore.md): §4 ``Procore-Company-Id`` on every call (also /me and /companies for
service accounts); §5 rate limits (``X-Rate-Limit-*``, 429 → wait for the reset, 503 →
``Retry-After``) and error codes; §6 paging (``page``/``per_page``, ``Link``/``Total``/``Per-Page``),
``filters[updated_at]`` ranges and ``/sync`` batches of at most 1000.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests

from . import paging
from .answers import SyncResult, error_for, json_of, message_of
from .auth import REFRESH_MARGIN_SECONDS, OAuthToken, ProcoreOAuth, TokenStore
from .errors import AuthError, MalformedResponse, RateLimited, TransientError
from .limits import RateLimitState, retry_after
from .parsing import normalise
from .resources import ResourcesMixin

#: Sync endpoints take at most 1000 updates per call (``DOC:tutorials/using_sync_actions.md``).
SYNC_BATCH_SIZE = 1000

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to Procore")


def rest_path(path: str) -> str:
    """The ``/rest/...`` path of a call: ``vendors`` is ``/rest/v1.0/vendors``; a full URL keeps its path."""
    if path.startswith("http://") or path.startswith("https://"):
        return urlsplit(path).path
    if not path.startswith("/"):
        path = "/" + path
    if not path.startswith("/rest/"):
        path = "/rest/v1.0" + path
    return path


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
        self._cached_token: OAuthToken | None = None

    def __repr__(self) -> str:
        return f"ProcoreClient(api_url={self.api_url!r}, company_id={self.company_id})"

    # -- tokens (CONN-3) --------------------------------------------------------------------------
    def _stale(self, token: OAuthToken) -> bool:
        return token.expires_within(REFRESH_MARGIN_SECONDS, now=self.clock())

    def _token(self) -> OAuthToken:
        """The access token, read from the store once and kept while fresh (PERF-6: not one database
        read per call); a 401 or its expiry re-reads it under the store's lock."""
        token = self._cached_token
        if token is None or self._stale(token):
            token = self.token_store.load()
        if token is None:
            raise AuthError("no Procore token: connect the company first")
        if self._stale(token):
            token = self._refresh(rejected=None)
        self._cached_token = token
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
            self._cached_token = token
            return token

    # -- rate limits (REL-1) ----------------------------------------------------------------------
    def _pace(self) -> None:
        """Slow down before the limit: spread what is left of the window over the time left."""
        pause = self.rate.pause(self.clock(), self.slowdown_fraction)
        if pause is None:
            return
        seconds, spent = pause
        if spent:
            self._wait(seconds + self._random.uniform(0, 1))
            self.rate = RateLimitState()  # unknown until the next answer
        else:
            self._wait(seconds)

    def budget_wait(self, reserve_fraction: float) -> float | None:
        """Seconds until Procore's window resets when only ``reserve_fraction`` of it is left, else None
        (read from the last ``X-Rate-Limit-*`` headers: the hourly or the spike window, whichever is closer)."""
        return self.rate.reserve_wait(self.clock(), reserve_fraction)

    def wait_for_window(self, seconds: float) -> None:
        """Wait ``seconds`` for the window to reset; what it holds then is unknown until the next answer."""
        self._wait(seconds)
        self.rate = RateLimitState()

    def _wait(self, seconds: float) -> None:
        self.sleep(max(0.0, min(seconds, self.max_wait_seconds)))

    def _backoff(self, attempt: int) -> float:
        base = min(30.0, 0.5 * (2 ** (attempt - 1)))
        return base + self._random.uniform(0, base)

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
        path = rest_path(path)
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
            self.rate = RateLimitState.from_headers(response.headers) or self.rate
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
                        message_of(response) or "rate limited", reset_at=reset, status=429,
                        method=method, path=path,
                    )
                wait = retry_after(response.headers)
                if wait is None and reset is not None:
                    wait = reset - self.clock()
                if wait is None:
                    wait = self._backoff(rate_waits)
                self._wait(wait + self._random.uniform(0, 1))
                self.rate = RateLimitState()
                continue
            if status in TRANSIENT_STATUSES:
                asked = retry_after(response.headers) if status == 503 else None
                retryable = idempotent or status == 503
                if retryable and attempt < self.max_retries:
                    attempt += 1
                    self._wait(asked if asked is not None else self._backoff(attempt))
                    continue
                raise TransientError(
                    message_of(response) or f"Procore answered {status}",
                    committed_unknown=not idempotent and status != 503,
                    status=status,
                    method=method,
                    path=path,
                )
            if status >= 400:
                raise error_for(response, method, path)
            return response

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
        full = rest_path(path)
        response = self.request(method, full, params=params, json_body=json_body)
        payload = json_of(response, method, full)
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
        return paging.max_per_page(rest_path(path))

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
        full = rest_path(path)
        query = dict(params or {})
        if updated_since is not None:
            until = updated_until or datetime.fromtimestamp(self.clock(), tz=UTC) + timedelta(days=1)
            query["filters[updated_at]"] = paging.format_range(updated_since, until)
        size = min(per_page or self.max_per_page(full), self.max_per_page(full))
        query["per_page"] = size
        page = int(query.pop("page", 1))
        seen = 0
        while True:
            query["page"] = page
            response = self.request("GET", full, params=query)
            payload = json_of(response, "GET", full)
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
            next_page = paging.next_page(response, page, len(payload), seen, size)
            if next_page is None:
                return
            page = next_page

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
                                        method="PATCH", path=rest_path(path))
            result.entities.extend(entities)
            result.errors.extend(errors)
        return result
