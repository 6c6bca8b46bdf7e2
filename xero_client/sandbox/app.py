"""XeroSandbox: a stateful fake of Xero served as one WSGI application (issue 3).

Faces (all in one app, so it can be mounted in-process or behind DispatcherMiddleware under
`/xero`, `/xero-identity`, `/xero-login`): the Accounting API `/api.xro/2.0/...`, `/connections`,
identity `/connect/token` and `/connect/revocation`, login `/identity/connect/authorize`, and
`GET /_sandbox/state`, `POST /_sandbox/reset`. Absolute URLs are always built from the request.

Simulated network faults (fail_next / set_fault_rates):
- in-process (environ has `sandbox.in_process`, see tests/fixtures/sandbox_transport.py) the answer
  carries `X-Sandbox-Simulate: timeout` (nothing committed) or `drop` (committed, answer lost), which
  the transport turns into requests' ReadTimeout / ConnectionError;
- over real HTTP a timeout sleeps `http_timeout_seconds` (default 35 s, more than the client's 30 s
  timeout) and then answers 504 with nothing committed; a drop commits the write and answers 502 with
  an empty body (the nearest thing to a lost answer that a WSGI app can produce)."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .. import parsing
from .books import Books, new_id
from .contact_groups import ContactGroupRoutes
from .credit import CreditAndFileRoutes
from .deliveries import WebhookDeliveries, _post
from .documents import DocumentRoutes
from .faults import Fault, FaultFace
from .identity import Grant, IdentityFace
from .limits import RateLimits
from .tracking import TrackingRoutes
from .wire import KINDS, ApiError, _json_response, bad_request, canonical_path, problem, render


class XeroSandbox(FaultFace, IdentityFace, RateLimits, DocumentRoutes, CreditAndFileRoutes, ContactGroupRoutes,
                  TrackingRoutes, WebhookDeliveries):
    """A fake Xero. See the module docstring; every rule cites its section of api/xero.md."""

    def __init__(self, *, rate_limits: bool = True, clock: Callable[[], datetime] | None = None,
                 webhook_url: str | None = None, webhook_key: str | None = None,
                 deliver: Callable[[str, dict, bytes], Any] | None = None,
                 http_timeout_seconds: float = 35.0, organisation_name: str = "Sandbox Construction Ltd"):
        self.rate_limits = rate_limits
        self.clock = clock or (lambda: datetime.now(UTC))
        self.webhook_url = webhook_url
        self.webhook_key = webhook_key
        self.deliver = deliver or _post
        self.http_timeout_seconds = http_timeout_seconds
        self.minute_limit = 60  # §2 per tenant per app
        self.concurrent_limit = 5
        self.day_limit = 5000
        self.app_minute_limit = 10000
        self._lock = threading.RLock()
        self._flight_lock = threading.Lock()
        self.url_map = Map([
            Rule("/identity/connect/authorize", endpoint="authorize", methods=["GET"]),
            Rule("/connect/token", endpoint="token", methods=["POST"]),
            Rule("/connect/revocation", endpoint="revocation", methods=["POST"]),
            Rule("/connections", endpoint="connections", methods=["GET"]),
            Rule("/connections/<conn_id>", endpoint="connection_delete", methods=["DELETE"]),
            Rule("/api.xro/2.0/<path:rest>", endpoint="api", methods=["GET", "PUT", "POST", "DELETE"]),
            Rule("/_sandbox/state", endpoint="state", methods=["GET"]),
            Rule("/_sandbox/reset", endpoint="reset", methods=["POST"]),
        ], strict_slashes=False)
        self.organisations: dict[str, Books] = {}
        self.clients: dict[str, str] = {}  # client id -> sha256 of its secret
        self.grants: dict[str, Grant] = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.webhook_deliveries: list[dict] = []
        self._event_sequence = 0
        self._fresh_state()
        self.add_organisation(organisation_name)

    # ------------------------------------------------------------------ public helpers
    def _fresh_state(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.idempotency: dict[tuple[str, str], dict] = {}
        self.faults: list[Fault] = []
        self.fault_rates = {"drop": 0.0, "rate_limit": 0.0, "server_error": 0.0, "timeout": 0.0}
        self._rng = random.Random(0)
        self._minute: dict[str, deque] = {}
        self._day: dict[str, deque] = {}
        self._app_minute: deque = deque()
        self._in_flight: dict[str, int] = {}

    def add_organisation(self, name: str) -> str:
        """A new organisation with the standard chart of accounts; returns its tenant id. Existing
        grants do not see it until the user authorises again (as with Xero)."""
        with self._lock:
            tenant_id = new_id()
            self.organisations[tenant_id] = Books(tenant_id, name, self.clock)
            return tenant_id

    @property
    def tenant_ids(self) -> list[str]:
        return list(self.organisations)

    @property
    def default_tenant_id(self) -> str:
        return next(iter(self.organisations))

    def books(self, tenant_id: str | None = None) -> Books:
        """The live ledger of a tenant (Python values: Decimal, date), for assertions in tests."""
        return self.organisations[tenant_id or self.default_tenant_id]

    def reset(self) -> None:
        """Empty every organisation's books (same tenant ids, names and OAuth state), forget idempotency
        keys, faults, counted calls and rate windows."""
        with self._lock:
            for tenant_id, books in list(self.organisations.items()):
                self.organisations[tenant_id] = Books(tenant_id, books.name, self.clock)
            self._fresh_state()
            self.webhook_deliveries.clear()

    def calls_to(self, method: str, path_contains: str, tenant_id: str | None = None) -> int:
        """How many calls reached `method` on a path containing `path_contains` (e.g. ("PUT", "/Invoices"))."""
        return sum(1 for m, p, t in self.calls if m == method.upper() and path_contains in p
                   and (tenant_id is None or t == tenant_id))

    def state(self) -> dict:
        """Everything the sandbox holds, as JSON-able data (amounts as floats, dates as /Date()/)."""
        with self._lock:
            orgs = {}
            for tenant_id, books in self.organisations.items():
                org = {"name": books.name, "Organisation": render(books.organisation)}
                for kind in KINDS.values():
                    org[kind.key] = [self._render_doc(books, kind.key, d, unitdp=4) for d in getattr(books, kind.store).values()]
                org["ContactGroups"] = [self._render_group(books, g) for g in books.groups.values()]
                org["TrackingCategories"] = [render(c) for c in books.tracking.values()]
                orgs[tenant_id] = org
            data = {
                "organisations": orgs,
                "clients": sorted(self.clients),
                "connections": [{"authEventId": g.id, "clientId": g.client_id, "revoked": g.revoked,
                                 "tenants": sorted(g.tenants)} for g in self.grants.values()],
                "calls": len(self.calls),
                "idempotency_keys": len(self.idempotency),
                "webhook_deliveries": len(self.webhook_deliveries),
            }
            return json.loads(parsing.dumps(data))

    # ------------------------------------------------------------------ WSGI
    def wsgi_app(self, environ, start_response):
        environ["PATH_INFO"] = canonical_path(environ.get("PATH_INFO") or "/")
        request = Request(environ)
        try:
            endpoint, args = self.url_map.bind_to_environ(environ).match()
        except (NotFound, MethodNotAllowed) as exc:
            response = _json_response({"Type": None, "Title": exc.name, "Status": exc.code,
                                       "Detail": f"No route for {request.method} {request.path}"}, exc.code)
            return response(environ, start_response)
        except HTTPException as exc:  # pragma: no cover - werkzeug redirects (strict slashes off)
            return exc(environ, start_response)
        if endpoint == "state":
            return _json_response(self.state(), 200)(environ, start_response)
        if endpoint == "reset":
            self.reset()
            return _json_response({"reset": True}, 200)(environ, start_response)
        response = self._serve(request, endpoint, args)
        return response(environ, start_response)

    __call__ = wsgi_app

    def _serve(self, request: Request, endpoint: str, args: dict) -> Response:
        method, path = request.method, request.path
        in_process = bool(request.environ.get("sandbox.in_process"))
        tenant = request.headers.get("xero-tenant-id")
        fault = self._pick_fault(method, path)
        if endpoint in ("api", "connections", "connection_delete"):
            with self._lock:
                self.calls.append((method, path, tenant))
        if fault is not None and fault.timeout:
            # Timeout: nothing is committed (see module docstring for the HTTP variant).
            if in_process:
                return Response(b"", 504, headers={"X-Sandbox-Simulate": "timeout"})
            time.sleep(self.http_timeout_seconds)
            return Response(b"", 504)
        if fault is not None and fault.status:
            return self._fault_response(fault)
        events: list = []
        try:
            if endpoint == "authorize":
                response = self._authorize(request)
            elif endpoint == "token":
                response = self._token(request)
            elif endpoint == "revocation":
                response = self._revocation(request)
            elif endpoint == "connections":
                response = self._connections(request)
            elif endpoint == "connection_delete":
                response = self._connection_delete(request, args["conn_id"])
            else:
                response = self._api(request, args["rest"], events)
        except ApiError as exc:
            response = _json_response(exc.body, exc.status, exc.headers)
        self._deliver(events, request)
        if fault is not None and fault.drop:
            # Drop: the write above was committed; the answer is lost.
            if in_process:
                response.headers["X-Sandbox-Simulate"] = "drop"
                return response
            return Response(b"", 502)
        return response

    # ------------------------------------------------------------------ API
    def _api(self, request: Request, rest: str, events: list) -> Response:
        tenant = request.headers.get("xero-tenant-id", "").strip().lower()
        with self._flight_lock:
            self._in_flight[tenant] = self._in_flight.get(tenant, 0) + 1
        try:
            with self._lock:
                grant = self._bearer_grant(request)
                if not tenant:
                    # §1: "Every Accounting call needs header xero-tenant-id"
                    raise problem(400, "Bad Request", "The xero-tenant-id header is required")
                if tenant not in grant.tenants or tenant not in self.organisations:
                    raise problem(403, "Forbidden", "AuthorizationUnsuccessful: the tenant is not connected")
                self._check_rate(tenant)
                books = self.organisations[tenant]
                key = request.headers.get("Idempotency-Key")
                headers = self._rate_headers(tenant, self.clock())
                if request.method in ("PUT", "POST") and key is not None:
                    if not key.strip() or len(key) > 128:  # §3: "128 character max"; never empty
                        raise bad_request("Idempotency-Key must be 1 to 128 characters")
                    fingerprint = (request.method, request.path, request.query_string,
                                   hashlib.sha256(request.get_data()).hexdigest())
                    stored = self.idempotency.get((tenant, key))
                    if stored is not None:
                        # §3 Idempotency-Key: a repeated key replays the first answer and creates nothing.
                        # Retention and reuse semantics are [UNCONFIRMED]; the sandbox keeps keys for its
                        # lifetime and refuses a key reused for a different request (the safe choice).
                        if stored["fingerprint"] != fingerprint:
                            raise problem(409, "Conflict", "This Idempotency-Key was used for a different request")
                        return Response(stored["body"], stored["status"], headers=dict(
                            stored["headers"], **headers))
                try:
                    status, body = self._dispatch(request, books, rest)
                except ApiError as exc:
                    status, body = exc.status, exc.body
                events.extend((tenant, *event) for event in books.events)
                books.events.clear()
                if isinstance(body, Response):  # an attachment's bytes
                    body.headers.extend(headers)
                    return body
                payload = parsing.dumps(render(body)).encode("utf-8") if body is not None else b""
                response = Response(payload, status, headers=headers,
                                    content_type="application/json; charset=utf-8" if body is not None else None)
                if request.method in ("PUT", "POST") and key is not None and status < 500:
                    self.idempotency[(tenant, key)] = {"fingerprint": fingerprint, "status": status, "body": payload,
                                                       "headers": {"Content-Type": response.headers.get(
                                                           "Content-Type", "application/json; charset=utf-8")}}
                return response
        except ApiError as exc:
            return _json_response(exc.body, exc.status, exc.headers)
        finally:
            with self._flight_lock:
                self._in_flight[tenant] -= 1
