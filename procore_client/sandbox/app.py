"""ProcoreSandbox: a stateful fake of Procore's REST API and OAuth as one WSGI application.

Faces (one app): the API (``/rest/v1.0|v1.1|v2.0/...``), OAuth (``/oauth/authorize|token|revoke``),
and the test helpers ``GET /_sandbox/state``, ``POST /_sandbox/reset``, ``POST /_sandbox/records``
(``{kind, data}``: act as a Procore user in the web app). Mounted elsewhere (e.g. under
``/procore`` with werkzeug's DispatcherMiddleware), every absolute URL it builds (``Link`` headers,
redirects) comes from the request, never a hard-coded host.

Simulated faults (``fail_next``, ``set_fault_rates``): in process (``environ["sandbox.in_process"]``,
see tests/fixtures/sandbox_transport.py) a ``timeout`` answers with ``X-Sandbox-Simulate: timeout``
and commits nothing, a ``drop`` commits and answers with ``X-Sandbox-Simulate: drop``. Over real
HTTP a timeout sleeps ``timeout_seconds`` then answers 504 (nothing committed) and a drop commits,
then answers 502 with an empty body.
"""

from __future__ import annotations

import copy
import json
import os
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..auth import OAuthToken
from .records import KINDS, ValidationFailed
from .state import COMMITMENT_KINDS, Store, iso

ACCESS_TOKEN_SECONDS = 5400  # §3: access token = 5400 s (90 min)
AUTH_CODE_SECONDS = 600  # §3: auth code is single-use, expires in 10 minutes
DEFAULT_RATE_LIMIT = (3600, 3600.0)  # §5 historic docs: 3,600 requests per hour
RATE_LIMIT_MESSAGE = ("You have surpassed the max number of requests for an hour. "
                      "Please wait until your limit resets.")  # §5 (DOC@f0acbad, RUBY:requestable.rb)
