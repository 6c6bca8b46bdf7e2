"""SYNC-5: each export rule with a record that passes it and one that fails it."""

from decimal import Decimal

import pytest

from integration import validation
from integration.selectors import validate_record
from tests.factories import (
    ChangeOrderFactory,
    CommitmentFactory,
    CostItemFactory,
    InvoiceLineFactory,
    OwnerInvoiceFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def rules(record):
    return {(f.rule, f.field) for f in validate_record(record)}


def test_valid_records_pass_every_rule():
    """WBS-1, PRJ-1, CO-1, CMT-2, CCO-2, INV-2, INV-5: the factories' records pass."""
    for record in (CostItemFactory(), ProjectFactory(), VendorFactory(), CommitmentFactory(),
                   ChangeOrderFactory(), SubcontractorInvoiceFactory(), OwnerInvoiceFactory()):
        assert validate_record(record) == [], record


def test_cost_item_code_over_30_characters_is_refused():
    """WBS-1: Item code at most 30 characters; name (description) at most 50 and present."""
    assert rules(CostItemFactory(item_code="X" * 30)) == set()
    assert ("WBS-1", "item_code") in rules(CostItemFactory(item_code="X" * 31))
    assert ("WBS-1", "description") in rules(CostItemFactory(description=""))
    assert ("WBS-1", "description") in rules(CostItemFactory(description="D" * 51))
    failure = validate_record(CostItemFactory(item_code="X" * 31))[0]
    assert "31 characters" in failure.message and "30" in failure.message


def test_the_4001st_cost_item_is_refused():
    """WBS-2: at most 4000 cost code items per link."""
    item = CostItemFactory(xero_id="", erp_status="not_sent")
    ctx = validation.Context(item_count_on_link=3999)
    assert validation.validate_cost_item(item, [], ctx) == []
    ctx.item_count_on_link = 4000
    [failure] = validation.validate_cost_item(item, [], ctx)
    assert failure.rule == "WBS-2" and "4000" in failure.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"project_number": ""}, "project_number"), ({"uses_standard_cost_code_list": False}, "uses_standard_cost_code_list"),
     ({"cost_code_count": 0}, "cost_code_count"), ({"active": False, "xero_id": ""}, "active")],
)
def test_project_rules(changes, field):
    """PRJ-1: job number, standard cost code list, at least one cost code, active."""
    assert rules(ProjectFactory(**changes)) == {("PRJ-1", field)}


def test_a_linked_project_that_became_inactive_can_be_updated():
    """PRJ-1, PRJ-2: 'active' is a rule of the first export; a linked project is updated (archived) when inactive."""
    assert rules(ProjectFactory(active=False)) == set()


def test_company_rules():
    """CO-1: a name of at most 41 characters; CO-3: duplicate contact names are caught before export."""
    assert rules(VendorFactory(name="N" * 41)) == set()
    assert rules(VendorFactory(name="N" * 42)) == {("CO-1", "name")}
    assert rules(VendorFactory(name="  ")) == {("CO-1", "name")}
    first = VendorFactory(name="Acme Drywall Ltd")
    twin = VendorFactory(link=first.link, name="Acme Drywall Ltd", erp_status="not_sent", xero_id="")
    assert rules(twin) == {("CO-3", "name")}


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"number": "N" * 256}, "number"), ({"title": "T" * 256}, "title"), ({"status": "Draft"}, "status"),
     ({"vendor__xero_id": ""}, "vendor")],
)
def test_commitment_rules(changes, field):
    """CMT-2: number and title at most 255, company linked to a Xero contact, status Approved."""
    commitment = CommitmentFactory()
    for key, value in changes.items():
        if "__" in key:
            rel, attr = key.split("__")
            target = getattr(commitment, rel)
            setattr(target, attr, value)
            target.save()
        else:
            setattr(commitment, key, value)
    commitment.save()
    assert (("CMT-2", field)) in rules(commitment)
    assert rules(CommitmentFactory(number="N" * 255, title="T" * 255)) == set()


def test_commitment_needs_a_line_with_a_cost_code_and_commitment_sync_on():
    """CMT-2: at least one schedule-of-values line with a cost code; never queued with sync off."""
    assert ("CMT-2", "lines") in rules(CommitmentFactory(lines=0))
    commitment = CommitmentFactory()
    commitment.link.commitment_sync = False
    commitment.link.save()
    assert ("CMT-2", "commitment_sync") in rules(commitment)


def test_change_order_rules():
    """CCO-2: the CMT-2 rules, and its commitment must already be a Xero purchase order."""
    assert ("CCO-2", "status") in rules(ChangeOrderFactory(status="pending"))
    assert ("CCO-2", "lines") in rules(ChangeOrderFactory(lines=0))
    co = ChangeOrderFactory()
    co.commitment.xero_id = ""
    co.commitment.save()
    assert ("CCO-2", "commitment") in rules(co)


@pytest.mark.parametrize("field", ["billing_date", "period_start", "period_end", "payment_date"])
def test_invoice_dates_are_required(field):
    """INV-2: billing date, period start, period end and payment date present."""
    assert rules(SubcontractorInvoiceFactory(**{field: None})) == {("INV-2", field)}


def test_invoice_rules():
    """INV-2: company linked, invoice number present and at most 255, Approved, a line with a cost code."""
    assert rules(SubcontractorInvoiceFactory(invoice_number="I" * 256)) == {("INV-2", "invoice_number")}
    assert rules(SubcontractorInvoiceFactory(invoice_number="")) == {("INV-2", "invoice_number")}
    assert rules(SubcontractorInvoiceFactory(status="under_review")) == {("INV-2", "status")}
    assert rules(SubcontractorInvoiceFactory(status="approved_as_noted")) == set()
    assert ("INV-2", "lines") in rules(SubcontractorInvoiceFactory(lines=0))
    unlinked = SubcontractorInvoiceFactory()
    unlinked.vendor.xero_id = ""
    unlinked.vendor.save()
    assert rules(unlinked) == {("INV-2", "vendor")}


def test_negative_invoice_is_refused_with_a_reason():
    """INV-3: with the link's negative_invoices set to refuse, an invoice whose total is negative is refused
    with a reason, not dropped silently."""
    invoice = SubcontractorInvoiceFactory(lines=0)
    invoice.link.negative_invoices = "refuse"
    invoice.link.save()
    InvoiceLineFactory(invoice=invoice, amount=Decimal("-500.00"))
    [failure] = validate_record(invoice)
    assert (failure.rule, failure.field) == ("INV-3", "total")
    assert "-500.00" in failure.message and "credit note" in failure.message and "'refuse'" in failure.message


def test_negative_invoice_passes_as_a_credit_note_by_default():
    """INV-3, CRED-1: with negative_invoices at its default (credit_note), the same invoice passes its checks:
    it exports as a credit note."""
    invoice = SubcontractorInvoiceFactory(lines=0)
    assert invoice.link.negative_invoices == "credit_note"
    InvoiceLineFactory(invoice=invoice, amount=Decimal("-500.00"))
    assert validate_record(invoice) == []
    retained = SubcontractorInvoiceFactory(retainage_this_period=Decimal("100.00"))  # 1000 − 100 ≥ 0
    assert rules(retained) == set()
