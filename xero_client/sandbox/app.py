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
  an empty body (the nearest thing to a lost answer that a WSGI app can produce).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import logging
import random
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .. import parsing
from ..webhooks import sign
from . import attachments
from .books import Books, new_id
from .rules import (
    ElementError,
    QueryError,
    UnknownField,
    check_field_path,
    check_fields,
    parse_header_datetime,
    parse_where,
)

log = logging.getLogger(__name__)

ZERO_ID = "00000000-0000-0000-0000-000000000000"
ACCESS_TOKEN_SECONDS = 1800  # §1 "Access token: 30 minutes (expires_in: 1800)"
REFRESH_TOKEN_DAYS = 60  # §1 "unused refresh tokens expire after 60 days"
REFRESH_GRACE = timedelta(minutes=30)  # §1 "retry ... for a grace period of 30 minutes"
CODE_SECONDS = 300
FOUR_DP_KEYS = frozenset({"UnitAmount", "Quantity", "CurrencyRate", "UnitPrice", "DiscountRate"})
KNOWN_SCOPES = frozenset({
    "openid", "profile", "email", "offline_access", "accounting.transactions", "accounting.transactions.read",
    "accounting.contacts", "accounting.contacts.read", "accounting.settings", "accounting.settings.read",
    "accounting.invoices", "accounting.invoices.read", "accounting.payments", "accounting.payments.read",
    "accounting.banktransactions", "accounting.banktransactions.read", "accounting.manualjournals",
    "accounting.manualjournals.read", "accounting.attachments", "accounting.attachments.read",
    "accounting.reports.read", "accounting.journals.read", "accounting.budgets.read",
})


@dataclass
class Kind:
    """How one collection of the API maps onto Books."""

    key: str  # JSON collection key, also the path segment
    store: str  # attribute of Books
    id_key: str
    schema: str
    error_flag: str | None  # HasErrors / HasValidationErrors on a failed element (§3)
    paged: bool
    line_key: str | None = None  # dropped from unpaged lists (§4)
    number_key: str | None = None


KINDS = {
    "Contacts": Kind("Contacts", "contacts", "ContactID", "Contact", "HasValidationErrors", True),
    "Items": Kind("Items", "items", "ItemID", "Item", None, False),
    "PurchaseOrders": Kind("PurchaseOrders", "purchase_orders", "PurchaseOrderID", "PurchaseOrder", None, True,
                           None, "PurchaseOrderNumber"),
    "Invoices": Kind("Invoices", "invoices", "InvoiceID", "Invoice", "HasErrors", True, "LineItems", "InvoiceNumber"),
    "CreditNotes": Kind("CreditNotes", "credit_notes", "CreditNoteID", "CreditNote", "HasErrors", True, "LineItems",
                        "CreditNoteNumber"),
    "BankTransactions": Kind("BankTransactions", "bank_transactions", "BankTransactionID", "BankTransaction", None,
                             True, "LineItems"),
    "Payments": Kind("Payments", "payments", "PaymentID", "Payment", "HasValidationErrors", True),
    "ManualJournals": Kind("ManualJournals", "manual_journals", "ManualJournalID", "ManualJournal", None, True,
                           "JournalLines"),
    "Accounts": Kind("Accounts", "accounts", "AccountID", "Account", None, False),
}


class ApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def validation_exception(elements: list[dict], message: str = "A validation exception occurred") -> ApiError:
    # §3: HTTP 400 {"ErrorNumber":10,"Type":"ValidationException","Message":...,"Elements":[...]}
    return ApiError(400, {"ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": elements})


def bad_request(message: str) -> ApiError:
    return validation_exception([{"ValidationErrors": [{"Message": message}]}], message)


def query_error(exc: QueryError) -> ApiError:
    if isinstance(exc, UnknownField):
        # Xero refuses a where/order on a field the resource lacks; the ErrorNumber 16 and Type
        # "QueryParseException" follow Xero's error-code list, the exact wording is [UNCONFIRMED].
        return ApiError(400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(exc)})
    return bad_request(str(exc))


def problem(status: int, title: str, detail: str) -> ApiError:
    return ApiError(status, {"Type": None, "Title": title, "Status": status, "Detail": detail})


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


@dataclass
class Grant:
    """One authorisation: a user approved a client for some organisations (an auth event)."""

    id: str
    client_id: str
    scope: str
    tenants: dict[str, dict] = field(default_factory=dict)  # tenant id -> connection
    revoked: bool = False


