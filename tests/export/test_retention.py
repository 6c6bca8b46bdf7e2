"""Retention release (issue 14, RET-1), end to end: invoices entered in the Procore sandbox, pulled,
accepted and exported; each test reads what Xero holds."""

from decimal import Decimal

import pytest

from integration.models import ErpStatus, OwnerInvoice, SubcontractorInvoice, SyncRun
from integration.services.connections import xero_client_for
from integration.services.pull import pull_link
from integration.services.queue import records_accept
from tests.export.test_export import run_export
from tests.factories import CommitmentFactory, CommitmentLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def commitment_with_a_line(world, amount="100000.00"):
    """A subcontract in Procore with one line (the world's first cost item), as the pull leaves it."""
    procore = world.procore
    data = procore.create_record("work_order_contract", {
        "project_id": world.project.procore_id, "title": "Concrete works", "number": "SC-R1", "status": "Approved",
        "vendor_id": world.vendors[0].procore_id, "line_items": [{"description": "Slab", "amount": amount}]})
    commitment = CommitmentFactory(link=world.link, project=world.project, vendor=world.vendors[0], procore_id=data["id"],
                                   number="SC-R1", lines=0, erp_status=ErpStatus.NOT_SENT)
    CommitmentLineFactory(commitment=commitment, cost_item=world.items[0], procore_id=data["line_items"][0]["id"],
                          amount=Decimal(amount))
    return commitment, data["line_items"][0]["id"]


def invoice_in_procore(world, commitment, number, item, *, billing="2026-10-31"):
    return world.procore.create_record("requisition", {
        "project_id": world.project.procore_id, "commitment_id": commitment.procore_id, "invoice_number": number,
        "status": "approved", "billing_date": billing, "requisition_start": billing[:8] + "01",
        "requisition_end": billing, "payment_date": "2026-12-20", "items": [{"item_type": "contract_item", **item}]})


def pulled_accepted_exported(world, model, procore_id, resources):
    """The record pulled, accepted and synced, with the Xero invoice it became."""
    record = pulled_accepted_synced(world, model, procore_id, resources)
    return record, xero_client_for(world.link).get_invoice(record.xero_id)


def pulled_accepted_synced(world, model, procore_id, resources):
    run = pull_link(link_id=world.link.pk, resources=resources)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    record = model.objects.get(link=world.link, procore_id=procore_id)
    assert record.erp_status == ErpStatus.READY_TO_EXPORT, record.erp_message
    approver = UserFactory(username=f"approver-{procore_id}", role="Accounting Approver")
    assert len(records_accept(records=[record], actor=approver).done) == 1
    run_export(world.link)
    record.refresh_from_db()
    assert record.erp_status == ErpStatus.SYNCED, record.erp_message
    return record


def retainage_lines(world, document):
    return [line for line in document["LineItems"] if line.get("ItemCode") == world.link.retainage_item_code]


def test_a_release_clears_the_retentions_payable_and_a_release_only_invoice_is_one_bill(world):
    """RET-1, INV-1, BOOK-2: 3,450.00 withheld on the first bill and released by a release-only invoice:
    over the commitment's bills in Xero the retainage lines (Retentions Payable, 815) sum to zero, and the
    release-only invoice is one bill of one line whose total is the release."""
    run_export(world.link)
    commitment, line_id = commitment_with_a_line(world)
    first = invoice_in_procore(world, commitment, "KC-R1", {
        "line_item_id": line_id, "work_completed_this_period": "34500.00",
        "work_completed_retainage_retained_this_period": "3450.00"})
    _, bill = pulled_accepted_exported(world, SubcontractorInvoice, first["id"], ("subcontractor_invoices",))
    assert [line["LineAmount"] for line in retainage_lines(world, bill)] == [Decimal("-3450.00")]

    release = invoice_in_procore(world, commitment, "KC-R2", {
        "line_item_id": line_id, "work_completed_this_period": "0.00",
        "work_completed_retainage_released_this_period": "3450.00"}, billing="2026-11-30")
    invoice, release_bill = pulled_accepted_exported(world, SubcontractorInvoice, release["id"], ("subcontractor_invoices",))
    [line] = release_bill["LineItems"]
    assert (line["ItemCode"], line["AccountCode"], line["LineAmount"]) == (world.link.retainage_item_code, "815", Decimal("3450.00"))
    assert release_bill["Total"] == Decimal("3450.00") == invoice.total
    assert release_bill["Contact"]["ContactID"] == bill["Contact"]["ContactID"]
    bills = [xero_client_for(world.link).get_invoice(i.xero_id) for i in commitment.invoices.all()]
    assert len(bills) == 2
    assert sum(Decimal(line["LineAmount"]) for b in bills for line in retainage_lines(world, b)) == Decimal("0.00")


