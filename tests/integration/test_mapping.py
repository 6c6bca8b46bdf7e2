"""The export mapping, field by field against the tables of ../shared/seeds/003_*.txt."""

import datetime
from decimal import Decimal

import pytest

from integration.mapping import to_xero
from integration.mapping.common import project_option_name
from integration.models import Commitment, CompanyLink, CostItem, Project
from tests.factories import (
    ChangeOrderFactory,
    ChangeOrderLineFactory,
    CommitmentFactory,
    CostItemFactory,
    InvoiceLineFactory,
    OwnerInvoiceFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

WEB = "https://app.procore.com"
pytestmark = pytest.mark.django_db


def test_cost_item_becomes_an_item_with_the_links_default_accounts():
    """WBS-1, WBS-3: Cost Code + Cost Type → Item Code; Description → Name; default accounts."""
    item = CostItemFactory(cost_code__code="03-300", cost_type__code="L", description="Concrete - Labor")
    link = item.link
    assert item.item_code == "03-300.L"
    assert to_xero.cost_item_to_item(item, link=link) == {
        "Code": "03-300.L", "Name": "Concrete - Labor", "Description": "Concrete - Labor",
        "PurchaseDescription": "Concrete - Labor",
        "PurchaseDetails": {"AccountCode": link.default_purchase_account},
        "SalesDetails": {"AccountCode": link.default_sales_account},
    }


def test_project_option_keeps_the_job_number_when_trimmed():
    """PRJ-1: name = project name, trimmed to Xero's limit with the job number kept."""
    short = Project(project_number="HV-101", name="Harbour View")
    assert project_option_name(short) == "HV-101 Harbour View"
    long = Project(project_number="HV-101", name="Harbour View Apartments and Retail Podium, Stage Two East")
    name = project_option_name(long)
    assert len(name) <= 50 and name.startswith("HV-101 Harbour View Apartments")


def test_company_becomes_a_contact():
    """CO-1: Name, billing address, city, state, zip, phone, fax; Procore id → ContactNumber."""
    vendor = VendorFactory(procore_id=123456, name="Kauri Concrete Ltd", address="4 Wharf Rd", city="Auckland",
                           state_code="AKL", zip="1010", business_phone="09 555 0101", fax_number="09 555 0109")
    assert to_xero.vendor_to_contact(vendor) == {
        "Name": "Kauri Concrete Ltd",
        "ContactNumber": "123456",
        "Addresses": [{"AddressType": "POBOX", "AddressLine1": "4 Wharf Rd", "City": "Auckland", "Region": "AKL", "PostalCode": "1010"}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "09 555 0101"}, {"PhoneType": "FAX", "PhoneNumber": "09 555 0109"}],
    }
    update = to_xero.vendor_update(vendor, contact_id="c-1")
    assert "Addresses" not in update and update["ContactID"] == "c-1"  # CO-2: address never pushed once linked


def test_commitment_becomes_a_purchase_order():
    """CMT-1: Date = creation, Order Number = commitment #, Contact, Reference = title, lines with
    Item, description, quantity, unit price and project tracking; Delivery Instructions = ship via."""
    commitment = CommitmentFactory(number="SC-007", title="Formwork package", ship_via="Truck",
                                   accounting_method="unit", procore_created_at=datetime.datetime(2026, 9, 1, 22, tzinfo=datetime.UTC))
    line = commitment.lines.get()
    line.quantity, line.unit_cost, line.description = Decimal("120"), Decimal("85.5"), "Formwork m2"
    line.amount = Decimal("10260.00")
    line.save()
    po = to_xero.commitment_to_purchase_order(commitment, list(commitment.lines.all()), link=commitment.link)
    assert po["Contact"] == {"ContactID": commitment.vendor.xero_id}
    assert (po["Date"], po["PurchaseOrderNumber"], po["Reference"], po["DeliveryInstructions"]) == ("2026-09-01", "SC-007", "Formwork package", "Truck")
    [xl] = po["LineItems"]
    assert xl["ItemCode"] == line.cost_item.item_code and xl["Description"] == "Formwork m2"
    assert (xl["Quantity"], xl["UnitAmount"]) == (Decimal("120"), Decimal("85.5"))
    assert xl["Tracking"] == [{"Name": "Project", "Option": project_option_name(commitment.project)}]


def test_change_order_sums_changes_to_one_line_and_appends_below():
    """CCO-1: several changes to one commitment line become one line, appended below the existing."""
    co = ChangeOrderFactory(number="002", lines=0)
    base_line = co.commitment.lines.get()
    ChangeOrderLineFactory(change_order=co, commitment_line=base_line, cost_item=base_line.cost_item, amount=Decimal("500"), description="Extra slab")
    ChangeOrderLineFactory(change_order=co, commitment_line=base_line, cost_item=base_line.cost_item, amount=Decimal("250"), description="Extra slab")
    other = ChangeOrderLineFactory(change_order=co, amount=Decimal("90"), description="Rebar")
    lines = to_xero.change_order_lines(co, list(co.lines.all()), link=co.link)
    assert [(x["Description"], x["UnitAmount"]) for x in lines] == [("CO 002: Extra slab", Decimal("750.00")), ("CO 002: Rebar", Decimal("90.00"))]
    assert lines[1]["ItemCode"] == other.cost_item.item_code
    existing = {"PurchaseOrderID": "po-1", "LineItems": [{"LineItemID": "l-1", "Description": "Foundations", "Quantity": 1, "UnitAmount": 10000, "ItemCode": "A"}]}
    update = to_xero.append_lines_to_purchase_order(existing, lines)
    assert [li.get("LineItemID") for li in update["LineItems"]] == ["l-1", None, None]