MISSING_COMPANY_MESSAGE = "Missing Procore-Company-Id header!"  # §4 (DOC:tutorials/tutorial_mpz.md)
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000  # the sandbox's generic cap (Procore recommends <= 2000, §6)
PER_PAGE_CAPS = {"/rest/v1.1/projects": 300}  # OAS:RestV11ProjectsGet: max 300; v2.0 lists: 100 (§6)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(ts: float) -> str:
    value = (int(ts * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _default_deliver(url: str, headers: dict[str, str], body: bytes) -> int:
    import requests

    return requests.post(url, data=body, headers=headers, timeout=5).status_code


class Reply(Exception):
    """Stop handling and answer this (status, JSON body, headers)."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


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


def _rules() -> list[Rule]:
    r = []

    def add(path: str, endpoint: str, methods: list[str]) -> None:
        r.append(Rule(path, endpoint=endpoint, methods=methods))

    add("/oauth/authorize", "oauth_authorize", ["GET"])
    add("/oauth/token", "oauth_token", ["POST"])
    add("/oauth/revoke", "oauth_revoke", ["POST"])
    add("/oauth/token/info", "oauth_token_info", ["GET"])
    add("/_sandbox/state", "sandbox_state", ["GET"])
    add("/_sandbox/reset", "sandbox_reset", ["POST"])
    add("/_sandbox/records", "sandbox_records", ["POST"])
    v10, v11, v20 = "/rest/v1.0", "/rest/v1.1", "/rest/v2.0"
    add(f"{v10}/me", "me", ["GET"])
    add(f"{v10}/companies", "companies", ["GET"])
    add(f"{v10}/vendors", "vendors", ["GET", "POST"])
    add(f"{v10}/vendors/sync", "vendors_sync", ["PATCH"])
    add(f"{v10}/vendors/<int:id>", "vendor", ["GET", "PATCH"])
    add(f"{v10}/companies/<int:company_id>/vendors/inactive", "vendors_inactive", ["GET"])
    add(f"{v10}/companies/<int:company_id>/vendors/inactive/<int:id>", "vendor_reactivate", ["PATCH"])
    add(f"{v10}/projects", "projects_v10", ["GET", "POST"])
    add(f"{v11}/projects", "projects_v11", ["GET"])
    add(f"{v10}/projects/sync", "projects_sync", ["PATCH"])
    add(f"{v10}/projects/<int:id>", "project", ["GET", "PATCH"])
    add(f"{v10}/companies/<int:company_id>/project_stages", "project_stages", ["GET", "POST"])
    add(f"{v10}/companies/<int:company_id>/project_stages/<int:id>", "project_stage", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/standard_cost_code_lists", "standard_cost_code_lists", ["GET", "POST"])
    add(f"{v10}/standard_cost_codes", "standard_cost_codes", ["GET", "POST"])
    add(f"{v10}/line_item_types", "line_item_types", ["GET", "POST"])
    add(f"{v10}/line_item_types/sync", "line_item_types_sync", ["PATCH"])
    add(f"{v10}/cost_codes", "cost_codes", ["GET", "POST"])
    add(f"{v10}/commitments", "commitments", ["GET"])
    for kind in COMMITMENT_KINDS:
        res = f"{v10}/{kind}s"
        add(res, f"{kind}|collection", ["GET", "POST"])
        add(f"{res}/sync", f"{kind}|sync", ["PATCH"])
        add(f"{res}/<int:id>", f"{kind}|member", ["GET", "PATCH", "DELETE"])
        add(f"{res}/<int:contract_id>/line_items", f"{kind}|line_items", ["GET", "POST"])
    add(f"{v10}/projects/<int:project_id>/commitment_change_orders", "ccos", ["GET", "POST"])
    add(f"{v10}/projects/<int:project_id>/commitment_change_orders/<int:id>", "cco", ["GET", "PATCH", "DELETE"])
    add(f"{v20}/companies/<int:company_id>/projects/<int:project_id>/commitment_change_orders/<int:id>/line_items",
        "cco_line_items", ["GET", "POST"])
    add(f"{v11}/requisitions", "requisitions", ["GET", "POST"])
    add(f"{v11}/requisitions/<int:id>", "requisition", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/contract_payments", "contract_payments", ["GET", "POST"])
    add(f"{v10}/contract_payments/<int:id>", "contract_payment", ["GET", "PATCH", "DELETE"])
    add(f"{v11}/projects/<int:project_id>/direct_costs", "direct_costs", ["GET", "POST"])
    add(f"{v11}/projects/<int:project_id>/direct_costs/<int:id>", "direct_cost", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/prime_contracts", "prime_contracts", ["GET"])
    add(f"{v10}/prime_contract", "prime_contract_create", ["POST"])
    add(f"{v10}/prime_contract/<int:id>", "prime_contract", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/payment_applications", "payment_applications", ["GET"])
    add(f"{v10}/payment_applications/<int:id>", "payment_application", ["GET"])
    add(f"{v10}/prime_contracts/<int:prime_contract_id>/payment_applications", "prime_payment_applications",
        ["GET", "POST"])
    # OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationsIdPatch
    add(f"{v10}/prime_contracts/<int:prime_contract_id>/payment_applications/<int:id>", "prime_payment_application",
        ["PATCH"])
    add(f"{v10}/webhooks/hooks", "hooks", ["GET", "POST"])
    add(f"{v10}/webhooks/hooks/<int:id>", "hook", ["PATCH", "DELETE"])
    add(f"{v10}/webhooks/hooks/<int:hook_id>/triggers", "triggers", ["GET", "POST"])
    add(f"{v10}/webhooks/hooks/<int:hook_id>/triggers/<int:id>", "trigger", ["DELETE"])
    return r


class ProcoreSandbox:
    """A fake Procore holding one company. See the module docstring; rules cite api/procore.md (§n)."""

    def __init__(
        self,
        *,
        rate_limits: bool = True,
        clock: Callable[[], float] | None = None,
        deliver: Callable[[str, dict[str, str], bytes], Any] | None = None,
        company_name: str = "Sandbox Builders Ltd",
        timeout_seconds: float | None = None,
    ):
        self.clock = clock or time.time
        self.deliver = deliver or _default_deliver
        self.rate_limits = rate_limits
        self.company_name = company_name
        #: How long an over-HTTP simulated timeout sleeps before its 504 (env PROCORE_SANDBOX_TIMEOUT_SECONDS).
        self.timeout_seconds = (timeout_seconds if timeout_seconds is not None
                                else float(os.environ.get("PROCORE_SANDBOX_TIMEOUT_SECONDS", "35")))
        self.company_id = 5_000_000_001  # bigger than 32 bits on purpose (§4: ids are 64-bit)
        self.url_map = Map(_rules(), strict_slashes=False)
        self._lock = threading.RLock()
        self._random = random.Random(0)
        self.rate_limit, self.rate_window = DEFAULT_RATE_LIMIT
        self.reset()

    # -- public helpers ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to a fresh sandbox: one company and nothing else."""
        with self._lock:
            self.store = Store(self.clock, self.company_id, self.company_name)
            self.calls: list[tuple[str, str]] = []
            self.clients: dict[str, str] = {}
            self.codes: dict[str, dict[str, Any]] = {}
            self.access_tokens: dict[str, dict[str, Any]] = {}
            self.refresh_tokens: dict[str, dict[str, Any]] = {}
            self.hooks: dict[int, dict[str, Any]] = {}
            self.triggers: dict[int, dict[str, Any]] = {}
            self.deliveries: list[dict[str, Any]] = []
            self._pending: list[dict[str, Any]] = []
            self._faults: list[Fault] = []
            self._fault_rates: dict[str, float] = {}
            self._windows: dict[str, tuple[float, int]] = {}
            self.token_requests = {"authorization_code": 0, "refresh_token": 0, "client_credentials": 0}

    def state(self) -> dict[str, Any]:
        """A JSON-able picture of everything (no secrets, no tokens)."""
        with self._lock:
            return {
                "company": self.store.company_ref(),
                "records": self.store.snapshot(),
                "hooks": [copy.deepcopy(h) for h in self.hooks.values()],
                "triggers": [copy.deepcopy(t) for t in self.triggers.values()],
                "deliveries": [{k: v for k, v in d.items() if k != "headers"} for d in self.deliveries],
                "pending_deliveries": len(self._pending),
                "clients": sorted(self.clients),
                "live_access_tokens": len(self.access_tokens),
                "live_refresh_tokens": len(self.refresh_tokens),
                "token_requests": dict(self.token_requests),
                "calls": len(self.calls),
            }

    def create_record(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create a record as a Procore user would in the web app; returns its API rendering.

        Raises ``ValidationFailed`` (``.errors``) when Procore would refuse it.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; known: {', '.join(sorted(KINDS))}")
        with self._lock:
            record = self.store.create(kind, dict(data))
            self._event(kind, "create", record, source_app=None)
            rendered = self.store.render(kind, record)
        self.flush_deliveries()
        return rendered

    def update_record(self, kind: str, record_id: int, data: dict[str, Any], *, force: bool = False
                      ) -> dict[str, Any]:
        """Edit a record as a user; ``force`` bypasses the origin_id lock (an admin unlocking it)."""
        with self._lock:
            record = self.store.get(kind, record_id)
            if record is None:
                raise KeyError(f"no {kind} {record_id}")
            if self.store.update(kind, record, dict(data), force=force):
                self._event(kind, "update", record, source_app=None)
            rendered = self.store.render(kind, record)
        self.flush_deliveries()
        return rendered

    def delete_record(self, kind: str, record_id: int) -> None:
        with self._lock:
            record = self.store.get(kind, record_id)
            if record is None:
                raise KeyError(f"no {kind} {record_id}")
            self.store.records[kind].pop(record["id"])
            self._event(kind, "delete", record, source_app=None)
        self.flush_deliveries()

    def get_record(self, kind: str, record_id: int) -> dict[str, Any] | None:
        with self._lock:
            record = self.store.get(kind, record_id)
            return self.store.render(kind, record) if record else None

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

    def set_rate_limit(self, limit: int, window_seconds: float) -> None:
        with self._lock:
            self.rate_limit, self.rate_window = int(limit), float(window_seconds)
            self.rate_limits = True
            self._windows.clear()

    def issue_token(self, client_id: str = "sandbox-client", client_secret: str = "sandbox-secret", *,
                    expires_in: int = ACCESS_TOKEN_SECONDS, refresh: bool = True,
                    service_account: bool = False) -> OAuthToken:
        """Register the client (if new) and hand out a token pair without the HTTP dance (a user's
        token, or with ``service_account`` a client-credentials one)."""
        with self._lock:
            self.clients.setdefault(client_id, client_secret)
            data = self._new_token(client_id, with_refresh=refresh, expires_in=expires_in,
                                   service_account=service_account)
        return OAuthToken(access_token=data["access_token"], refresh_token=data.get("refresh_token"),
                          expires_at=datetime.fromtimestamp(self.clock() + expires_in, tz=UTC))

    def expire_token(self, access_token: str) -> None:
        with self._lock:
            if access_token in self.access_tokens:
                self.access_tokens[access_token]["expires"] = self.clock() - 1

    # -- WSGI -------------------------------------------------------------------------------------
    def wsgi_app(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        response = self._handle(request, in_process=bool(environ.get("sandbox.in_process")))
        if self._pending:
            # Deliver after the answer is out (call_on_close), so a receiver that calls back never deadlocks.
            response.call_on_close(self.flush_deliveries)
        return response(environ, start_response)

    __call__ = wsgi_app

    def _handle(self, request: Request, *, in_process: bool) -> Response:
        path = request.path
        with self._lock:
            self.calls.append((request.method, path))
            fault = None if path.startswith("/_sandbox/") else self._take_fault(request.method, path)
        if fault == "timeout":
            if in_process:
                return Response(b"", status=504, headers={"X-Sandbox-Simulate": "timeout"})
            time.sleep(self.timeout_seconds)
            return Response(b"", status=504)
        if isinstance(fault, int):
            return self._fault_status(fault)
        try:
            with self._lock:
                response = self._dispatch(request)
        except Reply as reply:
            response = self._json(reply.body, reply.status, reply.headers)
        except ValidationFailed as exc:
            response = self._json(exc.body, exc.status)
        except HTTPException as exc:
            response = self._json({"errors": exc.description or exc.name}, exc.code or 500)
        if fault == "drop":
            if in_process:
                response.headers["X-Sandbox-Simulate"] = "drop"
                return response
            return Response(b"", status=502)
        return response

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

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        data = b"" if body is None else json.dumps(body, default=_json_default).encode("utf-8")
        response = Response(data, status=status, mimetype="application/json")
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    def _dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            raise Reply(404, {"errors": "Not Found"}) from None
        except MethodNotAllowed:
            raise Reply(405, {"errors": "Method Not Allowed"}) from None
        if endpoint.startswith(("oauth_", "sandbox_")):
            return getattr(self, f"h_{endpoint}")(request, **values)
        client_id = self._authenticate(request)
        rate_headers = self._count_rate(client_id)
        try:
            if rate_headers.get("X-Rate-Limit-Remaining") == "-1":
                rate_headers["X-Rate-Limit-Remaining"] = "0"
                raise Reply(429, {"errors": RATE_LIMIT_MESSAGE})
            self._check_company(request, endpoint)
            request.environ["sandbox.client_id"] = client_id
            if "|" in endpoint:
                kind, action = endpoint.split("|")
                response = getattr(self, f"h_commitment_{action}")(request, kind=kind, **values)
            else:
                response = getattr(self, f"h_{endpoint}")(request, **values)
        except Reply as reply:
            response = self._json(reply.body, reply.status, reply.headers)
        except ValidationFailed as exc:
            response = self._json(exc.body, exc.status)
        for key, value in rate_headers.items():
            response.headers[key] = value
        return response

    # -- auth, company header, rate limits --------------------------------------------------------
    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        info = self.access_tokens.get(token)
        if info is None or info["expires"] <= self.clock():
            # §5: 401 = expired/invalid token.
            raise Reply(401, {"errors": "401 Unauthorized: the access token is invalid or has expired"})
        return info["client_id"]

    def _check_company(self, request: Request, endpoint: str) -> None:
        value = request.headers.get("Procore-Company-Id")
        if not value:
            if endpoint in ("me", "companies") and not self._service_account(request):
                # §4 (DOC:tutorials/tutorial_mpz.md): GET /me and GET /companies need no company header,
                # which is how a user's token finds its companies; a service account's token
                # (client credentials, DOC:oauth/oauth_client_credentials.md) must send it even there.
                return
            # §4: required on every other request. Status UNCONFIRMED (docs: "errors/404s"); the
            # sandbox answers 400 with the real message.
            raise Reply(400, {"errors": MISSING_COMPANY_MESSAGE})
        if value.strip() != str(self.company_id):
            raise Reply(403, {"errors": "App is not connected to this company"})  # §5 403 message

    def _service_account(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        info = self.access_tokens.get(header[7:].strip() if header.lower().startswith("bearer ") else "")
        return bool(info and info.get("service_account"))

    def _count_rate(self, client_id: str) -> dict[str, str]:
        """Fixed window per app (§5: limits are per app; failed calls count too)."""
        if not self.rate_limits:
            return {}
        now = self.clock()
        start, count = self._windows.get(client_id, (now, 0))
        if now >= start + self.rate_window:
            start, count = now, 0
        count += 1
        self._windows[client_id] = (start, count)
        remaining = self.rate_limit - count
        return {"X-Rate-Limit-Limit": str(self.rate_limit),
                "X-Rate-Limit-Remaining": str(max(remaining, -1)),
                "X-Rate-Limit-Reset": str(int(start + self.rate_window + 0.999))}

    # -- OAuth (§3) -------------------------------------------------------------------------------
    def _new_token(self, client_id: str, *, with_refresh: bool, expires_in: int = ACCESS_TOKEN_SECONDS,
                   service_account: bool = False) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        now = self.clock()
        data: dict[str, Any] = {"access_token": access, "token_type": "bearer", "expires_in": expires_in,
                                "created_at": int(now)}
        info: dict[str, Any] = {"client_id": client_id, "expires": now + expires_in, "refresh": None,
                                "service_account": service_account}
        if with_refresh:
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = {"client_id": client_id, "access": access}
            info["refresh"] = refresh
            data["refresh_token"] = refresh
        self.access_tokens[access] = info
        return data

    @staticmethod
    def _form(request: Request) -> dict[str, Any]:
        if request.mimetype == "application/json":
            data = request.get_json(silent=True)
            return data if isinstance(data, dict) else {}
        return request.form.to_dict()

    def _check_client(self, form: dict[str, Any]) -> str:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not client_id or not secret:
            raise Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        known = self.clients.setdefault(client_id, secret)  # any client id accepted on first use
        if not secrets.compare_digest(known, secret):
            raise Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        return client_id

    def h_oauth_authorize(self, request: Request) -> Response:
        """Approves at once and redirects with the code and the state (the sandbox's user says yes)."""
        args = request.args
        client_id, redirect_uri = args.get("client_id"), args.get("redirect_uri")
        if args.get("response_type") != "code" or not client_id or not redirect_uri:
            # OAS:OauthAuthorizeGet: response_type, client_id, redirect_uri are required.
            raise Reply(400, {"error": "invalid_request",
                              "error_description": "response_type=code, client_id and redirect_uri are required"})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri,
                            "expires": self.clock() + AUTH_CODE_SECONDS}
        if redirect_uri == "urn:ietf:wg:oauth:2.0:oob":  # §3: headless flow shows the code
            return self._json({"code": code})
        query = {"code": code}
        if args.get("state") is not None:
            query["state"] = args["state"]
        target = urljoin(request.host_url, redirect_uri)  # relative redirect URIs resolve against the request
        separator = "&" if "?" in target else "?"
        return Response(status=302, headers={"Location": f"{target}{separator}{urlencode(query)}"})

    def h_oauth_token(self, request: Request) -> Response:
        form = self._form(request)
        client_id = self._check_client(form)
        grant = form.get("grant_type")
        if grant in self.token_requests:
            self.token_requests[grant] += 1
        if grant == "authorization_code":
            info = self.codes.pop(form.get("code") or "", None)  # single use
            if (info is None or info["client_id"] != client_id or info["expires"] <= self.clock()
                    or (form.get("redirect_uri") and form["redirect_uri"] != info["redirect_uri"])):
                raise Reply(400, {"error": "invalid_grant", "error_description": "The provided authorization "
                                  "grant is invalid, expired, revoked, or was issued to another client."})
            return self._json(self._new_token(client_id, with_refresh=True))
        if grant == "refresh_token":
            # §3: single use — the old refresh token dies now, even if this answer is lost (drop fault).
            info = self.refresh_tokens.pop(form.get("refresh_token") or "", None)
            if info is None or info["client_id"] != client_id:
                raise Reply(400, {"error": "invalid_grant", "error_description": "The provided authorization "
                                  "grant is invalid, expired, revoked, or was issued to another client."})
            return self._json(self._new_token(client_id, with_refresh=True))
        if grant == "client_credentials":
            # DOC:oauth/oauth_client_credentials.md: the answer carries no refresh_token.
            return self._json(self._new_token(client_id, with_refresh=False, service_account=True))
        raise Reply(400, {"error": "unsupported_grant_type",
                          "error_description": "The authorization grant type is not supported."})

    def h_oauth_revoke(self, request: Request) -> Response:
        form = self._form(request)
        self._check_client(form)
        token = form.get("token") or ""
        # §3: revoking revokes the access token and its refresh token.
        info = self.access_tokens.pop(token, None)
        if info and info.get("refresh"):
            self.refresh_tokens.pop(info["refresh"], None)
        refresh = self.refresh_tokens.pop(token, None)
        if refresh:
            self.access_tokens.pop(refresh["access"], None)
        return self._json({})

    def h_oauth_token_info(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        info = self.access_tokens.get(header[7:].strip())
        if info is None or info["expires"] <= self.clock():
            raise Reply(401, {"error": "invalid_token"})
        return self._json({"resource_owner_id": None, "scope": [], "application": {"uid": info["client_id"]},
                           "expires_in_seconds": int(info["expires"] - self.clock())})

    # -- /_sandbox --------------------------------------------------------------------------------
    def h_sandbox_state(self, request: Request) -> Response:
        return self._json(self.state())

    def h_sandbox_reset(self, request: Request) -> Response:
        self.reset()
        return self._json({"ok": True})

    def h_sandbox_records(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("kind") not in KINDS or not isinstance(body.get("data"), dict):
            raise Reply(400, {"errors": f"send {{kind, data}}; kinds: {', '.join(sorted(KINDS))}"})
        record = self.store.create(body["kind"], body["data"])
        self._event(body["kind"], "create", record, source_app=None)
        return self._json(self.store.render(body["kind"], record), 201)

    # -- request helpers --------------------------------------------------------------------------
    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise Reply(400, {"errors": "The request body must be a JSON object"})
        return data

    @staticmethod
    def _wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
        value = body.get(key)
        if not isinstance(value, dict):
            raise Reply(400, {"errors": f"param is missing or the value is empty: {key}"})
        return value

    def _param(self, request: Request, name: str, body: dict[str, Any] | None = None) -> int:
        value = (body or {}).get(name, request.args.get(name))
        if value in (None, ""):
            raise Reply(400, {"errors": f"param is missing or the value is empty: {name}"})
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Reply(400, {"errors": f"{name} is invalid"}) from None

    def _company_param(self, request: Request, body: dict[str, Any] | None = None) -> None:
        if self._param(request, "company_id", body) != self.company_id:
            raise Reply(404, {"errors": "Company not found"})

    def _project_param(self, request: Request, body: dict[str, Any] | None = None, value: int | None = None) -> int:
        project_id = value if value is not None else self._param(request, "project_id", body)
        if self.store.get("project", project_id) is None:
            raise Reply(404, {"errors": "Project not found"})
        return project_id

    def _load(self, kind: str, record_id: int, project_id: int | None = None) -> dict[str, Any]:
        record = self.store.get(kind, record_id)
        if record is None or (project_id is not None and record.get("project_id") != project_id):
            raise Reply(404, {"errors": f"{kind.replace('_', ' ').capitalize()} not found"})
        return record

    # -- listing: filters and paging (§6) ---------------------------------------------------------
    def _filtered(self, request: Request, records: list[dict[str, Any]], extra: tuple[str, ...] = ()
                  ) -> list[dict[str, Any]]:
        args = request.args
        rng = args.get("filters[updated_at]")
        if rng:
            low, high = _parse_range(rng)
            records = [r for r in records if low <= _ts(r["updated_at"]) <= high]
        if "filters[origin_id]" in args:
            records = [r for r in records if (r.get("origin_id") or "") == args["filters[origin_id]"]]
        ids = args.getlist("filters[id][]") or args.getlist("filters[id]")
        if ids:
            wanted = {int(i) for part in ids for i in part.split(",") if i.strip().isdigit()}
            records = [r for r in records if r["id"] in wanted]
        for name in ("status", *extra):
            values = args.getlist(f"filters[{name}][]") or args.getlist(f"filters[{name}]")
            if values:
                records = [r for r in records if str(r.get(name)) in values]
        return sorted(records, key=lambda r: r["id"])

    def _page(self, request: Request, items: list[dict[str, Any]], cap: int | None = None) -> Response:
        cap = cap or PER_PAGE_CAPS.get(request.path.rstrip("/")) or (100 if request.path.startswith("/rest/v2")
                                                                      else MAX_PER_PAGE)
        try:
            page = max(1, int(request.args.get("page", 1)))
            per_page = max(1, min(cap, int(request.args.get("per_page", min(DEFAULT_PER_PAGE, cap)))))
        except ValueError:
            raise Reply(400, {"errors": "page and per_page must be integers"}) from None
        total = len(items)
        last = max(1, -(-total // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        response = self._json(chunk)
        response.headers["Total"] = str(total)
        response.headers["Per-Page"] = str(per_page)
        links = []
        base = request.base_url  # absolute, from the request (works behind DispatcherMiddleware)

        def url(n: int) -> str:
            query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")]
            return f"{base}?{urlencode(query + [('page', n), ('per_page', per_page)])}"

        links.append(f'<{url(1)}>; rel="first"')
        if page > 1:
            links.append(f'<{url(page - 1)}>; rel="prev"')
        if page < last:
            links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
        response.headers["Link"] = ", ".join(links)
        return response

    def _list(self, request: Request, kind: str, *, where: Callable[[dict], bool] = lambda r: True,
              extra: tuple[str, ...] = (), view: str = "list", data: bool = False) -> Response:
        records = self._filtered(request, [r for r in self.store.records[kind].values() if where(r)], extra)
        return self._page(request, [self.store.render(kind, r, view=view) for r in records])

    # -- writes with webhooks ---------------------------------------------------------------------
    def _create(self, request: Request, kind: str, data: dict[str, Any], project_id: int | None = None) -> dict:
        record = self.store.create(kind, data, project_id=project_id)
        self._event(kind, "create", record, source_app=request.environ.get("sandbox.client_id"))
        return record

    def _update(self, request: Request, kind: str, record: dict[str, Any], data: dict[str, Any]) -> dict:
        if self.store.update(kind, record, data):
            self._event(kind, "update", record, source_app=request.environ.get("sandbox.client_id"))
        return record

    def _delete(self, request: Request, kind: str, record: dict[str, Any]) -> Response:
        self.store.delete(kind, record)
        self._event(kind, "delete", record, source_app=request.environ.get("sandbox.client_id"))
        return self._json(None, 204)

    def _sync(self, request: Request, kind: str, updates: Any, project_id: int | None = None) -> Response:
        """§6 sync semantics: id → update; origin_id found → update; otherwise create. Always 200
        with ``{entities, errors}``; each error echoes the input with its ``errors``. At most 1000."""
        if not isinstance(updates, list):
            raise Reply(400, {"errors": "param is missing or the value is empty: updates"})
        if len(updates) > 1000:
            raise Reply(400, {"errors": "updates may hold at most 1000 items"})
        entities, errors = [], []
        for update in updates:
            try:
                if not isinstance(update, dict):
                    raise ValidationFailed({"base": ["must be an object"]})
                record = None
                if update.get("id") is not None:
                    record = self.store.get(kind, update["id"])
                    if record is None or (project_id is not None and record.get("project_id") != project_id):
                        raise ValidationFailed({"id": ["not found"]})
                elif update.get("origin_id"):
                    record = self.store.by_origin_id(kind, str(update["origin_id"]))
                fields = {k: v for k, v in update.items() if k != "id"}
                if record is None:
                    record = self._create(request, kind, fields, project_id=project_id)
                else:
                    self._update(request, kind, record, fields)
                entities.append(self.store.render(kind, record))
            except ValidationFailed as exc:
                errors.append({**(update if isinstance(update, dict) else {}),
                               "errors": exc.errors if isinstance(exc.errors, dict) else {"base": [exc.errors]}})
        return self._json({"entities": entities, "errors": errors})

    # -- company level ----------------------------------------------------------------------------
    def h_me(self, request: Request) -> Response:
        return self._json({"id": 1, "login": f"{request.environ['sandbox.client_id']}@sandbox.example",
                           "name": "Sandbox Service Account"})

    def h_companies(self, request: Request) -> Response:
        return self._page(request, [{**self.store.company_ref(), "is_active": True, "logo_url": None,
                                     "my_company": True}])

    def h_vendors(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            # UNCONFIRMED: /vendors is read as the active list, since Procore has a separate
            # GET /companies/{id}/vendors/inactive (OAS:RestV10CompaniesCompanyIdVendorsInactiveGet).
            return self._list(request, "vendor", where=lambda r: r.get("is_active", True))
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "vendor", self._wrapped(body, "vendor"))
        return self._json(self.store.render("vendor", record), 201)

    def h_vendor(self, request: Request, id: int) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._json(self.store.render("vendor", self._load("vendor", id)))
        body = self._body(request)
        self._company_param(request, body)
        data = self._wrapped(body, "vendor")
        if not data.get("name"):
            # OAS:RestV10VendorsIdPatch lists vendor.name as required on update too.
            raise ValidationFailed({"name": ["can't be blank"]})
        record = self._update(request, "vendor", self._load("vendor", id), data)
        return self._json(self.store.render("vendor", record))

    def h_vendors_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)  # OAS:RestV10VendorsSyncPatch: company_id, updates required
        return self._sync(request, "vendor", body.get("updates"))

    def h_vendors_inactive(self, request: Request, company_id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        return self._list(request, "vendor", where=lambda r: not r.get("is_active", True))

    def h_vendor_reactivate(self, request: Request, company_id: int, id: int) -> Response:
        record = self._update(request, "vendor", self._load("vendor", id), {"is_active": True})
        return self._json(self.store.render("vendor", record))

    def _projects(self, request: Request) -> Response:
        self._company_param(request)
        status = request.args.get("filters[by_status]", "Active")  # §7: default active only
        stages = {int(s) for s in request.args.getlist("filters[by_stage][]") + request.args.getlist(
            "filters[by_stage]") if s.isdigit()}

        def where(r: dict) -> bool:
            if status == "Active" and not r.get("active"):
                return False
            if status == "Inactive" and r.get("active"):
                return False
            return not stages or r.get("project_stage_id") in stages

        return self._list(request, "project", where=where, extra=("project_number",))

    def h_projects_v10(self, request: Request) -> Response:
        if request.method == "GET":
            return self._projects(request)
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "project", self._wrapped(body, "project"))
        return self._json(self.store.render("project", record), 201)

    def h_projects_v11(self, request: Request) -> Response:
        return self._projects(request)

    def h_project(self, request: Request, id: int) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._json(self.store.render("project", self._load("project", id)))
        body = self._body(request)
        self._company_param(request, body)  # OAS:RestV10ProjectsIdPatch: company_id, project required
        record = self._update(request, "project", self._load("project", id), self._wrapped(body, "project"))
        return self._json(self.store.render("project", record))

    def h_projects_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)
        return self._sync(request, "project", body.get("updates"))

    def h_project_stages(self, request: Request, company_id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        if request.method == "GET":
            return self._list(request, "project_stage")
        record = self._create(request, "project_stage", self._wrapped(self._body(request), "project_stage"))
        return self._json(self.store.render("project_stage", record), 201)

    def h_project_stage(self, request: Request, company_id: int, id: int) -> Response:
        record = self._load("project_stage", id)
        if request.method == "GET":
            return self._json(self.store.render("project_stage", record))
        if request.method == "DELETE":
            return self._delete(request, "project_stage", record)
        record = self._update(request, "project_stage", record, self._wrapped(self._body(request), "project_stage"))
        return self._json(self.store.render("project_stage", record))

    def h_standard_cost_code_lists(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._list(request, "standard_cost_code_list")
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "standard_cost_code_list", self._wrapped(body, "standard_cost_code_list"))
        return self._json(self.store.render("standard_cost_code_list", record), 201)

    def h_standard_cost_codes(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            list_id = self._param(request, "standard_cost_code_list_id")  # OAS:RestV10StandardCostCodesGet
            return self._list(request, "standard_cost_code",
                              where=lambda r: r["standard_cost_code_list_id"] == list_id)
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "standard_cost_code", self._wrapped(body, "standard_cost_code"))
        return self._json(self.store.render("standard_cost_code", record), 201)

    def h_line_item_types(self, request: Request) -> Response:
        if request.method == "GET":
            # OAS:RestV10LineItemTypesGet also marks project_id required; cost types are company-wide
            # (§7), so the sandbox asks only for company_id (UNCONFIRMED which one Procore enforces).
            self._company_param(request)
            return self._list(request, "line_item_type")
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "line_item_type", self._wrapped(body, "line_item_type"))
        return self._json(self.store.render("line_item_type", record), 201)

    def h_line_item_types_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)
        return self._sync(request, "line_item_type", body.get("updates"))

    def h_cost_codes(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)  # OAS:RestV10CostCodesGet: project_id required
            return self._list(request, "project_cost_code", where=lambda r: r["project_id"] == project_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._create(request, "project_cost_code", self._wrapped(body, "cost_code"), project_id)
        return self._json(self.store.render("project_cost_code", record), 201)

    # -- commitments (§8) -------------------------------------------------------------------------
    def h_commitments(self, request: Request) -> Response:
        project_id = self._project_param(request)
        records = [(k, r) for k in COMMITMENT_KINDS for r in self.store.records[k].values()
                   if r["project_id"] == project_id]
        records.sort(key=lambda kr: kr[1]["id"])
        return self._page(request, [self.store.render(k, r, view="list") for k, r in records])

    def h_commitment_collection(self, request: Request, kind: str) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            return self._list(request, kind, where=lambda r: r["project_id"] == project_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(self._wrapped(body, kind))
        record = self._create(request, kind, data, project_id)
        return self._json(self.store.render(kind, record), 201)

    def h_commitment_member(self, request: Request, kind: str, id: int) -> Response:
        if request.method == "GET" or request.method == "DELETE":
            project_id = self._project_param(request)
            record = self._load(kind, id, project_id)
            if request.method == "DELETE":
                if record.get("status") in ("Approved", "Complete"):
                    # DOC:tutorials/tutorial_financial_tools.md: approved/complete commitments cannot be deleted.
                    raise ValidationFailed({"base": ["An approved or complete commitment cannot be deleted"]})
                return self._delete(request, kind, record)
            return self._json(self.store.render(kind, record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load(kind, id, project_id)
        data = self._wrapped(body, kind)
        if record.get("status") in ("Approved", "Complete") and (
            ("vendor_id" in data and data["vendor_id"] != record.get("vendor_id")) or "line_items" in data
        ):
            # DOC:tutorials/tutorial_financial_tools.md: approved commitments cannot change vendor or SOV.
            raise ValidationFailed({"base": ["The vendor and schedule of values of an approved commitment are locked"]})
        record = self._update(request, kind, record, data)
        return self._json(self.store.render(kind, record))

    def h_commitment_sync(self, request: Request, kind: str) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)
        return self._sync(request, kind, body.get("updates"), project_id)

    def h_commitment_line_items(self, request: Request, kind: str, contract_id: int) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            record = self._load(kind, contract_id, project_id)
            lines = self.store.render(kind, record)["line_items"]
            return self._page(request, lines)
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load(kind, contract_id, project_id)
        line = self._wrapped(body, "line_item")
        existing = [{"id": li["id"]} for li in record.get("line_items") or []]
        self._update(request, kind, record, {"line_items": existing + [line]})
        return self._json(self.store.render(kind, record)["line_items"][-1], 201)

    # -- commitment change orders (§8) ------------------------------------------------------------
    def h_ccos(self, request: Request, project_id: int) -> Response:
        self._project_param(request, value=project_id)
        if request.method == "GET":
            return self._list(request, "commitment_change_order", where=lambda r: r["project_id"] == project_id,
                              extra=("contract_id",))
        data = self._wrapped(self._body(request), "change_order")
        record = self._create(request, "commitment_change_order", data, project_id)
        return self._json(self.store.render("commitment_change_order", record), 201)

    def h_cco(self, request: Request, project_id: int, id: int) -> Response:
        self._project_param(request, value=project_id)
        record = self._load("commitment_change_order", id, project_id)
        if request.method == "GET":
            return self._json(self.store.render("commitment_change_order", record, view="show"))
        if request.method == "DELETE":
            return self._delete(request, "commitment_change_order", record)
        record = self._update(request, "commitment_change_order", record,
                              self._wrapped(self._body(request), "change_order"))
        return self._json(self.store.render("commitment_change_order", record))

    def h_cco_line_items(self, request: Request, company_id: int, project_id: int, id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        self._project_param(request, value=project_id)
        record = self._load("commitment_change_order", id, project_id)
        if request.method == "POST":
            body = self._body(request)
            existing = [{"id": li["id"]} for li in record.get("line_items") or []]
            self._update(request, "commitment_change_order", record, {"line_items": existing + [body]})
            return self._json({"data": _v2(self.store.cco_line(record["line_items"][-1]))}, 201)
        lines = [_v2(self.store.cco_line(li)) for li in record.get("line_items") or []]
        response = self._page(request, lines, cap=100)
        # §6: v2.0 wraps answers in {"data": ...} and sends ids as strings.
        response.set_data(json.dumps({"data": json.loads(response.get_data())}).encode())
        return response

    # -- requisitions (§9) ------------------------------------------------------------------------
    def h_requisitions(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            view = "show" if request.args.get("view") in ("extended", "items") else "list"
            return self._list(request, "requisition", where=lambda r: r["project_id"] == project_id,
                              extra=("commitment_id", "period_id"), view=view)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(body.get("requisition") or {})
        data["commitment_id"] = body.get("commitment_id")  # OAS:RestV11RequisitionsPost: top-level, required
        if data["commitment_id"] is None:
            raise Reply(400, {"errors": "param is missing or the value is empty: commitment_id"})
        record = self._create(request, "requisition", data, project_id)
        return self._json(self.store.render("requisition", record), 201)

    def h_requisition(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("requisition", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "requisition", record)
            return self._json(self.store.render("requisition", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load("requisition", id, project_id)
        commitment_id = self._param(request, "commitment_id", body)  # OAS:RestV11RequisitionsIdPatch
        if commitment_id != record["commitment_id"]:
            raise Reply(404, {"errors": "Requisition not found"})
        record = self._update(request, "requisition", record, dict(body.get("requisition") or {}))
        return self._json(self.store.render("requisition", record))

    # -- contract payments (§10) ------------------------------------------------------------------
    def h_contract_payments(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            contract_id = self._param(request, "contract_id")  # OAS:RestV10ContractPaymentsGet: required
            return self._list(request, "contract_payment",
                              where=lambda r: r["project_id"] == project_id and r["contract_id"] == contract_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(body.get("contract_payment") or {})
        data["contract_id"] = self._param(request, "contract_id", body)
        record = self._create(request, "contract_payment", data, project_id)
        return self._json(self.store.render("contract_payment", record), 201)

    def h_contract_payment(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("contract_payment", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "contract_payment", record)
            return self._json(self.store.render("contract_payment", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load("contract_payment", id, project_id)
        if self._param(request, "contract_id", body) != record["contract_id"]:
            raise Reply(404, {"errors": "Contract payment not found"})
        record = self._update(request, "contract_payment", record, dict(body.get("contract_payment") or {}))
        return self._json(self.store.render("contract_payment", record))

    # -- direct costs (§11) -----------------------------------------------------------------------
    def h_direct_costs(self, request: Request, project_id: int) -> Response:
        self._project_param(request, value=project_id)
        if request.method == "GET":
            return self._list(request, "direct_cost", where=lambda r: r["project_id"] == project_id,
                              extra=("invoice_number",))
        data = self._wrapped(self._body(request), "direct_cost")
        record = self._create(request, "direct_cost", data, project_id)
        return self._json(self.store.render("direct_cost", record), 201)

    def h_direct_cost(self, request: Request, project_id: int, id: int) -> Response:
        self._project_param(request, value=project_id)
        record = self._load("direct_cost", id, project_id)
        if request.method == "GET":
            return self._json(self.store.render("direct_cost", record))
        if request.method == "DELETE":
            return self._delete(request, "direct_cost", record)
        data = self._wrapped(self._body(request), "direct_cost")
        if "direct_cost_type" in data and data["direct_cost_type"] != record.get("direct_cost_type"):
            # OAS:RestV11ProjectsProjectIdDirectCostsIdPatch has no direct_cost_type: it cannot change.
            raise ValidationFailed({"direct_cost_type": ["cannot be changed"]})
        record = self._update(request, "direct_cost", record, data)
        return self._json(self.store.render("direct_cost", record))

    # -- prime contracts and payment applications (§12) -------------------------------------------
    def h_prime_contracts(self, request: Request) -> Response:
        project_id = self._project_param(request)
        return self._list(request, "prime_contract", where=lambda r: r["project_id"] == project_id)

    def h_prime_contract_create(self, request: Request) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._create(request, "prime_contract", self._wrapped(body, "prime_contract"), project_id)
        return self._json(self.store.render("prime_contract", record), 201)

    def h_prime_contract(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("prime_contract", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "prime_contract", record)
            return self._json(self.store.render("prime_contract", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._update(request, "prime_contract", self._load("prime_contract", id, project_id),
                              self._wrapped(body, "prime_contract"))
        return self._json(self.store.render("prime_contract", record))

    def h_payment_applications(self, request: Request) -> Response:
        project_id = self._project_param(request)
        return self._list(request, "payment_application", where=lambda r: r["project_id"] == project_id)

    def h_payment_application(self, request: Request, id: int) -> Response:
        project_id = self._project_param(request)
        return self._json(self.store.render("payment_application", self._load("payment_application", id,
                                                                               project_id)))

    def h_prime_payment_applications(self, request: Request, prime_contract_id: int) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            self._load("prime_contract", prime_contract_id, project_id)
            return self._list(request, "payment_application",
                              where=lambda r: r["prime_contract_id"] == prime_contract_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        self._load("prime_contract", prime_contract_id, project_id)
        data = {**self._wrapped(body, "payment_application"), "prime_contract_id": prime_contract_id}
        record = self._create(request, "payment_application", data, project_id)
        return self._json(self.store.render("payment_application", record), 201)

    def h_prime_payment_application(self, request: Request, prime_contract_id: int, id: int) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)  # OAS: project_id is required in the body
        record = self._load("payment_application", id, project_id)
        if record.get("prime_contract_id") != prime_contract_id:
            raise Reply(404, {"errors": "Payment Application not found"})
        record = self._update(request, "payment_application", record, self._wrapped(body, "payment_application"))
        return self._json(self.store.render("payment_application", record))

    # -- webhooks (§15) ---------------------------------------------------------------------------
    def _hook_scope(self, request: Request, body: dict[str, Any] | None = None) -> tuple[int | None, int | None]:
        source = body if body is not None else request.args
        company, project = source.get("company_id"), source.get("project_id")
        if company in (None, "") and project in (None, ""):
            # OAS:RestV10WebhooksHooksPost: "Hooks must be created within a company and/or project scope."
            raise Reply(400, {"errors": "company_id or project_id is required"})
        if project not in (None, ""):
            return None, self._project_param(request, value=int(project))
        if int(company) != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        return self.company_id, None

    def h_hooks(self, request: Request) -> Response:
        if request.method == "GET":
            company, project = self._hook_scope(request)
            namespace = request.args.get("namespace")
            hooks = [h for h in self.hooks.values() if h["owned_by_company_id"] == company
                     and h["owned_by_project_id"] == project and (not namespace or h["namespace"] == namespace)]
            return self._json(hooks)
        body = self._body(request)
        company, project = self._hook_scope(request, body)
        hook = self._wrapped(body, "hook")
        errors = {}
        for name in ("namespace", "destination_url"):
            if not hook.get(name):
                errors[name] = ["can't be blank"]
        version = str(hook.get("api_version") or "v2")
        if version not in ("v2", "v3", "v4", "v2.0", "v3.0", "v4.0"):
            errors["api_version"] = ["is not included in the list"]
        if errors:
            raise ValidationFailed(errors)
        headers = hook.get("destination_headers") or {}
        if not isinstance(headers, dict):
            raise ValidationFailed({"destination_headers": ["must be an object"]})
        record = {"id": self.store.new_id(), "api_version": version, "namespace": hook["namespace"],
                  "destination_url": hook["destination_url"], "destination_headers": dict(headers),
                  "owned_by_company_id": company, "owned_by_project_id": project, "owned_by_user_id": 1}
        self.hooks[record["id"]] = record
        return self._json(record, 201)

    def h_hook(self, request: Request, id: int) -> Response:
        hook = self.hooks.get(id)
        if hook is None:
            raise Reply(404, {"errors": "Hook not found"})
        if request.method == "DELETE":
            del self.hooks[id]
            self.triggers = {k: t for k, t in self.triggers.items() if t["webhook_hook_id"] != id}
            return self._json(None, 204)
        data = self._wrapped(self._body(request), "hook")
        for name in ("namespace", "destination_url", "destination_headers", "api_version"):
            if name in data:
                hook[name] = data[name]
        return self._json(hook)

    def h_triggers(self, request: Request, hook_id: int) -> Response:
        hook = self.hooks.get(hook_id)
        if hook is None:
            raise Reply(404, {"errors": "Hook not found"})
        if request.method == "GET":
            return self._json([t for t in self.triggers.values() if t["webhook_hook_id"] == hook_id])
        body = self._body(request)
        company, project = self._hook_scope(request, body)
        trigger = self._wrapped(body, "trigger")
        event_type = str(trigger.get("event_type") or "").lower()
        names = {k.resource_name for k in KINDS.values() if k.resource_name}
        errors = {}
        if trigger.get("resource_name") not in names:
            errors["resource_name"] = ["is not included in the list"]
        if event_type not in ("create", "update", "delete"):
            errors["event_type"] = ["is not included in the list"]
        if errors:
            raise ValidationFailed(errors)
        record = {"id": self.store.new_id(), "webhook_hook_id": hook_id, "resource_name": trigger["resource_name"],
                  "resource_id": None, "event_type": event_type, "company_id": company, "project_id": project,
                  "user_id": 1}
        self.triggers[record["id"]] = record
        return self._json(record, 201)

    def h_trigger(self, request: Request, hook_id: int, id: int) -> Response:
        trigger = self.triggers.get(id)
        if trigger is None or trigger["webhook_hook_id"] != hook_id:
            raise Reply(404, {"errors": "Trigger not found"})
        del self.triggers[id]
        return self._json(None, 204)

    # -- deliveries (§15: at least once, Authorization header echoed, ulid for dedup) -------------
    def _event(self, kind: str, event_type: str, record: dict[str, Any], *, source_app: str | None) -> None:
        name = KINDS[kind].resource_name
        if not name:
            return
        project_id = record.get("project_id")
        for trigger in self.triggers.values():
            hook = self.hooks.get(trigger["webhook_hook_id"])
            if hook is None or trigger["resource_name"] != name or trigger["event_type"] != event_type:
                continue
            if hook["owned_by_project_id"] is not None and hook["owned_by_project_id"] != project_id:
                continue
            ulid = new_ulid(self.clock())
            body = _payload(hook["api_version"], ulid=ulid, event_id=self.store.new_id(), now=self.clock(),
                            company_id=self.company_id, project_id=project_id, resource_name=name,
                            resource_id=record["id"], event_type=event_type, source_app=source_app)
            headers = {"Content-Type": "application/json", **hook["destination_headers"]}
            delivery = {"hook_id": hook["id"], "url": hook["destination_url"], "ulid": ulid, "attempts": 0,
                        "outcome": "pending", "body": body, "headers": headers}
            self.deliveries.append(delivery)
            self._pending.append(delivery)

    def flush_deliveries(self) -> int:
        """Try every pending delivery once; failures stay pending (retried on the next flush)."""
        with self._lock:
            pending, self._pending = self._pending, []
        delivered = 0
        failed = []
        for delivery in pending:
            delivery["attempts"] += 1
            try:
                result = self.deliver(delivery["url"], dict(delivery["headers"]),
                                      json.dumps(delivery["body"]).encode("utf-8"))
                status = getattr(result, "status_code", result)
                ok = status is None or (isinstance(status, int) and 200 <= status < 300)
            except Exception:  # noqa: BLE001 - any failure of the receiver means "retry later"
                ok, status = False, None
            delivery["response_status"] = status if isinstance(status, int) else None
            if ok:
                delivery["outcome"] = "ok" if delivery["attempts"] == 1 else "retried"
                delivered += 1
            else:
                delivery["outcome"] = "failing"
                failed.append(delivery)
        with self._lock:
            self._pending = failed + self._pending
        return delivered


def _payload(version: str, *, ulid: str, event_id: int, now: float, company_id: int, project_id: int | None,
             resource_name: str, resource_id: int, event_type: str, source_app: str | None) -> dict[str, Any]:
    metadata = {"source_user_id": 1, "source_project_id": project_id, "source_company_id": company_id,
                "source_application_id": source_app, "source_operation_id": None}
    timestamp = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if version.startswith("v4"):
        # §15: v4 uses string ids, "reason" for event_type and "resource_type" for resource_name.
        # The exact v4 envelope is UNCONFIRMED; the sandbox keeps ulid and the v2 keys it does not rename.
        return {"id": ulid, "ulid": ulid, "timestamp": timestamp, "api_version": "v4.0",
                "company_id": str(company_id), "project_id": str(project_id) if project_id else None,
                "user_id": "1", "reason": event_type, "resource_type": resource_name,
                "resource_id": str(resource_id),
                "metadata": {k: (str(v) if v is not None else None) for k, v in metadata.items()}}
    body = {"id": event_id, "ulid": ulid, "timestamp": timestamp, "metadata": metadata, "user_id": 1,
            "company_id": company_id, "project_id": project_id, "api_version": "v2.0" if version.startswith(
                "v2") else "v3.0", "event_type": event_type, "resource_name": resource_name,
            "resource_id": resource_id}
    if version.startswith("v3"):
        body["related_resources"] = []  # §15: v3 adds related_resources[]
    return body


def _v2(line: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in line.items():
        if (key == "id" or key.endswith("_id")) and key != "origin_id" and isinstance(value, int):
            out[key] = str(value)
        else:
            out[key] = value
    out["commitment_line_item_id"] = out.get("commitment_line_item_id")
    return out


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _parse_range(value: str) -> tuple[float, float]:
    """``YYYY-MM-DD...YYYY-MM-DD`` or ISO datetimes (``DOC:tutorials/filtering_on_list_actions.md``)."""
    low_text, sep, high_text = value.partition("...")
    if not sep:
        high_text = low_text

    def parse(text: str, *, end: bool) -> float:
        text = text.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
                return moment.timestamp() + (86400 - 0.001 if end else 0)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Reply(400, {"errors": f"filters[updated_at] is not a valid range: {value[:60]}"}) from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

    return parse(low_text, end=False), parse(high_text, end=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


__all__ = ["ProcoreSandbox", "ValidationFailed", "iso"]