def render(value: Any, key: str | None = None) -> Any:
    """Python values -> Xero's JSON values: `/Date(ms+0000)/`, money with 2 dp (§9)."""
    if isinstance(value, dict):
        return {k: render(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, key) for v in value]
    if isinstance(value, datetime | date):
        return parsing.format_msdate(value)
    if isinstance(value, Decimal):
        places = 2
        if key in FOUR_DP_KEYS:
            exponent = value.normalize().as_tuple().exponent
            places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
        return value.quantize(Decimal(1).scaleb(-places))
    return value


class XeroSandbox:
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

    def expire_access_tokens(self) -> None:
        with self._lock:
            past = self.clock() - timedelta(seconds=1)
            for record in self.access_tokens.values():
                record["expires_at"] = past

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
                    org[kind.key] = [self._render_doc(books, kind.key, d) for d in getattr(books, kind.store).values()]
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

    # ------------------------------------------------------------------ OAuth (§1)
    def _authorize(self, request: Request) -> Response:
        # §1: response_type=code, client_id, redirect_uri, scope, state. The sandbox approves at once
        # and connects every organisation it holds.
        args = request.args
        if args.get("response_type") != "code":
            return _json_response({"error": "unsupported_response_type"}, 400)
        client_id, redirect_uri = args.get("client_id"), args.get("redirect_uri")
        if not client_id:
            return _json_response({"error": "invalid_request", "error_description": "client_id is required"}, 400)
        if not redirect_uri or not urlsplit(redirect_uri).scheme:
            return _json_response({"error": "invalid_request", "error_description": "redirect_uri is required"}, 400)
        scopes = (args.get("scope") or "").split()
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if not scopes or unknown:
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": args.get("state", "")})
        with self._lock:
            grant = Grant(id=new_id(), client_id=client_id, scope=" ".join(scopes))
            now = self.clock()
            for tenant_id, books in self.organisations.items():
                grant.tenants[tenant_id] = {
                    "id": new_id(), "authEventId": grant.id, "tenantId": tenant_id, "tenantType": "ORGANISATION",
                    "tenantName": books.name, "createdDateUtc": now, "updatedDateUtc": now}
            self.grants[grant.id] = grant
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"grant": grant.id, "client_id": client_id, "redirect_uri": redirect_uri,
                                "expires_at": now + timedelta(seconds=CODE_SECONDS)}
        params = {"code": code, "scope": grant.scope, "session_state": secrets.token_hex(8)}
        if args.get("state") is not None:
            params["state"] = args["state"]
        return _redirect(redirect_uri, params)

    def _client_auth(self, request: Request) -> str:
        client_id = secret = None
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                client_id = None
        else:
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
        if not client_id or not secret:
            raise ApiError(400, {"error": "invalid_client"})
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        # Any client id is accepted on first use and its secret remembered; a wrong secret later is
        # invalid_client (issue 3, standing in for an app registered at developer.xero.com).
        known = self.clients.setdefault(client_id, digest)
        if not secrets.compare_digest(known, digest):
            raise ApiError(400, {"error": "invalid_client"})
        return client_id

    def _issue(self, grant: Grant) -> dict:
        now = self.clock()
        access = secrets.token_urlsafe(32)
        self.access_tokens[access] = {"grant": grant.id, "expires_at": now + timedelta(seconds=ACCESS_TOKEN_SECONDS)}
        body = {"access_token": access, "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer",
                "scope": grant.scope}
        if "openid" in grant.scope.split():
            claims = base64.urlsafe_b64encode(json.dumps({"sub": grant.client_id}).encode()).decode().rstrip("=")
            body["id_token"] = f"eyJhbGciOiJub25lIn0.{claims}."
        if "offline_access" in grant.scope.split():  # §1: offline_access is required for a refresh token
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = {"grant": grant.id, "issued_at": now, "used_at": None, "successor": None,
                                            "revoked": False}
            body["refresh_token"] = refresh
        return body

    def _token(self, request: Request) -> Response:
        with self._lock:
            try:
                client_id = self._client_auth(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            grant_type = request.form.get("grant_type")
            now = self.clock()
            if grant_type == "authorization_code":
                code = self.codes.pop(request.form.get("code", ""), None)
                if (code is None or code["client_id"] != client_id or code["expires_at"] < now
                        or (request.form.get("redirect_uri") and request.form["redirect_uri"] != code["redirect_uri"])):
                    return _json_response({"error": "invalid_grant"}, 400)
                return _json_response(self._issue(self.grants[code["grant"]]), 200, no_store=True)
            if grant_type == "refresh_token":
                token = request.form.get("refresh_token", "")
                record = self.refresh_tokens.get(token)
                grant = self.grants.get(record["grant"]) if record else None
                # §1 "Failure mode": a stale, rotated, revoked or unknown refresh token is HTTP 400
                # {"error":"invalid_grant"}.
                if (record is None or grant is None or grant.revoked or record["revoked"]
                        or grant.client_id != client_id
                        or now - record["issued_at"] > timedelta(days=REFRESH_TOKEN_DAYS)):
                    return _json_response({"error": "invalid_grant"}, 400)
                if record["used_at"] is not None:
                    # §1 rotation: the old token may be retried for 30 minutes only when the answer was
                    # lost, i.e. its successor was never used. The successor it replaces is revoked.
                    successor = self.refresh_tokens.get(record["successor"] or "")
                    if now - record["used_at"] > REFRESH_GRACE or (successor and successor["used_at"] is not None):
                        return _json_response({"error": "invalid_grant"}, 400)
                    if successor:
                        successor["revoked"] = True
                body = self._issue(grant)
                record["used_at"] = now
                record["successor"] = body.get("refresh_token")
                return _json_response(body, 200, no_store=True)
            return _json_response({"error": "unsupported_grant_type"}, 400)

    def _revocation(self, request: Request) -> Response:
        with self._lock:
            try:
                client_id = self._client_auth(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            record = self.refresh_tokens.get(request.form.get("token", ""))
            if record is not None:
                grant = self.grants.get(record["grant"])
                if grant is not None and grant.client_id == client_id:
                    # §1: "Revoking removes all of that user's connections"
                    grant.revoked = True
                    grant.tenants.clear()
            return Response(b"", 200)

    def _bearer_grant(self, request: Request) -> Grant:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
        record = self.access_tokens.get(header[7:].strip())
        grant = self.grants.get(record["grant"]) if record else None
        if record is None or grant is None or grant.revoked:
            raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
        if record["expires_at"] <= self.clock():  # §1: access tokens live 30 minutes
            raise problem(401, "Unauthorized", f"TokenExpired: token expired at {record['expires_at']:%m/%d/%Y %H:%M:%S}")
        return grant

    def _connections(self, request: Request) -> Response:
        with self._lock:
            try:
                grant = self._bearer_grant(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            wanted = request.args.get("authEventId")
            rows = [dict(c, createdDateUtc=_iso(c["createdDateUtc"]), updatedDateUtc=_iso(c["updatedDateUtc"]))
                    for g in self.grants.values() if g.client_id == grant.client_id and not g.revoked
                    for c in g.tenants.values() if (wanted is None or c["authEventId"] == wanted)]
            # one row per tenant: the latest authorisation wins
            latest: dict[str, dict] = {}
            for row in rows:
                latest[row["tenantId"]] = row
            return _json_response(list(latest.values()), 200)

    def _connection_delete(self, request: Request, conn_id: str) -> Response:
        with self._lock:
            try:
                grant = self._bearer_grant(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            for g in self.grants.values():
                if g.client_id != grant.client_id:
                    continue
                for tenant_id, conn in list(g.tenants.items()):
                    if conn["id"] == conn_id:  # §1: DELETE /connections/{id} uses the connection id
                        del g.tenants[tenant_id]
                        return Response(b"", 204)
            return _json_response({"Type": None, "Title": "NotFound", "Status": 404, "Detail": "No connection"}, 404)

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

    def _json_body(self, request: Request) -> Any:
        raw = request.get_data()
        if not raw.strip():
            raise bad_request("The request body is empty")
        try:
            return json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise bad_request("The request body is not valid JSON") from None

    def _envelope(self, key: str, documents: list, extra: dict | None = None) -> dict:
        return {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": "Xero Sandbox",
                "DateTimeUTC": self.clock(), **(extra or {}), key: documents}

    def _dispatch(self, request: Request, books: Books, rest: str) -> tuple[int, Any]:
        parts = [p for p in rest.split("/") if p]
        method = request.method
        resource = parts[0] if parts else ""
        if resource == "Organisation" and len(parts) == 1 and method == "GET":
            return 200, self._envelope("Organisations", [books.organisation])
        if resource == "TaxRates" and len(parts) == 1 and method == "GET":
            return 200, self._envelope("TaxRates", books.tax_rates())
        if resource == "ContactGroups":
            return self._contact_groups(request, books, parts[1:])
        if resource == "TrackingCategories":
            return self._tracking(request, books, parts[1:])
        kind = KINDS.get(resource)
        if kind is None:
            raise problem(404, "NotFound", f"The resource /{rest} is not available in the sandbox")
        if resource == "Accounts" and method != "GET":
            raise problem(405, "Method Not Allowed", "The sandbox's chart of accounts is read-only")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._list(request, books, kind)
            if method in ("PUT", "POST"):
                if resource == "Payments" and method == "POST":
                    body = self._json_body(request)  # spec: POST /Payments takes one Payment object
                    return self._write(request, books, kind, {"Payments": [body]} if "Payments" not in body else body)
                return self._write(request, books, kind, self._json_body(request))
        if len(parts) >= 3 and parts[2] == "Attachments" and resource in attachments.RESOURCES:
            return self._attachments(request, books, kind, parts)
        if resource == "CreditNotes" and len(parts) >= 3 and parts[2] == "Allocations":
            return self._allocations(request, books, parts)
        if len(parts) == 2:
            doc = self._find(books, kind, parts[1])
            if method == "GET":
                if doc is None:
                    raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
                return 200, self._envelope(kind.key, [self._render_doc(books, kind.key, doc)])
            if doc is None:
                raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
            if method == "POST":
                body = self._json_body(request)
                if resource == "Payments":
                    element = body["Payments"][0] if isinstance(body.get("Payments"), list) and body["Payments"] \
                        else body
                    try:
                        payment = books.delete_payment(doc, element)
                    except ElementError as exc:
                        raise validation_exception([{"PaymentID": doc["PaymentID"], "ValidationErrors": [
                            {"Message": m} for m in exc.messages]}]) from None
                    return 200, self._envelope("Payments", [self._render_doc(books, "Payments", payment)])
                elements = body.get(kind.key) if isinstance(body, dict) else None
                if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
                    raise bad_request(f"POST /{kind.key}/{{id}} takes {{\"{kind.key}\": [one element]}}")
                element = dict(elements[0], **{kind.id_key: doc[kind.id_key]})
                return self._write(request, books, kind, {kind.key: [element]})
            if method == "DELETE" and resource == "Items":
                del books.items[doc["ItemID"]]
                return 204, None
        raise problem(405, "Method Not Allowed", f"{method} /{rest} is not supported")

    def _attachments(self, request: Request, books: Books, kind: Kind, parts: list[str]) -> tuple[int, Any]:
        doc = self._find(books, kind, parts[1])
        if doc is None:
            raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
        base = request.host_url.rstrip("/") + request.script_root
        try:
            status, body = attachments.serve(request, books.files, kind.key, doc, kind.id_key, parts[3:], base, new_id)
        except attachments.AttachmentError as exc:
            if exc.status == 400:
                raise bad_request(exc.message) from None
            raise problem(exc.status, "Attachment", exc.message) from None
        if isinstance(body, dict):
            books.touch(doc)
            body = self._envelope("Attachments", body["Attachments"])
        return status, body

    def _allocations(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        note = books.credit_notes.get(parts[1].lower())
        if note is None:
            raise problem(404, "NotFound", f"CreditNote {parts[1]} was not found")
        if len(parts) == 4 and request.method == "DELETE":
            try:
                allocation = books.delete_allocation(note, parts[3])
            except ElementError as exc:
                raise problem(404, "NotFound", "; ".join(exc.messages)) from None
            return 200, self._envelope("Allocations", [allocation])
        if len(parts) != 3 or request.method != "PUT":
            raise problem(405, "Method Not Allowed", f"{request.method} is not supported on Allocations")
        body = self._json_body(request)
        elements = body.get("Allocations") if isinstance(body, dict) else None
        if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
            raise bad_request("The request body must be an object with an Allocations list")
        done, failed = [], []
        for element in elements:
            try:
                done.append(books.allocate_credit_note(note, element))
            except ElementError as exc:
                failed.append(dict(_echo("Allocation", element), StatusAttributeString="ERROR",
                                   ValidationErrors=[{"Message": m} for m in exc.messages]))
        if failed and request.args.get("summarizeErrors", "true").lower() != "false":
            raise validation_exception([render(e) for e in failed])
        return 200, self._envelope("Allocations", done + failed)

    def _find(self, books: Books, kind: Kind, ident: str) -> dict | None:
        store = getattr(books, kind.store)
        doc = store.get(ident.lower())
        if doc is not None:
            return doc
        for candidate in store.values():  # /Invoices/{InvoiceNumber}, /Contacts/{ContactNumber}, /Items/{Code}
            for key in (kind.number_key, "ContactNumber" if kind.key == "Contacts" else None,
                        "Code" if kind.key == "Items" else None):
                if key and candidate.get(key) == ident:
                    return candidate
        return None

    def _unitdp(self, request: Request) -> int:
        value = request.args.get("unitdp")
        if value in (None, "", "2"):
            return 2
        if value == "4":
            return 4
        raise bad_request("unitdp must be 2 or 4")

    def _write(self, request: Request, books: Books, kind: Kind, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get(kind.key), list):
            raise bad_request(f"The request body must be an object with a {kind.key} list")
        unknown = set(body) - {kind.key}
        if unknown:
            raise bad_request(f"Unknown top-level field(s): {', '.join(sorted(unknown))}")
        summarize = request.args.get("summarizeErrors", "true").lower() != "false"
        unitdp = self._unitdp(request)
        results, failed = [], []
        for element in body[kind.key]:
            try:
                if not isinstance(element, dict):
                    raise ElementError(f"Each of {kind.key} must be an object")
                doc = self._write_one(request, books, kind, element, unitdp)
                results.append(dict(self._render_doc(books, kind.key, doc), StatusAttributeString="OK"))
            except ElementError as exc:
                echo = _echo(kind.schema, element if isinstance(element, dict) else {})
                # A failed element keeps the id it was sent with (Xero's createPayments example answers a
                # refused payment with its PaymentID); a new one has none yet and carries the all-zero
                # ID (§3).
                sent_id = element.get(kind.id_key) if isinstance(element, dict) else None
                echo[kind.id_key] = str(sent_id).lower() if isinstance(sent_id, str) and sent_id else ZERO_ID
                if kind.error_flag:
                    echo[kind.error_flag] = True
                echo["StatusAttributeString"] = "ERROR"
                echo["ValidationErrors"] = [{"Message": m} for m in exc.messages]
                results.append(echo)
                failed.append(echo)
        if failed and summarize:
            # §3: summarised (the wire default): HTTP 400 with the failed elements; the valid ones
            # in the same request are still created, but their IDs are not returned.
            raise validation_exception([render(e) for e in failed])
        return 200, self._envelope(kind.key, results)

    def _write_one(self, request: Request, books: Books, kind: Kind, element: dict, unitdp: int) -> dict:
        if kind.key == "Contacts":
            return books.write_contact(element)
        if kind.key == "Items":
            return books.write_item(element, method=request.method)
        if kind.key == "Invoices":
            return books.write_invoice(element, kind="Invoice", unitdp=unitdp)
        if kind.key == "CreditNotes":
            return books.write_invoice(element, kind="CreditNote", unitdp=unitdp)
        if kind.key == "PurchaseOrders":
            return books.write_purchase_order(element, unitdp=unitdp)
        if kind.key == "BankTransactions":
            return books.write_bank_transaction(element, unitdp=unitdp)
        if kind.key == "Payments":
            return books.create_payment(element)
        if kind.key == "ManualJournals":
            return books.write_manual_journal(element)
        raise ElementError(f"{kind.key} cannot be written")

    def _list(self, request: Request, books: Books, kind: Kind) -> dict:
        args = request.args
        docs = list(getattr(books, kind.store).values())
        try:
            if kind.key == "Contacts" and args.get("includeArchived", "").lower() != "true":
                docs = [d for d in docs if d.get("ContactStatus") != "ARCHIVED"]
            for param, key in (("IDs", kind.id_key), ("InvoiceNumbers", "InvoiceNumber"),
                               ("ContactIDs", "Contact.ContactID"), ("Statuses", "Status")):
                if args.get(param):  # §4: the explicit list params of /Invoices (and IDs of /Contacts)
                    wanted = {v.strip().lower() for v in args[param].split(",") if v.strip()}
                    docs = [d for d in docs if str(_path(d, key) or "").lower() in wanted]
            if kind.key == "PurchaseOrders":  # §4: /PurchaseOrders has Status, DateFrom, DateTo, no where
                if args.get("Status"):
                    docs = [d for d in docs if d["Status"] == args["Status"]]
                for param, cmp in (("DateFrom", lambda a, b: a >= b), ("DateTo", lambda a, b: a <= b)):
                    if args.get(param):
                        bound = parse_header_datetime(args[param]).date()
                        docs = [d for d in docs if cmp(d["Date"], bound)]
            if args.get("where"):
                predicate = parse_where(args["where"], kind.schema)
                docs = [d for d in docs if predicate(d)]
            if args.get("searchTerm"):
                term = args["searchTerm"].casefold()
                fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress") \
                    if kind.key == "Contacts" else ("InvoiceNumber", "Reference", "CreditNoteNumber")
                docs = [d for d in docs if any(term in str(d.get(f) or "").casefold() for f in fields)]
            since = request.headers.get("If-Modified-Since")
            if since:  # §4: compared against UpdatedDateUTC
                moment = parse_header_datetime(since)
                docs = [d for d in docs if d.get("UpdatedDateUTC") and d["UpdatedDateUTC"] >= moment]
            if args.get("order"):
                field_name, _, direction = args["order"].strip().partition(" ")
                check_field_path(kind.schema, field_name)
                docs.sort(key=lambda d: (_path(d, field_name) is None, _sortable(_path(d, field_name))),
                          reverse=direction.strip().upper() == "DESC")
        except QueryError as exc:
            raise query_error(exc) from None
        extra = None
        page_arg = args.get("page")
        rendered_all = page_arg is None
        if kind.paged and page_arg is not None:
            try:
                page = max(1, int(page_arg))
                size = int(args.get("pageSize") or 100)
            except ValueError:
                raise bad_request("page and pageSize must be integers") from None
            size = min(max(size, 1), 1000)  # §4: pageSize up to 1000 (clamping is [UNCONFIRMED])
            count = len(docs)
            extra = {"pagination": {"page": page, "pageSize": size, "pageCount": max(1, -(-count // size)),
                                    "itemCount": count}}
            docs = docs[(page - 1) * size: page * size]
        rendered = []
        for doc in docs:
            out = self._render_doc(books, kind.key, doc)
            # §4: unpaged list GETs return summaries without line details; summaryOnly likewise. The
            # lines are an empty list, not absent: Xero's getInvoices example shows `LineItems: []`, and
            # the SDK's BankTransaction and ManualJournal models refuse an answer without them.
            if kind.line_key and (rendered_all or args.get("summaryOnly", "").lower() == "true"):
                out[kind.line_key] = []
            rendered.append(out)
        return self._envelope(kind.key, rendered, extra)

    def _render_doc(self, books: Books, key: str, doc: dict) -> dict:
        out = copy.deepcopy(doc)
        if key == "Invoices":
            out.setdefault("CreditNotes", [])
        if key == "CreditNotes":
            # A credit note has no AmountPaid or AmountCredited in the spec (CreditNote schema): what is
            # paid or allocated shows as Payments, Allocations and RemainingCredit.
            out.pop("AmountPaid", None)
            out.pop("AmountCredited", None)
            out.setdefault("Allocations", [])
        if key == "Contacts":
            out["ContactGroups"] = [{"ContactGroupID": g["ContactGroupID"], "Name": g["Name"], "Status": g["Status"]}
                                    for g in books.groups.values()
                                    if g["Status"] == "ACTIVE" and doc["ContactID"] in g["ContactIDs"]]
        return render(out)

    def _render_group(self, books: Books, group: dict) -> dict:
        contacts = [books.contact_summary(books.contacts[cid]) for cid in group["ContactIDs"] if cid in books.contacts]
        return render({"ContactGroupID": group["ContactGroupID"], "Name": group["Name"], "Status": group["Status"],
                       "Contacts": contacts})

    # ------------------------------------------------------------------ contact groups (§7 ContactGroups)
    def _contact_groups(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        method = request.method
        if not parts:
            if method == "GET":  # §7: only ACTIVE groups are returned
                groups = [self._render_group(books, g) for g in books.groups.values() if g["Status"] == "ACTIVE"]
                if request.args.get("where"):
                    try:
                        predicate = parse_where(request.args["where"], "ContactGroup")
                    except QueryError as exc:
                        raise query_error(exc) from None
                    groups = [g for g in groups if predicate(g)]
                return 200, self._envelope("ContactGroups", groups)
            if method == "PUT":
                return self._single_writes(request, "ContactGroups", books.write_contact_group,
                                           lambda g: self._render_group(books, g), "ContactGroupID")
        group = books.groups.get(parts[0].lower())
        if group is None:
            raise problem(404, "NotFound", f"ContactGroup {parts[0]} was not found")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._envelope("ContactGroups", [self._render_group(books, group)])
            if method == "POST":
                body = self._json_body(request)
                items = body.get("ContactGroups") if isinstance(body, dict) else None
                if not isinstance(items, list) or len(items) != 1:
                    raise bad_request("POST /ContactGroups/{id} takes {\"ContactGroups\": [one group]}")
                items[0] = dict(items[0], ContactGroupID=group["ContactGroupID"])
                try:
                    books.write_contact_group(items[0])
                except ElementError as exc:
                    raise validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}]) from None
                return 200, self._envelope("ContactGroups", [self._render_group(books, group)])
        if len(parts) >= 2 and parts[1] == "Contacts":
            if len(parts) == 2 and method == "PUT":
                body = self._json_body(request)
                contacts = body.get("Contacts") if isinstance(body, dict) else None
                if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
                    raise bad_request("The request body must be {\"Contacts\": [{\"ContactID\": ...}]}")
                try:
                    added = books.add_to_group(group, contacts)
                except ElementError as exc:
                    raise validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}]) from None
                for contact in added:
                    books.touch(contact)
                return 200, self._envelope("Contacts", [render(books.contact_summary(c)) for c in added])
            if method == "DELETE":
                if len(parts) == 2:
                    group["ContactIDs"].clear()
                    return 204, None
                contact_id = parts[2].lower()
                if contact_id not in group["ContactIDs"]:
                    raise bad_request("The contact is not in this group")
                group["ContactIDs"].remove(contact_id)
                return 204, None
        raise problem(405, "Method Not Allowed", f"{method} is not supported here")

    def _single_writes(self, request, key, writer, renderer, id_key) -> tuple[int, Any]:
        body = self._json_body(request)
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise bad_request(f"The request body must be an object with a {key} list")
        out, failed = [], []
        for item in items:
            try:
                out.append(renderer(writer(item)))
            except ElementError as exc:
                sent_id = item.get(id_key)
                failed.append({id_key: sent_id if isinstance(sent_id, str) and sent_id else ZERO_ID,
                               "ValidationErrors": [{"Message": m} for m in exc.messages]})
        if failed:
            raise validation_exception(failed)
        return 200, self._envelope(key, out)

    # ------------------------------------------------------------------ tracking (§7 TrackingCategories)
    def _tracking(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        method = request.method

        def fail(exc: ElementError):
            return validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}])

        def single_body() -> dict:
            body = self._json_body(request)
            if not isinstance(body, dict):
                raise bad_request("The request body must be an object")
            return body

        if not parts:
            if method == "GET":
                include_archived = request.args.get("includeArchived", "").lower() == "true"
                cats = [c for c in books.tracking.values()
                        if c["Status"] == "ACTIVE" or (include_archived and c["Status"] == "ARCHIVED")]
                out = []
                for cat in cats:
                    options = [o for o in cat["Options"] if include_archived or o["Status"] == "ACTIVE"]
                    out.append(render(dict(cat, Options=options)))
                return 200, self._envelope("TrackingCategories", out)
            if method == "PUT":  # spec: PUT /TrackingCategories takes one TrackingCategory object
                try:
                    category = books.create_tracking_category(single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("TrackingCategories", [render(category)])
        category = books.tracking.get(parts[0].lower())
        if category is None:
            raise problem(404, "NotFound", f"TrackingCategory {parts[0]} was not found")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._envelope("TrackingCategories", [render(category)])
            if method == "POST":
                try:
                    books.update_tracking_category(category, single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("TrackingCategories", [render(category)])
            if method == "DELETE":
                del books.tracking[category["TrackingCategoryID"]]
                return 200, self._envelope("TrackingCategories", [render(dict(category, Status="DELETED"))])
        if parts[1:2] == ["Options"]:
            if len(parts) == 2 and method == "PUT":  # spec: one TrackingOption object
                try:
                    option = books.create_tracking_option(category, single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("Options", [render(option)])
            if len(parts) == 3:
                option = next((o for o in category["Options"] if o["TrackingOptionID"] == parts[2].lower()), None)
                if option is None:
                    raise problem(404, "NotFound", f"TrackingOption {parts[2]} was not found")
                if method == "POST":
                    try:
                        books.update_tracking_option(category, option, single_body())
                    except ElementError as exc:
                        raise fail(exc) from None
                    return 200, self._envelope("Options", [render(option)])
                if method == "DELETE":
                    category["Options"].remove(option)
                    return 200, self._envelope("Options", [render(dict(option, Status="DELETED"))])
        raise problem(405, "Method Not Allowed", f"{method} is not supported here")

    # ------------------------------------------------------------------ webhooks (§8)
    def _deliver(self, events: list, request: Request) -> None:
        """§8: when a contact, invoice or credit note changes, POST a signed payload of events
        (IDs only) to the configured URL: x-xero-signature = base64(HMAC-SHA256(body, key))."""
        if not events or not self.webhook_url or not self.webhook_key:
            return
        base = request.host_url.rstrip("/") + request.script_root
        with self._lock:
            first = self._event_sequence + 1
            self._event_sequence += len(events)
            last = self._event_sequence
        now = self.clock().astimezone(UTC)
        payload_events = []
        for tenant, category, event_type, resource_id, data in events:
            collection = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}[category]
            event = {"resourceUrl": f"{base}/api.xro/2.0/{collection}/{resource_id}", "resourceId": resource_id,
                     "eventDateUtc": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}",
                     "eventType": event_type, "eventCategory": category, "tenantId": tenant,
                     "tenantType": "ORGANISATION"}
            if data:
                event["data"] = data
            payload_events.append(event)
        body = json.dumps({"events": payload_events, "firstEventSequence": first, "lastEventSequence": last,
                           "entropy": secrets.token_hex(10).upper()}).encode("utf-8")
        headers = {"Content-Type": "application/json", "x-xero-signature": sign(body, self.webhook_key)}
        record = {"url": self.webhook_url, "headers": headers, "body": body, "ok": False}
        try:
            result = self.deliver(self.webhook_url, headers, body)
            status = getattr(result, "status_code", 200)
            record["ok"] = 200 <= int(status) < 300
        except Exception as exc:  # noqa: BLE001 - a failed delivery never breaks the API call (§8 retries)
            log.warning("sandbox webhook delivery failed: %s", type(exc).__name__)
        with self._lock:
            self.webhook_deliveries.append(record)


# Xero routes its paths whatever their case: the SDK asks for /Connections (xero-identity.yaml spells it
# so) and GET /invoices works as /Invoices. Resource names are re-cased to the spec's spelling; ids and
# attachment file names keep theirs.
IDENTITY_PATHS = ("/identity/connect/authorize", "/connect/token", "/connect/revocation", "/connections",
                  "/_sandbox/state", "/_sandbox/reset")
RESOURCE_NAMES = {name.lower(): name for name in (
    "Organisation", "Accounts", "TaxRates", "Contacts", "ContactGroups", "Items", "TrackingCategories", "Options",
    "PurchaseOrders", "Invoices", "CreditNotes", "Allocations", "BankTransactions", "Payments", "ManualJournals",
    "Attachments")}


def canonical_path(path: str) -> str:
    lowered = path.lower()
    for known in IDENTITY_PATHS:
        if lowered == known or lowered.startswith(known + "/"):
            return known + path[len(known):]
    prefix = "/api.xro/2.0/"
    if not lowered.startswith(prefix):
        return path
    parts = path[len(prefix):].split("/")
    for index in (0, 2):  # /{Resource}/{id}/{SubResource}/{id or FileName}
        if index < len(parts):
            parts[index] = RESOURCE_NAMES.get(parts[index].lower(), parts[index])
    return prefix + "/".join(parts)


def _post(url: str, headers: dict, body: bytes):
    import requests

    return requests.post(url, data=body, headers=headers, timeout=5)


def _json_response(body: Any, status: int, headers: dict | None = None, *, no_store: bool = False) -> Response:
    response = Response(parsing.dumps(render(body)), status, headers=headers or {},
                        content_type="application/json; charset=utf-8")
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    return response


def _redirect(uri: str, params: dict) -> Response:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return Response(b"", 302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))})


def _iso(moment: datetime) -> str:
    # xero-identity.yaml declares these `format: date-time` (RFC 3339, zone required) though its example
    # has no zone; the sandbox follows the schema and writes UTC with a `Z`.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ceil_seconds(delta: timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 1)))


def _path(doc: dict, key: str) -> Any:
    value: Any = doc
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _sortable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, Decimal | int):
        return float(value)
    return str(value or "")


def _echo(schema: str, element: dict) -> dict:
    """The failed element as sent, minus fields the spec would not accept back."""
    return {k: v for k, v in element.items() if not check_fields(schema, {k: v})}
