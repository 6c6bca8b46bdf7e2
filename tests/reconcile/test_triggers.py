"""When the reconcile runs (DRIFT-1): on the payments schedule, for Xero webhooks on invoices and
contacts, on demand from the dashboard; and the dashboard counts what is out of sync per link."""

import pytest
from django.urls import reverse

from integration import tasks
from integration.models import ErpStatus, SyncRun
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_payments_schedule_reconciles(exported, accountant):
    """DRIFT-1: the scheduled payments task also checks the records against Xero."""
    world, r1, _ = exported
    accountant.void_bill(r1.xero_id)
    tasks.import_payments(world.link.pk, trigger="schedule")
    r1.refresh_from_db()
    assert r1.erp_status == ErpStatus.OUT_OF_SYNC
    assert SyncRun.objects.filter(link=world.link, kind=SyncRun.Kind.RECONCILE, trigger="schedule").exists()


def test_a_xero_invoice_webhook_checks_its_record(exported, accountant):
    """DRIFT-1, REL-4: the targeted sync of an INVOICE event checks the record linked to that invoice only."""
    world, r1, r2 = exported
    accountant.void_bill(r1.xero_id)
    accountant.void_bill(r2.xero_id)
    tasks.import_xero_document(world.link.pk, category="INVOICE", resource_id=r1.xero_id.upper())
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.erp_status == ErpStatus.OUT_OF_SYNC and r2.erp_status == ErpStatus.SYNCED


def test_dashboard_counts_out_of_sync_and_checks_on_demand(exported, accountant, client, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    """DRIFT-1: the dashboard counts out-of-sync records per link, linking the filtered queue, and its
    "Check against Xero now" queues a reconcile for approvers (refused to a Standard user)."""
    world, r1, _ = exported
    accountant.void_bill(r1.xero_id)
    tasks.reconcile_link(world.link.pk, trigger="on_demand")
    client.force_login(UserFactory(username="alex", role=ACCOUNTING_APPROVER))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Out of sync with Xero" in html and "Subcontractor invoices: 1" in html
    assert "erp_status__exact=out_of_sync" in html
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *a, **k: queued.append((func, a, k)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("desk:reconcile_now", args=[world.link.pk]))
    assert queued == [("integration.tasks.reconcile_link", (world.link.pk,), {"trigger": "on_demand"})]
    client.force_login(UserFactory(username="sam", role=STANDARD))
    assert client.post(reverse("desk:reconcile_now", args=[world.link.pk])).status_code == 403
