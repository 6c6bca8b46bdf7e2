"""`manage.py sandbox`: both sandboxes over real HTTP on one port (CONN-5)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from django.core.management import call_command

from integration.sandbox_server import SandboxServer, url_settings
from procore_client.sandbox import ProcoreSandbox
from xero_client.sandbox import XeroSandbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 10.0) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_the_sandbox_command_answers_on_its_port():
    """CONN-5: /xero/connections without a token is 401 (as Xero), the combined state answers 200."""
    port = free_port()
    thread = threading.Thread(target=call_command, args=("sandbox", "--port", str(port), "--seed", "demo", "--quiet"),
                              daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    assert wait_for(f"{base}/xero/connections").status_code == 401
    state = requests.get(f"{base}/_sandbox/state", timeout=5)
    assert state.status_code == 200
    body = state.json()
    assert body["procore"]["company"]["name"] == "Harbourside Builders"
    assert len(body["procore"]["records"]["project"]) == 3
    assert requests.get(f"{base}/procore/rest/v1.0/me", timeout=5).status_code == 401
    authorize = requests.get(f"{base}/xero-login/identity/connect/authorize", timeout=5,
                             params={"response_type": "code", "client_id": "x", "scope": "offline_access",
                                     "redirect_uri": "http://127.0.0.1:8000/connect/xero/callback", "state": "s"},
                             allow_redirects=False)
    assert authorize.status_code == 302 and "code=" in authorize.headers["Location"]
    assert requests.post(f"{base}/xero-identity/connect/token", timeout=5).status_code == 400


@pytest.mark.django_db
def test_the_connector_cannot_tell_the_sandbox_server_from_the_services(settings, sandboxes_over_http):
    """CONN-5: with the five URL settings pointed at the server, the clients and the OAuth flows work over HTTP."""
    from integration.models import CompanyLink
    from integration.services.connect import (
        connect_via_redirect,
        procore_company_choose,
        xero_organisation_choose,
    )
    from integration.services.connections import procore_client_for, xero_client_for

    server = sandboxes_over_http
    link = CompanyLink.objects.create(name="Over HTTP")

    def browser(url):
        return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]

    connect_via_redirect(link=link, provider="xero", actor="test", follow=browser)
    connect_via_redirect(link=link, provider="procore", actor="test", follow=browser)
    xero_organisation_choose(link=link, tenant_id=server.xero.default_tenant_id, actor="test")
    procore_company_choose(link=link, company_id=server.procore.company_id, actor="test")
    assert xero_client_for(link).get_organisation()["Name"]
    assert procore_client_for(link).companies()[0]["id"] == server.procore.company_id


@pytest.fixture
def sandboxes_over_http(settings):
    server = SandboxServer(XeroSandbox(), ProcoreSandbox(), port=0).start()
    for name, value in url_settings(server.base_url).items():
        setattr(settings, name, value)
    settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET = "demo-xero", "demo-xero-secret"
    settings.PROCORE_CLIENT_ID, settings.PROCORE_CLIENT_SECRET = "demo-procore", "demo-procore-secret"
    yield server
    server.stop()
