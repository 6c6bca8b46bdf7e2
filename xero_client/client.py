"""XeroClient's HTTP core: how every call to the Accounting API is sent and answered (api/xero.md §1-§7).
The typed helpers are in ``resources``; what Xero answers is read by ``answers``.

Requests carry `xero-tenant-id`, `Accept: application/json`, the bearer token and a timeout; every
PUT/POST carries the caller's `Idempotency-Key` (SYNC-8, §3). Calls wait for the tenant's limiter
(REL-1, §2); 429s for the minute/concurrent/app-minute limits sleep `Retry-After` and retry, the
day limit raises `DailyLimitReached`; timeouts, resets and 500/502/503/504 are retried with
exponential backoff and jitter (REL-2). Writes are safe to retry only because of their key.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from . import parsing
from .answers import (
    ElementResult,
    documents_of,
    element_result,
    error_message,
    json_or_none,
    retry_after_seconds,
)
from .auth import TokenManager, TokenStore, XeroOAuth
from .errors import (
    AuthError,
    DailyLimitReached,
    MalformedResponse,
    NotFound,
    RateLimited,
    TransientError,
    ValidationFailed,
    XeroError,
)
from .limits import TenantLimiter
from .resources import AccountingResources

MAX_BATCH = 50  # §3: "a ceiling of about 50 nodes per request is practical" (REL-3)
MAX_PAGE_SIZE = 1000  # §4: pageSize up to 1000 since July 2024 (PERF-2)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
NETWORK_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class XeroClient(AccountingResources):
    """One tenant of the Accounting API. See the package docstring for the typed helpers."""

    def __init__(self, *, api_url: str, tenant_id: str, oauth: XeroOAuth, token_store: TokenStore,
                 session: requests.Session | None = None, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 limiter: TenantLimiter | None = None, max_retries: int = 6, max_rate_limit_retries: int = 50,
                 rng: random.Random | None = None, now: Callable[[], datetime] | None = None):
        if not tenant_id:
            raise ValueError("tenant_id is required")
        self.api_url = api_url.rstrip("/")
        self.base_url = f"{self.api_url}/api.xro/2.0"
        self.tenant_id = tenant_id
        self.oauth = oauth
        self.session = session or oauth.session
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.limiter = limiter or TenantLimiter.for_tenant(tenant_id, clock=clock)
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self._rng = rng or random.Random()
        self._now = now or (lambda: datetime.now(UTC))
        self.tokens = TokenManager(oauth, token_store, now=self._now)

    def __repr__(self) -> str:
        return f"XeroClient(api_url={self.api_url!r}, tenant_id={self.tenant_id!r})"

    # ------------------------------------------------------------------ transport
    def _backoff(self, attempt: int) -> None:
        """Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s ... capped at 30 s (REL-2)."""
        ceiling = min(30.0, 0.5 * (2 ** (attempt - 1)))
        self.sleep(ceiling / 2 + self._rng.uniform(0, ceiling / 2))

    def _send(self, method: str, path: str, *, params: dict | None = None, body: Any = None,
              idempotency_key: str | None = None, if_modified_since: datetime | None = None,
              raw: bytes | None = None) -> requests.Response:
        method = method.upper()
        if method in ("PUT", "POST", "PATCH"):
            if not isinstance(idempotency_key, str) or not idempotency_key.strip():
                raise ValueError(f"{method} {path} needs an idempotency_key (SYNC-8)")
            if len(idempotency_key) > 128:  # §3: "128 character max"
                raise ValueError("idempotency_key is longer than 128 characters")
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = {k: v for k, v in (params or {}).items() if v is not None}
        data = parsing.dumps(body).encode("utf-8") if body is not None else None
        base_headers = {"xero-tenant-id": self.tenant_id, "Accept": "application/json"}
        if data is not None:
            base_headers["Content-Type"] = "application/json"
        elif raw is not None:  # a file's bytes, as xero-python sends them (createInvoiceAttachmentByFileName)
            data = raw
            base_headers["Content-Type"] = "application/octet-stream"
        if idempotency_key and method in ("PUT", "POST", "PATCH"):
            base_headers["Idempotency-Key"] = idempotency_key
        if if_modified_since is not None:
            base_headers["If-Modified-Since"] = parsing.format_if_modified_since(if_modified_since)

        faults = rate_limits = 0
        refreshed = False
        rejected: str | None = None
        while True:
            access = self.tokens.access_token(rejected=rejected)
            rejected = None
            headers = dict(base_headers, Authorization=f"Bearer {access}")
            self.limiter.acquire(self.sleep)
            response = None
            fault = ""
            try:
                response = self.session.request(method, url, params=query, data=data, headers=headers,
                                                timeout=self.timeout)
            except NETWORK_ERRORS as exc:
                fault = type(exc).__name__
            finally:
                self.limiter.release(response.headers if response is not None else None)
            status = response.status_code if response is not None else None
            if status == 401 and not refreshed:
                refreshed, rejected = True, access  # §1: refresh once on a 401, then retry
                continue
            if status == 429:
                problem = (response.headers.get("X-Rate-Limit-Problem") or "").strip().lower()
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if problem == "day":  # §2: stop and requeue on the day limit
                    raise DailyLimitReached(self._now() + timedelta(seconds=retry_after),
                                            error_message(response) or "Daily call limit reached")
                rate_limits += 1
                if rate_limits > self.max_rate_limit_retries:
                    raise RateLimited(retry_after, problem or None, error_message(response) or "Rate limit exceeded")
                self.sleep(retry_after)
                continue
            if response is None or status in TRANSIENT_STATUSES:
                faults += 1
                if faults > self.max_retries:
                    what = fault or f"HTTP {status}"
                    raise TransientError(f"{method} {path} failed after {faults} attempts ({what})", status=status)
                self._backoff(faults)
                continue
            return response

    def _decode(self, response: requests.Response, what: str) -> Any:
        status = response.status_code
        if status < 300:
            if status == 204 or not response.content.strip():
                return None
            try:
                return parsing.loads(response.content)
            except (ValueError, UnicodeDecodeError):
                kind = "an HTML page" if response.content.lstrip()[:1] == b"<" else "a body that is not JSON"
                raise MalformedResponse(f"Xero answered {what} with {kind} (HTTP {status})", status=status) from None
        message = error_message(response) or f"Xero answered {what} with HTTP {status}"
        if status == 400:
            body = json_or_none(response)
            if isinstance(body, dict) and body.get("Type") == "ValidationException":
                elements = body.get("Elements") if isinstance(body.get("Elements"), list) else []
                raise ValidationFailed(elements, body.get("Message") or "A validation exception occurred")
            raise XeroError(message, status=status)
        if status in (401, 403):
            raise AuthError(message, status=status)
        if status == 404:
            raise NotFound(message, status=status)
        raise XeroError(message, status=status)

    def _call(self, method: str, path: str, **kwargs) -> Any:
        return self._decode(self._send(method, path, **kwargs), f"{method} {path.split('?')[0]}")

    # ------------------------------------------------------------------ generic API
    def get(self, path: str, params: dict | None = None, if_modified_since: datetime | None = None) -> dict:
        body = self._call("GET", path, params=params, if_modified_since=if_modified_since)
        if not isinstance(body, dict):
            raise MalformedResponse(f"Xero answered GET {path} with a JSON {type(body).__name__}, not an object")
        return body

    def delete(self, path: str) -> None:
        self._call("DELETE", path)

    def write(self, resource: str, elements: Iterable[dict], *, method: str = "PUT", idempotency_key: str,
              params: dict | None = None) -> list[ElementResult]:
        """PUT (create) or POST (create or update) up to 50 elements with summarizeErrors=false (REL-3).

        Returns one ElementResult per element, in request order (§3: matching by position is
        [UNCONFIRMED]; we check the count and the caller can compare numbers/names).
        """
        elements = list(elements)
        if not elements:
            raise ValueError("write() needs at least one element")
        if len(elements) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} elements per write, got {len(elements)}")
        if method.upper() not in ("PUT", "POST"):
            raise ValueError("method must be PUT or POST")
        query = dict(params or {})
        query["summarizeErrors"] = "false"  # §3: the wire default is summarised; always send false
        body = self._call(method, resource, params=query, body={resource: elements}, idempotency_key=idempotency_key)
        documents = documents_of(body, resource, f"{method} {resource}")
        if len(documents) != len(elements):
            raise MalformedResponse(f"Xero answered {len(documents)} {resource} for {len(elements)} sent")
        return [element_result(resource, doc) for doc in documents]

    def iter_pages(self, resource: str, *, params: dict | None = None, if_modified_since: datetime | None = None,
                   page_size: int = MAX_PAGE_SIZE) -> Iterator[dict]:
        """Every document of a paged list, page by page (§4, PERF-2): `page` is always sent (it brings
        the line items); stops on a short page or when `pagination.pageCount` is reached."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        page = 1
        while True:
            query = dict(params or {}, page=page, pageSize=page_size)
            body = self.get(resource, query, if_modified_since=if_modified_since)
            documents = documents_of(body, resource, f"GET {resource}")
            yield from documents
            pagination = body.get("pagination")
            page_count = pagination.get("pageCount") if isinstance(pagination, dict) else None
            if len(documents) < page_size or (isinstance(page_count, int) and page >= page_count):
                return
            page += 1

    def _list(self, resource: str, path: str | None = None, params: dict | None = None,
              if_modified_since: datetime | None = None) -> list[dict]:
        body = self.get(path or resource, params, if_modified_since=if_modified_since)
        return documents_of(body, resource, f"GET {path or resource}")

    def _one(self, resource: str, path: str, params: dict | None = None) -> dict:
        documents = self._list(resource, path, params)
        if not documents:
            raise NotFound(f"{path} returned no document", status=200)
        return documents[0]

    def _put_one(self, resource: str, path: str, body: dict, *, method: str = "PUT", idempotency_key: str) -> dict:
        answer = self._call(method, path, body=body, idempotency_key=idempotency_key)
        documents = documents_of(answer, resource, f"{method} {path}")
        if not documents:
            raise MalformedResponse(f"Xero answered {method} {path} without a document")
        return documents[0]
