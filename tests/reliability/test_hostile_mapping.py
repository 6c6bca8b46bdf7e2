"""REL-6: any string, any Decimal, any date — a record either maps to a valid payload or fails a
named validation rule, never raises (property-based, with hypothesis)."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integration import validation
from integration.mapping import to_xero
from integration.models import (
    Commitment,
    CommitmentLine,
    CompanyLink,
    CostCode,
    CostItem,
    CostType,
    InvoiceLine,
    Project,
    SubcontractorInvoice,
    Vendor,
)
from xero_client.parsing import dumps

TEXT = st.text(max_size=300)
DECIMALS = st.decimals(allow_nan=True, allow_infinity=True)
DATES = st.one_of(st.none(), st.dates())
XERO_IDS = st.one_of(st.just(""), st.uuids().map(str))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(failures):
    for failure in failures:
        assert isinstance(failure, validation.Failure)
        assert failure.field and failure.rule and failure.message


def cost_item(code, description, xero_id):
    return CostItem(item_code=code, description=description, xero_id=xero_id,
                    cost_code=CostCode(code=code, name=description), cost_type=CostType(code="L", name="Labor"))


@PROPERTY
@given(name=TEXT, address=TEXT, phone=TEXT, procore_id=st.one_of(st.none(), st.integers(1, 2**63 - 1)))
def test_any_company_maps_or_fails_by_name(name, address, phone, procore_id):
    """CO-1, REL-6."""
    vendor = Vendor(name=name, address=address, business_phone=phone, procore_id=procore_id)
    failures = validation.validate_vendor(vendor, [], validation.Context())
    check(failures)
    if not failures:
        contact = to_xero.vendor_to_contact(vendor)
        assert 0 < len(contact["Name"]) <= 41
        dumps({"Contacts": [contact]})


@PROPERTY
@given(code=TEXT, description=TEXT, count=st.integers(0, 5000))
def test_any_cost_item_maps_or_fails_by_name(code, description, count):
    """WBS-1, WBS-2, REL-6."""
    item = cost_item(code, description, "")
    failures = validation.validate_cost_item(item, [], validation.Context(item_count_on_link=count))
    check(failures)
    if not failures:
        payload = to_xero.cost_item_to_item(item, link=CompanyLink())
        assert len(payload["Code"]) <= 30 and len(payload["Name"]) <= 50
        dumps({"Items": [payload]})


@PROPERTY
@given(name=TEXT, number=TEXT, count=st.integers(0, 3), active=st.booleans(), xero_id=XERO_IDS)
def test_any_project_maps_or_fails_by_name(name, number, count, active, xero_id):
    """PRJ-1, REL-6."""
    project = Project(name=name, project_number=number, cost_code_count=count, active=active, xero_id=xero_id)
    failures = validation.validate_project(project, [], validation.Context())
    check(failures)
    if not failures:
        option = to_xero.project_to_option(project)
        assert 0 < len(option["Name"]) <= 50
        if len(number.strip()) < 50:
            assert option["Name"].startswith(number.strip())


@PROPERTY
@given(
    invoice_number=TEXT, status=st.sampled_from(["approved", "approved_as_noted", "draft", "Approved", ""]),
    billing=DATES, start=DATES, end=DATES, payment=DATES, retainage=DECIMALS,
    lines=st.lists(st.tuples(DECIMALS, DECIMALS, DECIMALS, TEXT), max_size=4),
    vendor_id=XERO_IDS, project_id=XERO_IDS, method=st.sampled_from(["amount", "unit"]), sync=st.booleans(),
)
def test_any_subcontractor_invoice_maps_or_fails_by_name(invoice_number, status, billing, start, end, payment,
                                                         retainage, lines, vendor_id, project_id, method, sync):
    """INV-1, INV-2, INV-3, REL-6."""
    link = CompanyLink(commitment_sync=sync)
    vendor = Vendor(name="Kauri Concrete", xero_id=vendor_id)
    project = Project(name="Harbour View", project_number="HV-1", xero_id=project_id, procore_id=1)
    commitment = Commitment(number="SC-1", accounting_method=method, vendor=vendor, project=project, procore_id=2)
    invoice = SubcontractorInvoice(link=link, vendor=vendor, project=project, commitment=commitment, procore_id=3,
                                   invoice_number=invoice_number, status=status, billing_date=billing, period_start=start,
                                   period_end=end, payment_date=payment, retainage_this_period=retainage)
    invoice_lines = [InvoiceLine(amount=a, quantity=q, unit_price=u, description=d, cost_item=cost_item("03.L", "Concrete", "x"))
                     for a, q, u, d in lines]
    failures = validation.validate_subcontractor_invoice(invoice, invoice_lines, validation.Context(commitment_sync=sync))
    check(failures)
    if not failures:
        bill = to_xero.subcontractor_invoice_to_bill(invoice, invoice_lines, link=link, web_url="https://app.procore.com")
        assert bill["Type"] == "ACCPAY" and len(bill["InvoiceNumber"]) <= 255
        assert all(isinstance(line["UnitAmount"], Decimal) for line in bill["LineItems"])
        assert sum(line["LineAmount"] for line in bill["LineItems"]) >= 0
        dumps({"Invoices": [bill]})


@PROPERTY
@given(number=TEXT, title=TEXT, ship_via=TEXT, status=st.sampled_from(["Approved", "Draft", "Void", ""]),
       lines=st.lists(st.tuples(DECIMALS, DECIMALS, DECIMALS, TEXT), max_size=4), vendor_id=XERO_IDS)
def test_any_commitment_maps_or_fails_by_name(number, title, ship_via, status, lines, vendor_id):
    """CMT-1, CMT-2, REL-6."""
    link = CompanyLink()
    commitment = Commitment(number=number, title=title, ship_via=ship_via, status=status,
                            vendor=Vendor(name="V", xero_id=vendor_id), project=Project(name="P", project_number="1", xero_id="p"))
    sov = [CommitmentLine(amount=a, quantity=q, unit_cost=u, description=d, cost_item=cost_item("03.L", "Concrete", "x"))
           for a, q, u, d in lines]
    failures = validation.validate_commitment(commitment, sov, validation.Context())
    check(failures)
    if not failures:
        po = to_xero.commitment_to_purchase_order(commitment, sov, link=link)
        assert len(po["PurchaseOrderNumber"]) <= 255 and len(po.get("DeliveryInstructions", "")) <= 500
        dumps({"PurchaseOrders": [po]})