def test_subcontractor_invoice_becomes_a_bill():
    """INV-1: contact, dates, InvoiceNumber, lines by amount, project tracking, retainage as its
    own negative line on the retainage Item, zero lines left out, Url back to Procore."""
    invoice = SubcontractorInvoiceFactory(invoice_number="KC-1001", retainage_this_period=Decimal("50.00"), lines=0)
    InvoiceLineFactory(invoice=invoice, amount=Decimal("1000.00"), description="Level 2 slab")
    InvoiceLineFactory(invoice=invoice, amount=Decimal("0"), description="Nothing this period")
    link = invoice.link
    link.commitment_sync = False
    bill = to_xero.subcontractor_invoice_to_bill(invoice, list(invoice.lines.select_related("cost_item")), link=link, web_url=WEB)
    assert bill["Type"] == "ACCPAY" and bill["Contact"] == {"ContactID": invoice.vendor.xero_id}
    assert (bill["Date"], bill["DueDate"], bill["InvoiceNumber"]) == ("2026-10-31", "2026-11-30", "KC-1001")
    assert bill["Url"] == f"{WEB}/{invoice.project.procore_id}/project/commitments/{invoice.commitment.procore_id}/invoices/{invoice.procore_id}"
    work, retainage = bill["LineItems"]
    assert (work["Description"], work["Quantity"], work["UnitAmount"], work["LineAmount"]) == ("Level 2 slab", 1, Decimal("1000.00"), Decimal("1000.00"))
    assert work["Tracking"] == [{"Name": "Project", "Option": project_option_name(invoice.project)}]
    assert (retainage["ItemCode"], retainage["LineAmount"]) == (link.retainage_item_code, Decimal("-50.00"))
    link.commitment_sync = True  # INV-1: the PO number when commitment sync is on
    bill = to_xero.subcontractor_invoice_to_bill(invoice, list(invoice.lines.all()), link=link, web_url=WEB)
    assert bill["InvoiceNumber"] == invoice.commitment.number


def test_unit_based_invoice_sends_quantities():
    """INV-1: unit/quantity commitments send quantities and unit prices."""
    invoice = SubcontractorInvoiceFactory(commitment__accounting_method=Commitment.AccountingMethod.UNIT, lines=0)
    InvoiceLineFactory(invoice=invoice, quantity=Decimal("12.5"), unit_price=Decimal("40"), amount=Decimal("500.00"))
    [line] = to_xero.subcontractor_invoice_to_bill(invoice, list(invoice.lines.all()), link=invoice.link, web_url=WEB)["LineItems"]
    assert (line["Quantity"], line["UnitAmount"], line["LineAmount"]) == (Decimal("12.5"), Decimal("40"), Decimal("500.00"))


def test_tracking_mode_codes_lines_by_project_and_cost_code():
    """WBS-6: with cost codes as tracking options, lines carry two tracking categories and no Item."""
    invoice = SubcontractorInvoiceFactory()
    link = invoice.link
    link.cost_code_export_mode = "tracking"
    [line] = to_xero.subcontractor_invoice_to_bill(invoice, list(invoice.lines.all()), link=link, web_url=WEB)["LineItems"]
    assert "ItemCode" not in line and line["AccountCode"] == link.default_purchase_account
    assert [t["Name"] for t in line["Tracking"]] == ["Project", "Cost Codes"]


def test_owner_invoice_becomes_a_sales_invoice():
    """INV-5, BOOK-2: an owner invoice → ACCREC to the owner; a line on an Item with no sales account in
    Xero takes the link's default sales account, one on an Item with its own sales account sends none."""
    invoice = OwnerInvoiceFactory(invoice_number="PA-007")
    code = invoice.lines.get().cost_item.item_code
    sale = to_xero.owner_invoice_to_invoice(invoice, list(invoice.lines.all()), link=invoice.link, items={code: {"Code": code}})
    assert (sale["Type"], sale["InvoiceNumber"], sale["Date"], sale["DueDate"]) == ("ACCREC", "PA-007", "2026-10-31", "2026-11-20")
    assert sale["Contact"] == {"ContactID": invoice.prime_contract.owner.xero_id}
    assert sale["LineItems"][0]["AccountCode"] == invoice.link.default_sales_account
    owned = {code: {"Code": code, "SalesDetails": {"AccountCode": "260"}, "PurchaseDetails": {}}}
    line = to_xero.owner_invoice_to_invoice(invoice, list(invoice.lines.all()), link=invoice.link, items=owned)["LineItems"][0]
    assert line["ItemCode"] == code and "AccountCode" not in line
    assert sale["LineItems"][0]["LineAmount"] == Decimal("25000.00")


def test_item_code_helper_is_unambiguous():
    """WBS-1: the dot keeps '1-10' + '0L' apart from '1-100' + 'L'."""
    assert CostItem.code_for("1-10", "0L") != CostItem.code_for("1-100", "L")
    assert CompanyLink().project_tracking_category == "Project"
