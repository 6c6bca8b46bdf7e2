"""`sync reconcile`: every synced record is checked against the document Xero holds (DRIFT-1)."""

import pytest
from django.core.management import call_command

from integration.models import AuditEvent, ErpStatus, SyncRun, XeroDocument
from integration.services.reconcile import reconcile_link, reconcile_records

from .conftest import export

pytestmark = pytest.mark.django_db


def test_void_and_edit_in_xero_move_bills_out_of_sync(exported, accountant, sandboxes):
    """DRIFT-1: the issue's scene. An accountant voids R-1 and edits R-2 from 500 to 55 in Xero; after
    `sync reconcile` both are out_of_sync with a message naming the difference, the audit keeping both versions."""
    world, r1, r2 = exported
    sandboxes.clock.advance(3600)
    accountant.void_bill(r1.xero_id)
    accountant.set_line_amount(r2.xero_id, 1, "55.00")
    call_command("sync", "reconcile", "--link", str(world.link.pk))

    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.erp_status == ErpStatus.OUT_OF_SYNC and r2.erp_status == ErpStatus.OUT_OF_SYNC
    assert r1.erp_message == "Changed in Xero: voided in Xero on 2026-05-04"
    # The bill's lines are tax exclusive: Xero's total adds 15 % GST (New Zealand's) to each.
    assert r2.erp_message == "Changed in Xero: line 1 amount 500.00 → 55.00; total 575.00 → 63.25"
    event = AuditEvent.objects.get(object_id=r2.pk, content_type__model="subcontractorinvoice", action="drift_found")
    assert (event.from_status, event.to_status) == (ErpStatus.SYNCED, ErpStatus.OUT_OF_SYNC)
    assert event.payload["LineItems"][0]["LineAmount"] == "500.00"  # what the connector sent
    assert event.response["LineItems"][0]["LineAmount"] == "55.00"  # what Xero holds now
    # A voided bill owes nothing (Xero's own example); the reconcile kept what it read.
    voided = XeroDocument.objects.get(link=world.link, resource="Invoices", xero_id=r1.xero_id.lower())
    assert voided.status == "VOIDED" and voided.data["AmountDue"] == "0.00"


def test_payments_applied_in_xero_are_not_drift(exported, accountant, sandboxes):
    """DRIFT-1: a part payment and a full payment (the bill becomes PAID) leave the records synced."""
    world, r1, r2 = exported
    accountant.pay(r1.xero_id, "1000.00")
    accountant.pay(r2.xero_id, "100.00")
    run = reconcile_link(link_id=world.link.pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    for record in (r1, r2):
        record.refresh_from_db()
        assert record.erp_status == ErpStatus.SYNCED and record.xero_drift == ""


def test_deleted_purchase_order_and_renamed_contact(world, accountant, sandboxes):
    """DRIFT-1: a purchase order deleted in Xero and a contact renamed there are named on their records."""
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING)
    export(world.link)
    commitment.refresh_from_db()
    vendor = commitment.vendor
    vendor.refresh_from_db()
    accountant.delete_purchase_order(commitment.xero_id)
    accountant.rename_contact(vendor.xero_id, "Kauri Concrete Holdings")
    reconcile_link(link_id=world.link.pk)
    commitment.refresh_from_db()
    vendor.refresh_from_db()
    assert commitment.erp_status == ErpStatus.OUT_OF_SYNC
    assert commitment.erp_message.startswith("Changed in Xero: deleted in Xero on ")
    assert vendor.erp_status == ErpStatus.OUT_OF_SYNC
    assert vendor.erp_message == "Changed in Xero: name Kauri Concrete 0 → Kauri Concrete Holdings"


def test_nothing_changed_costs_one_call_per_resource(exported, sandboxes):
    """DRIFT-1, PERF-8: after a first reconcile, one with nothing changed makes one call to each resource."""
    world, _, _ = exported
    reconcile_link(link_id=world.link.pk)
    before = {r: sandboxes.xero.calls_to("GET", r) for r in ("Invoices", "PurchaseOrders", "Contacts", "Items",
                                                             "TrackingCategories", "Payments")}
    run = reconcile_link(link_id=world.link.pk)
    assert run.status == SyncRun.Status.SUCCEEDED
    after = {r: sandboxes.xero.calls_to("GET", r) for r in before}
    assert {r: after[r] - before[r] for r in before} == dict.fromkeys(before, 1)


def test_check_one_record_reads_only_its_document(exported, accountant, sandboxes):
    """DRIFT-1 "Check against Xero": one record is read by IDs= and compared; the other is not touched."""
    world, r1, r2 = exported
    reconcile_link(link_id=world.link.pk)
    accountant.void_bill(r1.xero_id)
    accountant.void_bill(r2.xero_id)
    calls = sandboxes.xero.calls_to("GET", "Invoices")
    [run] = reconcile_records(records=[r1])
    assert sandboxes.xero.calls_to("GET", "Invoices") == calls + 1
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.erp_status == ErpStatus.OUT_OF_SYNC and r2.erp_status == ErpStatus.SYNCED
    assert run.counts["out_of_sync"] == 1


def test_archived_contact_and_deleted_item_are_caught_without_full(exported, accountant, sandboxes):
    """DRIFT-1: after a first reconcile, a contact archived in Xero (the incremental Contacts read asks
    includeArchived, spec GET /Contacts) and an Item deleted there (the Items list is read whole, so its
    absence shows) move their records out of sync on the next ordinary reconcile, without --full."""
    world, r1, _ = exported
    reconcile_link(link_id=world.link.pk)
    vendor, item = r1.vendor, world.items[0]
    vendor.refresh_from_db()
    item.refresh_from_db()
    assert vendor.erp_status == ErpStatus.SYNCED and item.erp_status == ErpStatus.SYNCED and item.xero_id
    sandboxes.clock.advance(3600)
    [result] = accountant.client.update_contacts([{"ContactID": vendor.xero_id, "ContactStatus": "ARCHIVED"}],
                                                 idempotency_key="archive-1")
    assert result.ok, result.errors
    accountant.client.delete_item(item.xero_id)
    run = reconcile_link(link_id=world.link.pk)
    assert run.parameters == {"full": False}
    vendor.refresh_from_db()
    item.refresh_from_db()
    assert vendor.erp_status == ErpStatus.OUT_OF_SYNC and "archived" in vendor.erp_message
    assert item.erp_status == ErpStatus.OUT_OF_SYNC and "deleted" in item.erp_message
