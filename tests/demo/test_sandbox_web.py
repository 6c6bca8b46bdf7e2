"""SYNC-6, CONN-5: the sandbox's read-only record pages, where the demo points PROCORE_WEB_URL and
XERO_WEB_URL, so the admin's "open in Procore / open in Xero" links never leave the machine."""

from __future__ import annotations

import requests

from integration.demo_seed import seed_procore
from integration.sandbox_server import SandboxServer
from integration.sandbox_web import web_url_settings
from procore_client.sandbox import ProcoreSandbox
from xero_client.sandbox import XeroSandbox


def test_the_links_open_the_records_page_in_the_local_sandbox():
    """SYNC-6: the URL the connector builds for Procore's web app (its record id last) and for Xero's
    (the document's GUID) shows that record's fields; an unknown id is a 404; nothing can be written."""
    xero, procore = XeroSandbox(rate_limits=False), ProcoreSandbox(rate_limits=False)
    seed_procore(procore)
    tenant = xero.add_organisation("Harbourside Builders Ltd")
    contact = xero.books(tenant).write_contact({"Name": "Kauri Concrete Ltd"})
    server = SandboxServer(xero, procore, port=0).start()
    try:
        web = web_url_settings(server.base_url)
        commitment = next(iter(procore.state()["records"]["work_order_contract"]))
        page = requests.get(f"{web['PROCORE_WEB_URL']}/{commitment['project_id']}/project/commitments/"
                            f"work_order_contracts/{commitment['id']}", timeout=5)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        assert commitment["number"] in page.text and "local Procore sandbox" in page.text

        page = requests.get(f"{web['XERO_WEB_URL']}/Contacts/View/{contact['ContactID']}", timeout=5)
        assert page.status_code == 200 and "Kauri Concrete Ltd" in page.text and "local Xero sandbox" in page.text

        assert requests.get(f"{web['PROCORE_WEB_URL']}/1/project/commitments/999999999", timeout=5).status_code == 404
        assert requests.post(f"{web['XERO_WEB_URL']}/Contacts/View/{contact['ContactID']}", timeout=5).status_code == 405
    finally:
        server.stop()
