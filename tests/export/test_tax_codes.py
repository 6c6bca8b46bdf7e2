"""Procore tax codes map to Xero TaxTypes through the link's table (BOOK-3): a mapped line is booked
in Xero with its TaxType and the tax Xero computes for it; an unmapped one takes its account's default
tax. The table only takes TaxTypes the organisation has in Xero, and only the link's own tax codes."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from integration.models import ErpStatus, SyncRun, TaxCode, TaxCodeMapping
from integration.roles import ERP_ADMIN
from integration.services.connections import xero_client_for
from integration.services.export import export_link
from tests.factories import CommitmentLineFactory, InvoiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = "admin:integration_taxcodemapping_add"


@pytest.fixture
def erp_admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="erpadmin", role=ERP_ADMIN))
    return client


def _codes(link):
    zero = TaxCode.objects.create(link=link, procore_id=901, code="EXEMPT", description="GST exempt", rate=Decimal("0"))
    gst = TaxCode.objects.create(link=link, procore_id=902, code="GST", description="GST 15%", rate=Decimal("15"))
    return zero, gst


def test_the_table_takes_only_a_taxtype_of_xeros_tax_rates(world, erp_admin_client):
    """BOOK-3: saving a mapping checks its TaxType against Xero's GET /TaxRates: OUTPUT9 (no such NZ
    TaxType) is refused naming the organisation's TaxTypes and nothing is saved; "none" is saved as NONE."""
    zero, _ = _codes(world.link)
    page = erp_admin_client.post(reverse(ADD), {"link": world.link.pk, "tax_code": zero.pk, "xero_tax_type": "OUTPUT9"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "no active TaxType OUTPUT9" in html and "INPUT2 (15% GST on Expenses)" in html
    assert not TaxCodeMapping.objects.exists()
    answer = erp_admin_client.post(reverse(ADD), {"link": world.link.pk, "tax_code": zero.pk, "xero_tax_type": "none"})
    assert answer.status_code == 302
    assert TaxCodeMapping.objects.get().xero_tax_type == "NONE"


def test_a_tax_code_has_a_taxtype_for_purchases_and_one_for_sales(world, erp_admin_client):
    """BOOK-3: Xero's rates apply to purchases or to sales (CanApplyToExpenses / CanApplyToRevenue), and Xero
    refuses a sales rate on a bill's expense account. Saving GST as OUTPUT2 on purchases is refused with the
    rates that do apply, and nothing is saved; INPUT2 on purchases with OUTPUT2 on sales is saved; INPUT2
    on sales is refused likewise."""
    _, gst = _codes(world.link)
    page = erp_admin_client.post(reverse(ADD), {"link": world.link.pk, "tax_code": gst.pk, "xero_tax_type": "OUTPUT2"})
    html = page.content.decode()
    assert page.status_code == 200 and "OUTPUT2 (15% GST on Income) does not apply to purchases" in html
    assert "INPUT2" in html and not TaxCodeMapping.objects.exists()
    page = erp_admin_client.post(reverse(ADD), {"link": world.link.pk, "tax_code": gst.pk, "xero_tax_type": "INPUT2",
                                                "xero_sales_tax_type": "input2"})
    assert page.status_code == 200 and "INPUT2 (15% GST on Expenses) does not apply to sales" in page.content.decode()
    assert not TaxCodeMapping.objects.exists()
    answer = erp_admin_client.post(reverse(ADD), {"link": world.link.pk, "tax_code": gst.pk, "xero_tax_type": "input2",
                                                  "xero_sales_tax_type": "output2"})
    assert answer.status_code == 302
    mapping = TaxCodeMapping.objects.get()
    assert (mapping.xero_tax_type, mapping.xero_sales_tax_type) == ("INPUT2", "OUTPUT2")


def test_xero_refuses_a_sales_rate_on_a_bills_expense_account(world):
    """BOOK-3: the sandbox keeps Xero's rule (XeroAPI/Xero-Java#336): a bill line on expense account 310
    with TaxType OUTPUT2 is refused naming both; the same line with INPUT2 is booked."""
    client = xero_client_for(world.link)
    [contact] = client.create_contacts([{"Name": "Kauri Concrete Ltd"}], idempotency_key="tax-rule-contact")
    bill = {"Type": "ACCPAY", "Contact": {"ContactID": contact.id}, "Status": "AUTHORISED",
            "Date": "2026-10-31", "DueDate": "2026-11-30", "LineAmountTypes": "Exclusive"}
    line = {"Description": "Slab", "Quantity": 1, "UnitAmount": Decimal("100.00"), "AccountCode": "310"}
    [refused] = client.create_invoices([{**bill, "InvoiceNumber": "TX-1", "LineItems": [{**line, "TaxType": "OUTPUT2"}]}],
                                       idempotency_key="tax-rule-1")
    assert not refused.ok and "The TaxType code 'OUTPUT2' cannot be used with account code '310'" in " ".join(refused.errors)
    [booked] = client.create_invoices([{**bill, "InvoiceNumber": "TX-2", "LineItems": [{**line, "TaxType": "INPUT2"}]}],
                                      idempotency_key="tax-rule-2")
    assert booked.ok, booked.errors


def test_a_mapped_tax_code_is_booked_with_its_taxtype_and_an_unmapped_one_takes_the_accounts(world):
    """BOOK-3: a bill's line on a commitment line of Procore tax code EXEMPT (mapped to NONE) is booked
    in Xero with TaxType NONE and no tax; its line of tax code GST (not mapped) takes account 310's
    default INPUT2 and Xero's 15%; the purchase order's lines alike. The bill's tax is Xero's sum."""
    zero, _ = _codes(world.link)
    TaxCodeMapping.objects.create(link=world.link, tax_code=zero, xero_tax_type="NONE")
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="")
    commitment.lines.all().delete()
    exempt = CommitmentLineFactory(commitment=commitment, cost_item=world.items[0], amount=Decimal("6000.00"),
                                   unit_cost=Decimal("6000"), procore_tax_code_id=901, position=1)
    taxed = CommitmentLineFactory(commitment=commitment, cost_item=world.items[1], amount=Decimal("4000.00"),
                                  unit_cost=Decimal("4000"), procore_tax_code_id=902, position=2)
    invoice = world.invoice(commitment, amount="0.00")
    invoice.lines.all().delete()
    InvoiceLineFactory(invoice=invoice, cost_item=world.items[0], commitment_line=exempt, amount=Decimal("1000.00"))
    InvoiceLineFactory(invoice=invoice, cost_item=world.items[1], commitment_line=taxed, amount=Decimal("500.00"))

    run = export_link(link_id=world.link.pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    invoice.refresh_from_db()
    commitment.refresh_from_db()
    client = xero_client_for(world.link)
    bill = client.get_invoice(invoice.xero_id)
    booked = [(line["ItemCode"], line["TaxType"], line["TaxAmount"]) for line in bill["LineItems"]]
    assert booked == [(world.items[0].item_code, "NONE", Decimal("0.00")), (world.items[1].item_code, "INPUT2", Decimal("75.00"))]
    assert (bill["SubTotal"], bill["TotalTax"], bill["Total"]) == (Decimal("1500.00"), Decimal("75.00"), Decimal("1575.00"))
    order = client.get_purchase_order(commitment.xero_id)
    assert [line["TaxType"] for line in order["LineItems"]] == ["NONE", "INPUT2"]


def test_an_owner_invoice_line_is_booked_with_its_prime_contract_lines_taxtype(world):
    """BOOK-3, INV-5: the prime contract's schedule of values carries Procore tax codes (EXEMPT on the slab,
    GST on the steel); EXEMPT maps to ZERORATED on sales (NONE on purchases). The pulled owner invoice's sales invoice books the slab
    line as ZERORATED with no tax and the steel line (unmapped) with account 200's OUTPUT2 at Xero's 15%."""
    from integration.models import OwnerInvoice
    from integration.services.pull import pull_link
    from integration.services.queue import records_accept
    from tests.export.test_export import run_export

    procore, pid = world.procore, world.project.procore_id
    exempt = procore.create_record("tax_code", {"code": "EXEMPT", "description": "GST exempt", "rate1": 0})
    gst = procore.create_record("tax_code", {"code": "GST", "description": "GST 15%", "rate1": 15})
    for data in (exempt, gst):
        TaxCode.objects.create(link=world.link, procore_id=data["id"], code=data["code"])
    TaxCodeMapping.objects.create(link=world.link, tax_code=TaxCode.objects.get(code="EXEMPT"), xero_tax_type="NONE",
                                  xero_sales_tax_type="ZERORATED")
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    codes = {code: procore.create_record("project_cost_code", {"project_id": pid, "code": code, "name": code})
             for code in ("03-300", "05-120")}
    prime = procore.create_record("prime_contract", {
        "project_id": pid, "title": "Main contract", "number": "PC-8", "status": "Approved",
        "vendor_id": world.vendors[2].procore_id, "line_items": [
            {"description": "Slab", "cost_code_id": codes["03-300"]["id"], "line_item_type_id": labor["id"],
             "amount": "120000.00", "tax_code_id": exempt["id"]},
            {"description": "Steel", "cost_code_id": codes["05-120"]["id"], "line_item_type_id": labor["id"],
             "amount": "90000.00", "tax_code_id": gst["id"]}]})
    pay_app = procore.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "HV-PC-08", "status": "approved",
        "billing_date": "2026-10-31", "period_start": "2026-10-01", "period_end": "2026-10-31",
        "line_items": [  # in another order than the contract's lines: matched by cost code, not by place
            {"description_of_work": "Steel frame", "cost_code_id": codes["05-120"]["id"],
             "line_item_type_id": labor["id"], "scheduled_value": "90000.00", "work_completed_this_period": "2000.00"},
            {"description_of_work": "Ground floor slab", "cost_code_id": codes["03-300"]["id"],
             "line_item_type_id": labor["id"], "scheduled_value": "120000.00", "work_completed_this_period": "1000.00"},
        ]})
    run_export(world.link)
    run = pull_link(link_id=world.link.pk, resources=("prime_contracts", "owner_invoices"))
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    invoice = OwnerInvoice.objects.get(link=world.link, procore_id=pay_app["id"])
    assert records_accept(records=[invoice], actor=UserFactory(username="approver-tax", role="Accounting Approver")).done
    run_export(world.link)

    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED, invoice.erp_message
    sale = xero_client_for(world.link).get_invoice(invoice.xero_id)
    booked = [(line["Description"], line["TaxType"], line["TaxAmount"]) for line in sale["LineItems"]]
    assert booked == [("Steel frame", "OUTPUT2", Decimal("300.00")), ("Ground floor slab", "ZERORATED", Decimal("0.00"))]
    assert (sale["SubTotal"], sale["TotalTax"], sale["Total"]) == (Decimal("3000.00"), Decimal("300.00"), Decimal("3300.00"))
