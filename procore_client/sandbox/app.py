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
then answers 502 with an empty body."""

from __future__ import annotations

import copy
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from .commitment_routes import CommitmentRoutes
from .company_routes import CompanyRoutes
from .faults import Fault, FaultFace
from .files import FileFace
from .hooks import HookRoutes, _default_deliver
from .oauth import OAuthFace
from .project_routes import ProjectRoutes
from .records import KINDS, ValidationFailed
from .state import Store, iso
from .wire import DEFAULT_RATE_LIMIT, RATE_LIMIT_MESSAGE, Reply, Wire, _rules


class ProcoreSandbox(Wire, FaultFace, OAuthFace, CompanyRoutes, CommitmentRoutes, ProjectRoutes, HookRoutes, FileFace):
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
        #: Where the files of attachments are served (ATT-1); a served sandbox sets its own address.
        self.files_base = "https://api.procore.com"
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
            self.files: dict[int, tuple[str, bytes]] = {}

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


__all__ = ["ProcoreSandbox", "ValidationFailed", "iso"]
