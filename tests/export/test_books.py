"""The books are right (issue 12): every Xero document is what the accountant would have entered by
hand. Each test reads the document back from Xero (the sandbox keeps Xero's rules) after an export."""

import datetime as dt

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
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="")
    invoice = world.invoice(amount="250.00")
    run_export(world.link)
    commitment.refresh_from_db()
    invoice.refresh_from_db()
    client = xero_client_for(world.link)
    assert client.get_invoice(invoice.xero_id)["Status"] == status
    assert client.get_purchase_order(commitment.xero_id)["Status"] == status
