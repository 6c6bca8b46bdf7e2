"""An owner invoice from the Procore sandbox, end to end: pulled with its lines, accepted, exported as one
sales invoice (ACCREC) with those lines (INV-5), paid in Xero, and that payment imported as a payment
received on the prime contract (PAY-6)."""

from datetime import date
from decimal import Decimal

import pytest

from integration.models import ErpStatus, OwnerInvoice, Payment, SyncRun
from integration.services.connections import xero_client_for
from integration.services.imports import import_payments
from integration.services.pull import pull_link
from integration.services.queue import records_accept
from tests.export.test_export import run_export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def owner_invoice_in_procore(world) -> tuple[dict, dict]:
    """What the builder enters in Procore: the project's cost codes, a prime contract with the owner
    (the world's third company) and an approved owner invoice of two lines, 5 % retained."""
    procore, pid = world.procore, world.project.procore_id
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    codes = {code: procore.create_record("project_cost_code", {"project_id": pid, "code": code, "name": name})
             for code, name in (("03-300", "Concrete"), ("05-120", "Structural Steel"))}
    prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": "PC-7",
                                                     "status": "Approved", "vendor_id": world.vendors[2].procore_id})
    pay_app = procore.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "HV-PC-07", "status": "approved",
        "billing_date": "2026-10-31", "period_start": "2026-10-01", "period_end": "2026-10-31",
        "line_items": [
            {"description_of_work": "Ground floor slab", "cost_code_id": codes["03-300"]["id"],
             "line_item_type_id": labor["id"], "scheduled_value": "120000.00", "work_completed_this_period": "30000.00",
             "materials_presently_stored": "4000.00", "work_completed_retainage_retained_this_period": "1500.00",
             "materials_stored_retainage_retained_this_period": "200.00"},
            {"description_of_work": "Steel frame", "cost_code_id": codes["05-120"]["id"],
             "line_item_type_id": labor["id"], "scheduled_value": "90000.00", "work_completed_this_period": "16000.00",
             "work_completed_retainage_retained_this_period": "800.00"},
        ]})
    return prime, pay_app


def pulled_and_exported(world) -> tuple[OwnerInvoice, dict]:
    run_export(world.link)  # the cost items, the project and the companies are in Xero first
    prime, pay_app = owner_invoice_in_procore(world)
    run = pull_link(link_id=world.link.pk, resources=("prime_contracts", "owner_invoices"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    invoice = OwnerInvoice.objects.get(link=world.link, procore_id=pay_app["id"])
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT, invoice.erp_message  # queued by the pull
    approver = UserFactory(username="approver-oi", role="Accounting Approver")
    assert len(records_accept(records=[invoice], actor=approver).done) == 1
    run_export(world.link)
    invoice.refresh_from_db()
    return invoice, prime


def test_owner_invoice_pulled_from_procore_becomes_one_sales_invoice_with_its_lines(world):
    """INV-5: one ACCREC to the owner: number, date, a line per Procore line coded to its cost code's Item
    and tracked to the project, and the retained amounts as one negative retainage line."""
    invoice, prime = pulled_and_exported(world)

    assert invoice.erp_status == ErpStatus.SYNCED and invoice.xero_id
    client = xero_client_for(world.link)
    sales = [i for i in client.find_invoices(ids=[invoice.xero_id])]
    assert len(sales) == 1
    sale = client.get_invoice(invoice.xero_id)
    assert (sale["Type"], sale["InvoiceNumber"], sale["Status"]) == ("ACCREC", "HV-PC-07", "AUTHORISED")
    assert sale["Date"].isoformat() == "2026-10-31"
    world.vendors[2].refresh_from_db()
    assert sale["Contact"]["ContactID"] == world.vendors[2].xero_id
    slab, steel, retainage = sale["LineItems"]
    assert [(li["Description"], li["ItemCode"], li["LineAmount"]) for li in (slab, steel)] == [
        ("Ground floor slab", "03-300.L", Decimal("34000.00")), ("Steel frame", "05-120.L", Decimal("16000.00"))]
    assert all(li["AccountCode"] == world.link.default_sales_account for li in (slab, steel))
    assert slab["Tracking"][0]["Option"] == "HV-101 Harbour View"
    assert (retainage["ItemCode"], retainage["LineAmount"]) == (world.link.retainage_item_code, Decimal("-2500.00"))
    assert sale["SubTotal"] == Decimal("47500.00") == invoice.total
    # Visible in Procore: the owner invoice carries the Xero id as its origin_id (and locks there).
    shown = world.procore.store.render("payment_application", world.procore.store.get("payment_application", invoice.procore_id))
    assert shown["origin_id"] == invoice.xero_id
    invoice.refresh_from_db()
    assert invoice.locked and not invoice.writeback_pending
    # Exactly once: another export run finds nothing to do.
    assert run_export(world.link).counts.get("created", 0) == 0
    assert sum(1 for i in client.find_invoices(ids=[invoice.xero_id])) == 1


def test_its_payment_in_xero_lands_as_a_payment_received_on_the_prime_contract(world):
    """PAY-6, BOOK-3: the owner pays the exported sales invoice in full in Xero (its tax included); the
    payments import writes one payment received on the prime contract in Procore, only once, for what
    Procore invoiced: the invoice's SubTotal, without Xero's tax."""
    world.link.payment_cutoff = date(2026, 1, 1)
    world.link.save()
    invoice, prime = pulled_and_exported(world)
    client = xero_client_for(world.link)
    sale = client.get_invoice(invoice.xero_id)
    assert sale["Total"] > sale["SubTotal"] == invoice.total
    [result] = client.create_payments([{"Invoice": {"InvoiceID": invoice.xero_id}, "Account": {"Code": "090"},
                                        "Date": "2026-11-20", "Amount": sale["Total"],
                                        "Reference": "Progress claim HV-PC-07"}], idempotency_key="test-oi-pay-1")
    assert result.ok, result.errors

    run = import_payments(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["created"] == 1, run.errors
    [shown] = [world.procore.store.render("contract_payment", p)
               for p in world.procore.store.records["contract_payment"].values()]
    assert (shown["contract_id"], shown["amount"], shown["date"]) == (prime["id"], str(invoice.total), "2026-11-20")
    assert shown["origin_id"] == result.document["PaymentID"] and shown["invoice_number"] == "HV-PC-07"
    row = Payment.objects.get(link=world.link)
    assert (row.direction, row.status, row.owner_invoice, row.prime_contract.procore_id, row.amount) == (
        Payment.Direction.RECEIVED, Payment.Status.SYNCED, invoice, prime["id"], invoice.total)
    assert import_payments(link=world.link).counts["created"] == 0
    assert len(world.procore.store.records["contract_payment"]) == 1
