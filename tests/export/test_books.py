"""The books are right (issue 12): every Xero document is what the accountant would have entered by
hand. Each test reads the document back from Xero (the sandbox keeps Xero's rules) after an export."""

import datetime as dt
from decimal import Decimal

import pytest

from integration.models import ErpStatus, SyncRun
from integration.services.connections import xero_client_for
from integration.services.export import export_link

pytestmark = pytest.mark.django_db


def run_export(link):
    run = export_link(link_id=link.pk)
    assert run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL), run.message
    return run


def test_bill_is_booked_on_its_billing_date_and_due_on_its_payment_date(world):
    """BOOK-1, INV-1: a March invoice posts in March, not on the day of the export; Procore's payment
    date is the bill's due date (seed 003: Payment Date → Due Date)."""
    invoice = world.invoice(billing_date=dt.date(2026, 3, 25), period_end=dt.date(2026, 3, 31), payment_date=dt.date(2026, 4, 24))
    run_export(world.link)
    invoice.refresh_from_db()
    bill = xero_client_for(world.link).get_invoice(invoice.xero_id)
    assert (bill["Date"], bill["DueDate"]) == (dt.date(2026, 3, 25), dt.date(2026, 4, 24))


def test_purchase_order_is_dated_the_organisation_day_of_the_commitment(world, sandboxes):
    """BOOK-1, CMT-1: a commitment created at 13:00 UTC on 31 March is a 1 April purchase order for an
    organisation in New Zealand (UTC+13 then); the time zone is Xero's Organisation.Timezone."""
    sandboxes.xero.books().organisation["Timezone"] = "NEWZEALANDSTANDARDTIME"
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="",
                                  procore_created_at=dt.datetime(2026, 3, 31, 13, 0, tzinfo=dt.UTC))
    run_export(world.link)
    commitment.refresh_from_db()
    order = xero_client_for(world.link).get_purchase_order(commitment.xero_id)
    assert order["Date"] == dt.date(2026, 4, 1)
    world.link.refresh_from_db()
    assert world.link.xero_timezone == "NEWZEALANDSTANDARDTIME"


def test_every_xero_time_zone_has_its_place_and_an_unknown_one_is_named():
    """BOOK-1: each TimeZone of Xero's OAS maps to an IANA zone (so no organisation's orders are dated
    in UTC by mistake); a name Xero adds later is refused by name rather than guessed."""
    import re

    from integration.mapping.common import UnknownTimezone, organisation_day, organisation_zone
    from tests.contract.validator import SPEC_DIR

    enum = (SPEC_DIR / "xero_accounting.yaml").read_text().split("    TimeZone:")[1].split("    PaymentTerm:")[0]
    names = re.findall(r"- (\S+)", enum)
    assert len(names) > 100 and all(organisation_zone(name) for name in names)
    moment = dt.datetime(2026, 3, 31, 13, 0, tzinfo=dt.UTC)
    assert organisation_day(moment, "NEWZEALANDSTANDARDTIME") == dt.date(2026, 4, 1)
    assert organisation_day(moment, "HAWAIIANSTANDARDTIME") == dt.date(2026, 3, 31)
    with pytest.raises(UnknownTimezone, match="MARSSTANDARDTIME"):
        organisation_zone("MARSSTANDARDTIME")


@pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED", "AUTHORISED"])
def test_documents_take_the_links_document_status(world, status):
    """BOOK-8: bills, sales invoices and purchase orders are created in the link's xero_document_status."""
    world.link.xero_document_status = status
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="")
    invoice = world.invoice(amount="250.00")
    run_export(world.link)
    commitment.refresh_from_db()
    invoice.refresh_from_db()
    client = xero_client_for(world.link)
    assert client.get_invoice(invoice.xero_id)["Status"] == status
    assert client.get_purchase_order(commitment.xero_id)["Status"] == status


def test_a_line_posts_to_the_account_the_accountant_set_on_its_item(world, sandboxes):
    """BOOK-2: the accountant moves an Item to the Subcontractors account (320) in Xero; the next bill's
    line posts there, not to the link's default; renaming the cost code keeps the Item on 320."""
    run_export(world.link)  # the Items, with the link's defaults
    books = sandboxes.xero.books()
    item = books.item_by_code(world.items[0].item_code)
    item["PurchaseDetails"] = {"AccountCode": "320"}
    invoice = world.invoice(amount="1000.00")
    run_export(world.link)
    invoice.refresh_from_db()
    [line] = xero_client_for(world.link).get_invoice(invoice.xero_id)["LineItems"]
    assert (line["ItemCode"], line["AccountCode"]) == (world.items[0].item_code, "320")

    world.items[0].refresh_from_db()
    world.items[0].description = "Concrete works - Labor"
    world.items[0].erp_status = ErpStatus.EXPORTING
    world.items[0].save()
    run_export(world.link)
    item = books.item_by_code(world.items[0].item_code)
    assert item["Name"] == "Concrete works - Labor" and item["PurchaseDetails"]["AccountCode"] == "320"


def test_an_item_without_a_purchase_account_takes_the_links_default(world, sandboxes):
    """BOOK-2: an Item set up in Xero with no purchase account: the line carries the link's default."""
    run_export(world.link)
    sandboxes.xero.books().item_by_code(world.items[0].item_code).pop("PurchaseDetails")
    invoice = world.invoice(amount="400.00")
    run_export(world.link)
    invoice.refresh_from_db()
    [line] = xero_client_for(world.link).get_invoice(invoice.xero_id)["LineItems"]
    assert line["AccountCode"] == world.link.default_purchase_account


