"""Negative invoices become credit notes (CRED-1, INV-3, INV-4), end to end: invoices entered in the
Procore sandbox, pulled, accepted and exported; each test reads what Xero holds."""

from decimal import Decimal

import pytest

from integration.models import ErpStatus, SubcontractorInvoice, SyncRun
from integration.services.connections import xero_client_for
from integration.services.pull import pull_link
from integration.services.queue import records_accept
from tests.export.test_export import run_export
from tests.export.test_retention import (
    commitment_with_a_line,
    invoice_in_procore,
    pulled_accepted_exported,
    pulled_accepted_synced,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def credit_notes(world):
    return list(xero_client_for(world.link).iter_credit_notes())


def no_tax(world):
    """Amounts without tax, so that Xero's totals are the invoices' own figures."""
    world.link.amounts_tax = "no_tax"
    world.link.save(update_fields=["amounts_tax"])


def a_commitment_with_an_open_bill(world, amount="10000.00"):
    run_export(world.link)
    commitment, line_id = commitment_with_a_line(world)
    first = invoice_in_procore(world, commitment, "KC-C1", {"line_item_id": line_id, "work_completed_this_period": amount})
    invoice, bill = pulled_accepted_exported(world, SubcontractorInvoice, first["id"], ("subcontractor_invoices",))
    assert (bill["Status"], bill["AmountDue"]) == ("AUTHORISED", Decimal(amount))
    return commitment, line_id, bill


def negative_invoice(world, commitment, line_id, number="KC-C2", amount="-1850.00"):
    return invoice_in_procore(world, commitment, number, {"line_item_id": line_id, "work_completed_this_period": amount},
                              billing="2026-11-30")


def exported_credit_note(world, procore_id):
    record = pulled_accepted_synced(world, SubcontractorInvoice, procore_id, ("subcontractor_invoices",))
    return record, xero_client_for(world.link).get_credit_note(record.xero_id)


def test_a_negative_invoice_becomes_a_credit_note_allocated_to_the_open_bill(world):
    """CRED-1, INV-3, INV-1: a −1,850.00 invoice on a commitment whose 10,000.00 bill is open in Xero exports
    as one ACCPAYCREDIT credit note of 1,850.00 to the same contact, on the same Item, account and tracking,
    in the bill's currency, with the link back to Procore on its history; it is allocated to the bill, which
    then owes 1,850.00 less; the record says so."""
    no_tax(world)
    commitment, line_id, bill = a_commitment_with_an_open_bill(world)
    data = negative_invoice(world, commitment, line_id)
    record, note = exported_credit_note(world, data["id"])
    assert record.xero_credit_note and record.total == Decimal("-1850.00")
    assert (note["Type"], note["Status"], note["Total"]) == ("ACCPAYCREDIT", "PAID", Decimal("1850.00"))
    assert note["CreditNoteNumber"] == "KC-C2" and note["RemainingCredit"] == Decimal("0.00")
    assert note["Contact"]["ContactID"] == bill["Contact"]["ContactID"] == record.vendor.xero_id
    [line] = note["LineItems"]
    [bill_line] = bill["LineItems"]
    assert (line["ItemCode"], line["AccountCode"], line["LineAmount"]) == (bill_line["ItemCode"], bill_line["AccountCode"],
                                                                           Decimal("1850.00"))
    assert line["Tracking"] == bill_line["Tracking"] and note["CurrencyCode"] == bill["CurrencyCode"]
    assert str(note["Date"])[:10] == "2026-11-30"
    [allocation] = note["Allocations"]
    assert allocation["Invoice"]["InvoiceID"] == bill["InvoiceID"] and allocation["Amount"] == Decimal("1850.00")
    after = xero_client_for(world.link).get_invoice(bill["InvoiceID"])
    assert after["AmountDue"] == bill["AmountDue"] - Decimal("1850.00") == Decimal("8150.00")
    assert "1850.00 allocated to bill KC-C1" in record.credit_allocation
    assert len(credit_notes(world)) == 1
    # A credit note has no Url: the link back to the Procore invoice is a note on its history.
    history = xero_client_for(world.link).list_history("CreditNotes", note["CreditNoteID"])
    assert [h["Details"] for h in history] == [f"Procore invoice: {bill['Url'].rsplit('/', 1)[0]}/{record.procore_id}"]


def test_with_refuse_the_negative_invoice_is_refused_as_before(world):
    """INV-3, CRED-1: with the link's negative_invoices set to refuse, the same −1,850.00 invoice is refused
    with the reason, and Xero holds no credit note."""
    no_tax(world)
    world.link.negative_invoices = "refuse"
    world.link.save(update_fields=["negative_invoices"])
    commitment, line_id, _ = a_commitment_with_an_open_bill(world)
    data = negative_invoice(world, commitment, line_id)
    run = pull_link(link_id=world.link.pk, resources=("subcontractor_invoices",))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    record = SubcontractorInvoice.objects.get(link=world.link, procore_id=data["id"])
    assert record.erp_status == ErpStatus.NOT_SENT
    assert "The invoice total is negative (-1850.00)" in record.erp_message and "'refuse'" in record.erp_message
    assert credit_notes(world) == []


def test_without_an_open_bill_the_credit_stays_open_and_the_record_says_so(world):
    """CRED-1: the commitment's only bill is paid in full in Xero, so the −1,850.00 invoice's credit note
    stays an open credit of 1,850.00 (nothing allocated), and the record's page says why."""
    no_tax(world)
    commitment, line_id, bill = a_commitment_with_an_open_bill(world, amount="500.00")
    xero = xero_client_for(world.link)
    bank = next(a for a in xero.list_accounts() if a.get("Type") == "BANK")
    [paid] = xero.create_payments([{"Invoice": {"InvoiceID": bill["InvoiceID"]}, "Account": {"AccountID": bank["AccountID"]},
                                    "Date": "2026-11-15", "Amount": Decimal("500.00")}], idempotency_key="pay-c1")
    assert paid.ok, paid.errors
    data = negative_invoice(world, commitment, line_id)
    record, note = exported_credit_note(world, data["id"])
    assert (note["Type"], note["Status"], note["RemainingCredit"], note["Allocations"]) == (
        "ACCPAYCREDIT", "AUTHORISED", Decimal("1850.00"), [])
    assert xero.get_invoice(bill["InvoiceID"])["AmountDue"] == Decimal("0.00")
    assert "1850.00 left as open credit: the commitment has no open bill in Xero" in record.credit_allocation


def test_a_retried_export_after_a_dropped_answer_leaves_one_credit_note_allocated_once(world, sandboxes):
    """CRED-1, SYNC-8, REL-2: every answer to the credit note's PUT is lost (the write committed), and Xero no
    longer replays the key; the next export looks the credit note up before sending it again: Xero holds one
    credit note, allocated once, and the bill owes 1,850.00 less, once."""
    no_tax(world)
    commitment, line_id, bill = a_commitment_with_an_open_bill(world)
    data = negative_invoice(world, commitment, line_id)
    run = pull_link(link_id=world.link.pk, resources=("subcontractor_invoices",))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    record = SubcontractorInvoice.objects.get(link=world.link, procore_id=data["id"])
    assert len(records_accept(records=[record], actor=UserFactory(role="Accounting Approver")).done) == 1
    sandboxes.xero.fail_next(20, drop=True, method="PUT", path_contains="/CreditNotes")
    first = export_link_partial(world)
    assert first.status == SyncRun.Status.PARTIAL, first.message
    record.refresh_from_db()
    assert record.erp_status == ErpStatus.EXPORTING and record.idempotency_key
    assert len(credit_notes(world)) == 1  # the write reached Xero; its answer did not
    sandboxes.xero.faults.clear()
    sandboxes.xero.idempotency.clear()  # Xero keeps idempotency keys for a limited time only
    run_export(world.link)
    record.refresh_from_db()
    assert record.erp_status == ErpStatus.SYNCED, record.erp_message
    [note] = credit_notes(world)
    assert record.xero_id == note["CreditNoteID"] and record.xero_credit_note
    note = xero_client_for(world.link).get_credit_note(note["CreditNoteID"])
    assert [a["Amount"] for a in note["Allocations"]] == [Decimal("1850.00")]
    assert xero_client_for(world.link).get_invoice(bill["InvoiceID"])["AmountDue"] == Decimal("8150.00")
    assert len(xero_client_for(world.link).list_history("CreditNotes", note["CreditNoteID"])) == 1


def export_link_partial(world):
    from integration.services.export import export_link

    return export_link(link_id=world.link.pk)


def test_a_negative_owner_invoice_becomes_a_sales_credit_note_allocated_to_the_sales_invoice(world):
    """CRED-1, INV-5: a payment application of −1,850.00 on a prime contract whose 30,000.00 sales invoice is
    open exports as one ACCRECCREDIT credit note to the owner, allocated to that sales invoice, which then
    owes 1,850.00 less."""
    from integration.models import OwnerInvoice

    no_tax(world)
    run_export(world.link)
    procore, pid = world.procore, world.project.procore_id
    code = procore.create_record("project_cost_code", {"project_id": pid, "code": "03-300", "name": "Concrete"})
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": "PC-9",
                                                     "status": "Approved", "vendor_id": world.vendors[2].procore_id})

    def claim(number, period_end, amount):
        return procore.create_record("payment_application", {
            "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": number, "status": "approved",
            "billing_date": period_end, "period_start": period_end[:8] + "01", "period_end": period_end,
            "line_items": [{"description_of_work": "Ground floor slab", "cost_code_id": code["id"],
                            "line_item_type_id": labor["id"], "scheduled_value": "120000.00",
                            "work_completed_this_period": amount}]})

    first = claim("HV-PC-01", "2026-10-31", "30000.00")
    _, sale = pulled_accepted_exported(world, OwnerInvoice, first["id"], ("prime_contracts", "owner_invoices"))
    assert (sale["Status"], sale["AmountDue"]) == ("AUTHORISED", Decimal("30000.00"))
    second = claim("HV-PC-02", "2026-11-30", "-1850.00")
    run = pull_link(link_id=world.link.pk, resources=("prime_contracts", "owner_invoices"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    record = OwnerInvoice.objects.get(link=world.link, procore_id=second["id"])
    assert record.erp_status == ErpStatus.READY_TO_EXPORT, record.erp_message
    assert len(records_accept(records=[record], actor=UserFactory(role="Accounting Approver")).done) == 1
    run_export(world.link)
    record.refresh_from_db()
    assert record.erp_status == ErpStatus.SYNCED and record.xero_credit_note, record.erp_message
    xero = xero_client_for(world.link)
    note = xero.get_credit_note(record.xero_id)
    assert (note["Type"], note["Total"], note["CreditNoteNumber"]) == ("ACCRECCREDIT", Decimal("1850.00"), "HV-PC-02")
    assert note["Contact"]["ContactID"] == sale["Contact"]["ContactID"]
    assert [(a["Invoice"]["InvoiceID"], a["Amount"]) for a in note["Allocations"]] == [(sale["InvoiceID"], Decimal("1850.00"))]
    assert xero.get_invoice(sale["InvoiceID"])["AmountDue"] == Decimal("28150.00")
    assert "1850.00 allocated to invoice HV-PC-01" in record.credit_allocation


def test_job_costs_count_the_exported_credit_note_against_the_commitment(world):
    """CRED-1, BOOK-6, JC-4: the exported credit note reduces the commitment's invoiced amount (10,000.00 less
    1,850.00) and is not a direct cost in the connector nor in Procore."""
    from integration.models import CommitmentCredit, JobCostSummary
    from integration.services.imports import import_job_costs

    no_tax(world)
    commitment, line_id, bill = a_commitment_with_an_open_bill(world)
    data = negative_invoice(world, commitment, line_id)
    record, _ = exported_credit_note(world, data["id"])
    world.procore.create_record("project_cost_code", {"project_id": world.project.procore_id, "code": "03-300",
                                                      "name": "Concrete"})
    labor = world.procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    type(world.items[0].cost_type).objects.filter(pk=world.items[0].cost_type_id).update(procore_id=labor["id"])
    run = import_job_costs(link=world.link)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    [row] = JobCostSummary.objects.filter(link=world.link, project=world.project, cost_item=world.items[0])
    assert (row.commitment_invoiced, row.direct_costs) == (Decimal("8150.00"), Decimal("0.00"))
    [credit] = CommitmentCredit.objects.filter(link=world.link)
    assert (credit.subcontractor_invoice_id, credit.amount) == (record.pk, Decimal("-1850.00"))
    assert not [dc for dc in [world.procore.store.render("direct_cost", r) for r in world.procore.store.records["direct_cost"].values()] if Decimal(dc["grand_total"]) < 0]


def test_a_credit_note_already_in_xero_is_reported_not_sent_twice(world):
    """CRED-1, INV-4: the accountant already keyed supplier credit note KC-C2 of 1,850.00 for the contact in
    Xero; the negative invoice of that number and amount is not sent: it fails naming the existing credit
    note, and Xero still holds one."""
    no_tax(world)
    commitment, line_id, bill = a_commitment_with_an_open_bill(world)
    xero = xero_client_for(world.link)
    [keyed] = xero.create_credit_notes([{
        "Type": "ACCPAYCREDIT", "Contact": {"ContactID": bill["Contact"]["ContactID"]}, "CreditNoteNumber": "KC-C2",
        "Date": "2026-11-30", "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Returned", "Quantity": Decimal("1"), "UnitAmount": Decimal("1850.00"),
                       "AccountCode": world.link.default_purchase_account}]}], idempotency_key="keyed-cn")
    assert keyed.ok, keyed.errors
    data = negative_invoice(world, commitment, line_id)
    run = pull_link(link_id=world.link.pk, resources=("subcontractor_invoices",))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    record = SubcontractorInvoice.objects.get(link=world.link, procore_id=data["id"])
    assert len(records_accept(records=[record], actor=UserFactory(role="Accounting Approver")).done) == 1
    run_export(world.link)
    record.refresh_from_db()
    assert record.erp_status == ErpStatus.FAILED and record.xero_id == ""
    assert record.erp_message.startswith("Duplicate guard: Xero already has supplier credit note KC-C2") and keyed.id in record.erp_message
    assert [n["CreditNoteID"] for n in credit_notes(world)] == [keyed.id]


def test_unlink_asks_xero_about_the_credit_note(world):
    """CRED-1, SYNC-7: unlinking the credit-note record is refused while its credit note is live in Xero and
    done once it is voided; the record is then no longer marked as a credit note."""
    from integration.services import queue

    no_tax(world)
    run_export(world.link)
    commitment, line_id = commitment_with_a_line(world)
    data = negative_invoice(world, commitment, line_id)
    record, note = exported_credit_note(world, data["id"])
    assert note["Status"] == "AUTHORISED" and note["Allocations"] == []  # no bill: an open credit
    admin = UserFactory(role="ERP Admin")
    with pytest.raises(queue.TransitionRefused, match="still authorised"):
        queue.record_unlink(record=record, actor=admin)
    [voided] = xero_client_for(world.link).write("CreditNotes", [{"CreditNoteID": record.xero_id, "Status": "VOIDED"}],
                                                 method="POST", idempotency_key="void-cn")
    assert voided.ok, voided.errors
    queue.record_unlink(record=record, actor=admin)
    record.refresh_from_db()
    assert (record.erp_status, record.xero_id, record.xero_credit_note, record.credit_allocation) == (
        ErpStatus.UNLINKED, "", False, "")
