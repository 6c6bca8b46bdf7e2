"""Procore marking after an export (SYNC-6, PERF-4): origin_ids go to Procore in /sync batches where
Procore has them, and one call each within Procore's rate-limit window where it has not, so Procore's
budget never holds back what Xero takes."""

import pytest
from django.urls import reverse
from django_q.models import Schedule

from integration.models import Commitment, ErpStatus, SubcontractorInvoice, SyncRun, Vendor
from integration.roles import ACCOUNTING_APPROVER
from integration.services.export import export_link
from integration.services.writeback import writeback_link
from tests.factories import UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def procore_writes(sandboxes, since: int) -> list[tuple[str, str]]:
    return [(m, p) for m, p in sandboxes.procore.calls[since:] if m in ("PATCH", "POST", "PUT")]


def test_vendors_and_commitments_are_marked_in_one_sync_call_per_endpoint(world, sandboxes):
    """SYNC-6, PERF-4: 3 vendors, a project and 6 commitments exported: Procore shows every origin_id,
    written by one vendors/sync, one projects/sync and one work_order_contracts/sync call."""
    world.link.commitment_sync = True
    world.link.save()
    commitments = [world.commitment(vendor=world.vendors[i % 3], erp_status=ErpStatus.EXPORTING) for i in range(6)]
    before = len(sandboxes.procore.calls)
    run = export_link(link_id=world.link.pk)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors)
    writes = procore_writes(sandboxes, before)
    assert sorted(p for _, p in writes) == ["/rest/v1.0/projects/sync", "/rest/v1.0/vendors/sync",
                                            "/rest/v1.0/work_order_contracts/sync"]
    for c in commitments:
        c.refresh_from_db()
        assert sandboxes.procore.get_record("work_order_contract", c.procore_id)["origin_id"] == c.xero_id
        assert c.locked and not c.writeback_pending
    for v in Vendor.objects.filter(link=world.link):
        assert sandboxes.procore.get_record("vendor", v.procore_id)["origin_id"] == v.xero_id
    assert run.counts["procore_marking_pending"] == 0


def test_a_refused_element_stays_pending_with_procores_reason_and_the_others_are_marked(world, sandboxes):
    """SYNC-6, PERF-4: Procore refuses one element of the batch (its origin_id is already another
    vendor's): that vendor stays 'in Xero; Procore marking pending' with Procore's reason in the run,
    the other vendors of the same call are marked."""
    run = export_link(link_id=world.link.pk)
    first = Vendor.objects.get(pk=world.vendors[0].pk)
    # A fourth vendor whose Xero id is, by a manual link in Xero, the first one's: Procore refuses it.
    v = sandboxes.procore.create_record("vendor", {"name": "Kauri Concrete (copy)"})
    copy = VendorFactory(link=world.link, procore_id=v["id"], name="Kauri Concrete (copy)", erp_status=ErpStatus.SYNCED,
                         xero_id=first.xero_id, writeback_pending=True)
    other = sandboxes.procore.create_record("vendor", {"name": "Totara Steel"})
    fine = VendorFactory(link=world.link, procore_id=other["id"], name="Totara Steel", erp_status=ErpStatus.SYNCED,
                         xero_id="a" * 8 + "-1111-2222-3333-" + "b" * 12, writeback_pending=True)
    before = len(sandboxes.procore.calls)
    run = export_link(link_id=world.link.pk)
    assert procore_writes(sandboxes, before) == [("PATCH", "/rest/v1.0/vendors/sync")]
    copy.refresh_from_db()
    fine.refresh_from_db()
    assert copy.writeback_pending and not copy.locked
    assert not sandboxes.procore.get_record("vendor", copy.procore_id).get("origin_id")
    assert [e["message"] for e in run.errors if e["id"] == copy.pk] == [
        "Synced in Xero, but Procore refused the origin_id: origin_id has already been taken"]
    assert not fine.writeback_pending and sandboxes.procore.get_record("vendor", fine.procore_id)["origin_id"] == fine.xero_id


def test_invoices_wait_for_procores_next_window_and_the_task_marks_them(world, sandboxes, client):
    """SYNC-6, PERF-4, REL-1: requisitions have no batch endpoint. With a window of 30 Procore calls an
    hour, 25 bills are all synced in Xero in the same run; Procore is marked while its window
    keeps a quarter in reserve, the run says how many wait, their column says 'in Xero; Procore marking
    pending', and the write-back task scheduled for the window's reset marks the rest."""
    sandboxes.procore.set_rate_limit(30, 3600)
    invoices = [world.invoice(invoice_number=f"KC-{i:03d}") for i in range(25)]
    run = export_link(link_id=world.link.pk)
    assert all(i.erp_status == ErpStatus.SYNCED for i in SubcontractorInvoice.objects.filter(pk__in=[i.pk for i in invoices]))
    assert len([i for i in sandboxes.xero.books().invoices.values() if i["Type"] == "ACCPAY"]) == 25
    waiting = SubcontractorInvoice.objects.filter(writeback_pending=True)
    assert 0 < waiting.count() == run.counts["procore_marking_pending"] < 25
    assert f"{waiting.count()} records are in Xero; Procore marking pending" in run.message
    assert sandboxes.procore.calls and not sandboxes.clock.slept  # nothing waited for Procore's window
    schedule = Schedule.objects.get(name=f"writeback-link-{world.link.pk}")
    assert schedule.func == "integration.tasks.writeback_link"

    client.force_login(UserFactory(username="approver", role=ACCOUNTING_APPROVER))
    html = client.get(reverse("admin:integration_subcontractorinvoice_changelist") + "?erp_status__exact=synced").content.decode()
    assert html.count("in Xero; Procore marking pending") >= waiting.count()

    sandboxes.clock.advance(3601)
    task_run = writeback_link(link_id=world.link.pk)
    assert task_run.status == SyncRun.Status.SUCCEEDED, task_run.message
    assert not SubcontractorInvoice.objects.filter(writeback_pending=True).exists()
    for invoice in SubcontractorInvoice.objects.filter(pk__in=[i.pk for i in invoices]):
        assert sandboxes.procore.get_record("requisition", invoice.procore_id)["origin_id"] == invoice.xero_id
        assert invoice.locked
    assert Commitment.objects.filter(writeback_pending=True).count() == 0