def test_unit_priced_lines_keep_four_places_and_sum_to_the_invoice(world):
    """BOOK-4: 3 × 33.3333 goes with unitdp=4 and books 100.00; a quantity no unit price can match
    (20,000 units for 1.00) goes as 1 × 1.00; the bill's SubTotal is the invoice's net total."""
    from tests.factories import InvoiceLineFactory

    commitment = world.commitment(erp_status=ErpStatus.NOT_SENT, accounting_method="unit")
    invoice = world.invoice(commitment, amount="0.00")
    invoice.lines.all().delete()
    InvoiceLineFactory(invoice=invoice, cost_item=world.items[0], quantity=Decimal("3"), unit_price=Decimal("33.3333"),
                       amount=Decimal("100.00"), description="Pour")
    InvoiceLineFactory(invoice=invoice, cost_item=world.items[1], quantity=Decimal("20000"), unit_price=Decimal("0.00005"),
                       amount=Decimal("1.00"), description="Ties")
    invoice.total = Decimal("101.00")
    invoice.save()
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED, invoice.erp_message
    bill = xero_client_for(world.link).get_invoice(invoice.xero_id)
    pour, ties = bill["LineItems"]
    assert (pour["Quantity"], pour["UnitAmount"], pour["LineAmount"]) == (Decimal("3"), Decimal("33.3333"), Decimal("100.00"))
    assert (ties["Quantity"], ties["UnitAmount"], ties["LineAmount"]) == (Decimal("1"), Decimal("1.00"), Decimal("1.00"))
    assert bill["SubTotal"] == invoice.total


def test_unit_priced_purchase_order_lines_survive_a_change_order(world):
    """BOOK-4, CCO-1: a PO line of 3 × 33.3333 keeps its 4-place price when a change order's lines are
    appended (read back and sent with unitdp=4), so the order still totals what Procore committed."""
    from tests.factories import ChangeOrderFactory, ChangeOrderLineFactory

    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="", accounting_method="unit")
    line = commitment.lines.get()
    line.quantity, line.unit_cost, line.amount = Decimal("3"), Decimal("33.3333"), Decimal("100.00")
    line.save()
    run_export(world.link)
    commitment.refresh_from_db()
    co = ChangeOrderFactory(link=world.link, commitment=commitment, project=world.project, number="002", lines=0,
                            erp_status=ErpStatus.EXPORTING)
    ChangeOrderLineFactory(change_order=co, commitment_line=line, cost_item=world.items[0], quantity=Decimal("1"),
                           amount=Decimal("33.33"), description="One more")
    run_export(world.link)
    order = xero_client_for(world.link).get_purchase_order(commitment.xero_id)
    assert [(li["Quantity"], li["UnitAmount"], li["LineAmount"]) for li in order["LineItems"]] == [
        (Decimal("3"), Decimal("33.3333"), Decimal("100.00")), (Decimal("1"), Decimal("33.33"), Decimal("33.33"))]
    assert order["SubTotal"] == Decimal("133.33")


def test_retainage_is_owed_not_a_cost(world, sandboxes):
    """BOOK-2, INV-1: retainage withheld on a bill posts to the Retentions Payable liability (815) on the
    retainage Item; the work line keeps its full cost on the Item's expense account."""
    invoice = world.invoice(amount="1000.00", retainage_this_period=Decimal("50.00"), total=Decimal("950.00"))
    run_export(world.link)
    invoice.refresh_from_db()
    work, retainage = xero_client_for(world.link).get_invoice(invoice.xero_id)["LineItems"]
    books = sandboxes.xero.books()
    assert (retainage["ItemCode"], retainage["AccountCode"], retainage["LineAmount"]) == (
        world.link.retainage_item_code, "815", Decimal("-50.00"))
    assert books.account_by_code(retainage["AccountCode"])["Class"] == "LIABILITY"
    assert books.account_by_code(work["AccountCode"])["Class"] == "EXPENSE" and work["LineAmount"] == Decimal("1000.00")


def test_retainage_without_a_retentions_account_cannot_be_accepted(world):
    """BOOK-2: with no retainage_account_code the bill's checks name the missing setting."""
    from integration import validation

    world.link.retainage_account_code = ""
    world.link.save()
    invoice = world.invoice(retainage_this_period=Decimal("50.00"))
    failures = validation.validate(invoice, invoice.lines.all())
    assert [f.rule for f in failures if f.field == "retainage_this_period"] == ["BOOK-2"]
    assert "retainage_account_code" in str(failures)


def test_the_settings_page_checks_the_retentions_accounts_against_xeros_chart(world):
    """BOOK-2: retainage_account_code must be a LIABILITY and retainage_receivable_account_code an ASSET
    of the organisation's chart; an expense account or a code Xero lacks is refused with the reason."""
    from django.forms.models import model_to_dict

    from integration.admin import CompanyLinkForm

    def form(**changes):
        data = {k: v for k, v in model_to_dict(world.link).items() if v is not None}
        return CompanyLinkForm(instance=world.link, data={**data, **changes})

    bad = form(retainage_account_code="310", retainage_receivable_account_code="999")
    assert not bad.is_valid()
    assert "must be a liability account" in bad.errors["retainage_account_code"][0]
    assert "no active account 999" in bad.errors["retainage_receivable_account_code"][0]
    good = form(retainage_account_code="815", retainage_receivable_account_code="615")
    assert good.is_valid(), good.errors
