"""REL-5, SYNC-8: two real django-q2 clusters (Redis broker, PostgreSQL) export one queue; one is
killed mid-run; every record ends exported exactly once. The sandboxes are served over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.db import connection

from integration.models import CompanyLink, Connection, ErpStatus, SubcontractorInvoice
from integration.sandbox_server import SandboxServer, url_settings
from integration.services import connections
from integration.services.export import export_link
from procore_client import OAuthToken as ProcoreToken
from procore_client.sandbox import ProcoreSandbox
from tests.factories import (
    CommitmentFactory,
    CommitmentLineFactory,
    CostCodeFactory,
    CostItemFactory,
    CostTypeFactory,
    InvoiceLineFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)
from tests.fixtures.procore import connect_via_authorization_code
from tests.fixtures.xero import connect
from xero_client import OAuthToken as XeroToken
from xero_client.sandbox import XeroSandbox

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")
INVOICES = 150


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real workers share PostgreSQL's row locks; SQLite cannot"),
    pytest.mark.skipif(not redis_up(), reason=f"no Redis at {REDIS_URL}"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def served(settings, monkeypatch):
    xero, procore = XeroSandbox(), ProcoreSandbox()
    server = SandboxServer(xero, procore, port=0).start()
    for name, value in url_settings(server.base_url).items():
        setattr(settings, name, value)
    settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET = "workers-xero", "workers-xero-secret"
    settings.PROCORE_CLIENT_ID, settings.PROCORE_CLIENT_SECRET = "workers-procore", "workers-procore-secret"
    yield server
    server.stop()


def subprocess_env(settings, server) -> dict:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(url_settings(server.base_url))
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_URL, "Q_CLUSTER_NAME": f"workers-{os.getpid()}", "Q_WORKERS": "1",
        "EXPORT_LEASE_SECONDS": "3", "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "true",
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "XERO_CLIENT_ID": settings.XERO_CLIENT_ID, "XERO_CLIENT_SECRET": settings.XERO_CLIENT_SECRET,
        "PROCORE_CLIENT_ID": settings.PROCORE_CLIENT_ID, "PROCORE_CLIENT_SECRET": settings.PROCORE_CLIENT_SECRET,
    })
    return env


def enqueue_exports(env, link_id: int, count: int) -> None:
    code = ("from django_q.tasks import async_task\n"
            f"for _ in range({count}): async_task('integration.tasks.export_link', {link_id})")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def connected_link(server) -> CompanyLink:
    session = requests.Session()
    link = CompanyLink.objects.create(name="Workers Ltd", procore_company_id=server.procore.company_id,
                                      xero_tenant_id=server.xero.default_tenant_id)
    xero_token = connect(connections.xero_oauth(session=session, redirect_uri="http://127.0.0.1/cb"), session)
    procore_token = connect_via_authorization_code(connections.procore_oauth(session=session, redirect_uri="http://127.0.0.1/cb"), session)
    for provider, cls, token in (("xero", XeroToken, xero_token), ("procore", ProcoreToken, procore_token)):
        conn = Connection.objects.create(link=link, provider=provider)
        connections.DbTokenStore(conn.pk, cls).save(token)
    return link


def test_two_qclusters_one_killed_mid_run_export_each_bill_once(settings, served):
    """REL-5, SYNC-8: two django-q2 clusters export one queue, one is killed mid-run; every bill is in Xero
    exactly once and every record ends synced."""
    link = connected_link(served)
    labor = CostTypeFactory(link=link, code="L")
    item = CostItemFactory(link=link, cost_code=CostCodeFactory(link=link, code="03-300"), cost_type=labor, erp_status=ErpStatus.EXPORTING, xero_id="")
    project = ProjectFactory(link=link, erp_status=ErpStatus.EXPORTING, xero_id="")
    vendor = VendorFactory(link=link, procore_id=None, erp_status=ErpStatus.EXPORTING, xero_id="")
    commitment = CommitmentFactory(link=link, project=project, vendor=vendor, lines=0, erp_status=ErpStatus.NOT_SENT)
    CommitmentLineFactory(commitment=commitment, cost_item=item)
    export_link(link_id=link.pk)  # the item, the option and the contact first, from this process
    invoices = []
    for i in range(INVOICES):
        invoice = SubcontractorInvoiceFactory(link=link, commitment=commitment, project=project, vendor=vendor,
                                              invoice_number=f"RW-{i:04d}", lines=0, erp_status=ErpStatus.EXPORTING)
        InvoiceLineFactory(invoice=invoice, cost_item=item, amount=Decimal("100.00"))
        invoices.append(invoice.pk)

    env = subprocess_env(settings, served)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    clusters = [subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        enqueue_exports(env, link.pk, 4)
        synced = lambda: SubcontractorInvoice.objects.filter(pk__in=invoices, erp_status=ErpStatus.SYNCED).count()  # noqa: E731
        deadline = time.monotonic() + 90
        while synced() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(clusters[0].pid, signal.SIGKILL)  # one worker dies mid-run, its leases orphaned
        killed_at = synced()
        time.sleep(4)  # the dead worker's leases lapse
        enqueue_exports(env, link.pk, 2)
        while synced() < INVOICES and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for cluster in clusters:
            try:
                os.killpg(cluster.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert 0 < killed_at < INVOICES or synced() == INVOICES
    assert synced() == INVOICES, f"{synced()} of {INVOICES} synced"
    # Commitment sync is on: every bill carries the PO number; each one's Url names its own Procore invoice.
    urls = [b["Url"] for b in served.xero.books().invoices.values() if b["Type"] == "ACCPAY"]
    assert len(urls) == len(set(urls)) == INVOICES
    assert not SubcontractorInvoice.objects.filter(pk__in=invoices, erp_status=ErpStatus.EXPORTING).exists()