def test_stored_materials_and_their_retainage_are_billed_once(world):
    """RET-1: Procore's materials presently stored and the materials retainage currently retained are
    balances; the second invoice, with the same 2,000.00 still stored and its 200.00 retainage still held,
    bills only its 1,000.00 of work and that work's 100.00 retainage."""
    run_export(world.link)
    commitment, line_id = commitment_with_a_line(world)
    first = invoice_in_procore(world, commitment, "KC-M1", {
        "line_item_id": line_id, "work_completed_this_period": "5000.00", "materials_presently_stored": "2000.00",
        "work_completed_retainage_retained_this_period": "500.00", "materials_stored_retainage_currently_retained": "200.00"})
    _, bill = pulled_accepted_exported(world, SubcontractorInvoice, first["id"], ("subcontractor_invoices",))
    assert [line["LineAmount"] for line in bill["LineItems"]] == [Decimal("7000.00"), Decimal("-700.00")]
    second = invoice_in_procore(world, commitment, "KC-M2", {
        "line_item_id": line_id, "work_completed_this_period": "1000.00", "materials_presently_stored": "2000.00",
        "work_completed_retainage_retained_this_period": "100.00", "materials_stored_retainage_currently_retained": "200.00"},
        billing="2026-11-30")
    invoice, bill = pulled_accepted_exported(world, SubcontractorInvoice, second["id"], ("subcontractor_invoices",))
    assert [line["LineAmount"] for line in bill["LineItems"]] == [Decimal("1000.00"), Decimal("-100.00")]
    assert invoice.total == Decimal("900.00")


def prime_contract_claims(world):
    """A prime contract in Procore with one schedule line; returns a function that enters a claim on it."""
    procore, pid = world.procore, world.project.procore_id
    code = procore.create_record("project_cost_code", {"project_id": pid, "code": "03-300", "name": "Concrete"})
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": "PC-9",
                                                     "status": "Approved", "vendor_id": world.vendors[2].procore_id})

    def claim(number, period_end, **figures):
        return procore.create_record("payment_application", {
            "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": number, "status": "approved",
            "billing_date": period_end, "period_start": period_end[:8] + "01", "period_end": period_end,
            "line_items": [{"description_of_work": "Ground floor slab", "cost_code_id": code["id"],
                            "line_item_type_id": labor["id"], "scheduled_value": "120000.00", **figures}]})

    return claim


def test_stored_materials_are_billed_once_whatever_order_procore_lists_the_claims_in(world):
    """RET-1, INV-5: November's claim was entered in Procore before October's (a late entry), and both are
    read by one pull. October's claim bills its 4,000.00 of stored materials; November's, with the same
    4,000.00 still stored, bills only its 3,000.00 of new work, not the stored materials a second time."""
    run_export(world.link)
    claim = prime_contract_claims(world)
    november = claim("HV-PC-02", "2026-11-30", work_completed_this_period="3000.00", materials_presently_stored="4000.00")
    october = claim("HV-PC-01", "2026-10-31", work_completed_this_period="30000.00", materials_presently_stored="4000.00")
    run = pull_link(link_id=world.link.pk, resources=("prime_contracts", "owner_invoices"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    billed = {}
    for data in (october, november):
        invoice = OwnerInvoice.objects.get(link=world.link, procore_id=data["id"])
        billed[invoice.invoice_number] = invoice.total
    assert billed == {"HV-PC-01": Decimal("34000.00"), "HV-PC-02": Decimal("3000.00")}


def test_an_owner_invoice_releases_retentions_receivable(world):
    """RET-1, INV-5, BOOK-2: an owner invoice withholds 1,700.00; the next claim releases it with 3,000.00 of
    new work while the 4,000.00 of materials stays stored: it bills the work (not the stored materials
    again), withholds 150.00 and releases 1,700.00 on the Retentions Receivable account (615)."""
    run_export(world.link)
    claim = prime_contract_claims(world)
    first = claim("HV-PC-01", "2026-10-31", work_completed_this_period="30000.00", materials_presently_stored="4000.00",
                  work_completed_retainage_retained_this_period="1500.00",
                  materials_stored_retainage_retained_this_period="200.00")
    _, sale = pulled_accepted_exported(world, OwnerInvoice, first["id"], ("prime_contracts", "owner_invoices"))
    assert [line["LineAmount"] for line in retainage_lines(world, sale)] == [Decimal("-1700.00")]
    second = claim("HV-PC-02", "2026-11-30", work_completed_this_period="3000.00", materials_presently_stored="4000.00",
                   work_completed_retainage_retained_this_period="150.00",
                   work_completed_retainage_released_this_period="1700.00")
    invoice, sale = pulled_accepted_exported(world, OwnerInvoice, second["id"], ("prime_contracts", "owner_invoices"))
    work, withheld, released = sale["LineItems"]
    assert work["LineAmount"] == Decimal("3000.00")
    assert [(line["AccountCode"], line["LineAmount"]) for line in (withheld, released)] == [
        ("615", Decimal("-150.00")), ("615", Decimal("1700.00"))]
    assert invoice.total == Decimal("4550.00")


def test_an_invoice_that_bills_nothing_is_refused_with_a_reason(world):
    """RET-1, INV-2: an invoice with no amount this period and no retainage withheld or released would be a
    bill without lines: its checks say so."""
    from integration.validation import validate

    run_export(world.link)
    invoice = SubcontractorInvoice.objects.get(pk=world.invoice(amount="0.00", erp_status=ErpStatus.READY_TO_EXPORT).pk)
    failures = validate(invoice, invoice.lines.all())
    assert [f.field for f in failures] == ["lines"] and "bills nothing" in failures[0].message
