"""Owner invoices (payment applications) pulled with their lines (INV-5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integration.models import AuditEvent, CostItem, ErpStatus, OwnerInvoice, SyncRun
from integration.services.pull import pull_link, pull_record
from tests.pull.conftest import add_pay_app_with_lines, later, mark_in_xero

pytestmark = pytest.mark.django_db


def pull(link) -> SyncRun:
    run = pull_link(link_id=link.pk)
    link.refresh_from_db()
    return run


def show_path(pay_app: dict) -> tuple[str, str]:
    return ("GET", f"/rest/v1.0/payment_applications/{pay_app['id']}")


def test_owner_invoice_lands_with_its_lines(link, company, sandboxes):
    """INV-5: the pull reads a new owner invoice's show answer and lands its lines: the cost item from the
    line's cost code + cost type, amount = work completed this period + materials stored; the invoice's
    retainage this period = the lines' retained amounts, total = lines − retainage."""
    pay_app = add_pay_app_with_lines(sandboxes.procore, company)
    calls = sandboxes.procore.calls
    run = pull(link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert show_path(pay_app) in calls
    invoice = OwnerInvoice.objects.get(link=link, procore_id=pay_app["id"])
    item = CostItem.objects.get(link=link, item_code=CostItem.code_for("03-300", "L"))
    slab, site = invoice.lines.all()
    assert (slab.procore_id, slab.position, slab.cost_item, slab.description, slab.amount) == (
        pay_app["line_items"][0]["id"], 1, item, "Slab and columns", Decimal("20000.00"))
    # A line without a cost type has no cost item (never a guessed one); validation needs one coded line.
    assert (site.procore_id, site.position, site.cost_item, site.amount) == (
        pay_app["line_items"][1]["id"], 2, None, Decimal("1500.00"))
    assert (invoice.retainage_this_period, invoice.total) == (Decimal("1000.00"), Decimal("20500.00"))
    assert (invoice.invoice_number, invoice.status, str(invoice.billing_date)) == ("HV-OI-2", "draft", "2026-05-31")

    # Unchanged in Procore: the next run does not read it again.
    later(sandboxes)
    start = len(calls)
    run = pull(link)
    assert show_path(pay_app) not in calls[start:]
    assert run.counts["by_model"]["ownerinvoice"]["skipped"] == 2


def test_an_approved_owner_invoice_with_a_coded_line_is_queued(link, company, sandboxes):
    """SYNC-2, INV-5: with its owner, project and cost items in Xero, an approved owner invoice whose lines
    carry a cost code passes validation and enters the queue; the one without lines is still refused."""
    pay_app = add_pay_app_with_lines(sandboxes.procore, company)
    pull(link)
    mark_in_xero(link)
    later(sandboxes)
    sandboxes.procore.update_record("payment_application", pay_app["id"], {"status": "approved"})
    sandboxes.procore.update_record("payment_application", company.pay_app["id"], {"status": "approved"})
    later(sandboxes)
    run = pull(link)

    invoice = OwnerInvoice.objects.get(procore_id=pay_app["id"])
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT, invoice.erp_message
    bare = OwnerInvoice.objects.get(procore_id=company.pay_app["id"])
    assert bare.erp_status == ErpStatus.NOT_SENT and "line with a cost code" in bare.erp_message
    assert ("ownerinvoice", bare.procore_id) in {(e["model"], e["id"]) for e in run.errors}


def test_a_synced_owner_invoice_whose_lines_changed_goes_to_ready_to_update(link, company, sandboxes):
    """SYNC-2: a synced owner invoice whose lines change in Procore goes to ready_to_update with a new export
    version, as other types do; our own origin_id write alone does not move it."""
    procore = sandboxes.procore
    pay_app = add_pay_app_with_lines(procore, company, status="approved")
    pull(link)
    xero_id = "00000000-0000-0000-0000-0000000000ee"
    OwnerInvoice.objects.filter(procore_id=pay_app["id"]).update(erp_status=ErpStatus.SYNCED, xero_id=xero_id)
    later(sandboxes)
    procore.update_record("payment_application", pay_app["id"], {"origin_id": xero_id})
    later(sandboxes)
    pull(link)
    invoice = OwnerInvoice.objects.get(procore_id=pay_app["id"])
    assert (invoice.erp_status, invoice.export_version) == (ErpStatus.SYNCED, 1)

    later(sandboxes)
    slab = pay_app["line_items"][0]
    # An admin unlocks it in Procore and corrects the claim: one line more, the other dropped.
    procore.update_record("payment_application", pay_app["id"], {"line_items": [
        {"id": slab["id"], "work_completed_this_period": "16000.00", "work_completed_retainage_retained_this_period": "800.00"},
        {"description_of_work": "Formwork", "cost_code_id": company.cost_code["id"],
         "line_item_type_id": company.labor["id"], "work_completed_this_period": "3000.00"}]}, force=True)
    later(sandboxes)
    run = pull(link)

    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.export_version) == (ErpStatus.READY_TO_UPDATE, 2)
    assert [(line.procore_id == slab["id"], line.amount) for line in invoice.lines.all()] == [
        (True, Decimal("18000.00")), (False, Decimal("3000.00"))]
    assert (invoice.retainage_this_period, invoice.total) == (Decimal("900.00"), Decimal("20100.00"))
    assert run.counts["by_model"]["ownerinvoice"]["ready_to_update"] == 1
    event = AuditEvent.objects.get(object_id=invoice.pk, content_type__model="ownerinvoice", action="changed_in_procore")
    assert "lines" in event.message


def test_a_webhook_re_reads_one_owner_invoice_with_its_lines(link, company, sandboxes):
    """SYNC-2 (webhooks): "Payment Applications" re-reads the show answer, lines included."""
    pay_app = add_pay_app_with_lines(sandboxes.procore, company)
    pull(link)
    later(sandboxes)
    slab = pay_app["line_items"][0]
    sandboxes.procore.update_record("payment_application", pay_app["id"], {
        "line_items": [{"id": slab["id"], "materials_presently_stored": "0"}]})
    run = pull_record(link_id=link.pk, resource_name="Payment Applications", resource_id=pay_app["id"],
                      project_id=company.project["id"])
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors)
    invoice = OwnerInvoice.objects.get(procore_id=pay_app["id"])
    [line] = invoice.lines.all()
    assert (line.amount, invoice.retainage_this_period, invoice.total) == (
        Decimal("18000.00"), Decimal("1000.00"), Decimal("17000.00"))


def test_an_unreadable_owner_invoice_is_one_error_and_stays(link, company, sandboxes):
    """REL-6: the show answer fails: one error, the record kept (not marked removed), the rest lands."""
    pay_app = add_pay_app_with_lines(sandboxes.procore, company)
    pull(link)
    later(sandboxes)
    sandboxes.procore.update_record("payment_application", pay_app["id"], {"invoice_number": "HV-OI-2A"})
    sandboxes.procore.fail_next(status=403, method="GET", path_contains=f"payment_applications/{pay_app['id']}")
    later(sandboxes)
    run = pull(link)
    assert run.status == SyncRun.Status.PARTIAL
    assert [e["model"] for e in run.errors] == ["ownerinvoice"]
    invoice = OwnerInvoice.objects.get(procore_id=pay_app["id"])
    assert invoice.invoice_number == "HV-OI-2" and not invoice.removed_in_procore
    later(sandboxes)
    pull(link)
    assert OwnerInvoice.objects.get(procore_id=pay_app["id"]).invoice_number == "HV-OI-2A"
