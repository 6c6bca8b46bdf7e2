"""Both sandboxes behind one WSGI app, for `manage.py sandbox`, `manage.py demo` and the tests.

Mounts (werkzeug's DispatcherMiddleware; each sandbox builds its absolute URLs from the request):

    /procore         Procore's API          → PROCORE_API_URL   = http://HOST:PORT/procore
    /procore-login   Procore's OAuth        → PROCORE_LOGIN_URL = http://HOST:PORT/procore-login
    /xero            Xero's API root        → XERO_API_URL      = http://HOST:PORT/xero
                     (/xero/api.xro/2.0/Invoices, /xero/connections)
    /xero-identity   Xero's token endpoints → XERO_IDENTITY_URL = http://HOST:PORT/xero-identity
    /xero-login      Xero's authorize page  → XERO_LOGIN_URL    = http://HOST:PORT/xero-login
    /_sandbox/state  GET: {"xero": ..., "procore": ...}
    /_sandbox/reset  POST: empties both
    /_sandbox/records  POST {kind, data}: a record created in Procore as a user would (Procore sandbox)
    /procore-web, /xero-web  a read-only page per record, for PROCORE_WEB_URL / XERO_WEB_URL (sandbox_web.py)
"""

from __future__ import annotations

import json
import threading

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from integration.sandbox_web import web_page
from procore_client.sandbox import ProcoreSandbox
from xero_client.sandbox import XeroSandbox

MOUNTS = {
    "PROCORE_API_URL": "/procore",
    "PROCORE_LOGIN_URL": "/procore-login",
    "XERO_API_URL": "/xero",
    "XERO_IDENTITY_URL": "/xero-identity",
    "XERO_LOGIN_URL": "/xero-login",
}


def url_settings(base_url: str) -> dict[str, str]:
    """The five URL settings (CONN-5) that point the connector at a sandbox served at `base_url`."""
    base = base_url.rstrip("/")
    return {name: base + prefix for name, prefix in MOUNTS.items()}


def build_app(xero: XeroSandbox, procore: ProcoreSandbox):
    """One WSGI app serving both sandboxes under their prefixes, plus the combined /_sandbox helpers."""

    def root(environ, start_response):
        request = Request(environ)
        path = request.path.rstrip("/")
        if (page := web_page(request, procore, xero)) is not None:
            response = page
        elif path == "/_sandbox/state" and request.method == "GET":
            body = {"xero": xero.state(), "procore": procore.state()}
            response = Response(json.dumps(body), mimetype="application/json")
        elif path == "/_sandbox/reset" and request.method == "POST":
            xero.reset()
            procore.reset()
            response = Response(json.dumps({"reset": True}), mimetype="application/json")
        elif path == "/_sandbox/records":
            return procore.wsgi_app(environ, start_response)
        elif path == "":
            response = Response(json.dumps({"sandbox": "procore + xero", "mounts": MOUNTS}),
                                mimetype="application/json")
        else:
            response = Response(json.dumps({"errors": f"No route for {request.method} {request.path}"}),
                                status=404, mimetype="application/json")
        return response(environ, start_response)

    return DispatcherMiddleware(root, {
        "/procore": procore.wsgi_app,
        "/procore-login": procore.wsgi_app,
        "/xero": xero.wsgi_app,
        "/xero-identity": xero.wsgi_app,
        "/xero-login": xero.wsgi_app,
    })


class SandboxServer:
    """The app on a real port in a background thread (threaded werkzeug server); `stop()` shuts it down."""

    def __init__(self, xero: XeroSandbox, procore: ProcoreSandbox, *, host: str = "127.0.0.1", port: int = 8800):
        self.xero, self.procore = xero, procore
        self.server = make_server(host, port, build_app(xero, procore), threaded=True)
        self.host, self.port = host, self.server.server_port
        procore.files_base = f"{self.base_url}/procore"  # attachments' links point at this server (ATT-1)
        self.thread = threading.Thread(target=self.server.serve_forever, name="sandbox-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
