"""The reconcile knows credit notes (CRED-1, DRIFT-1, DRIFT-4): a negative invoice exported as a credit note
is checked against the credit note Xero holds, and the reconciliation lists it neither as missing in Xero
nor as entered only in Xero."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from integration.models import ErpStatus, XeroDocument
from integration.reconciliation import differences, figures

from .conftest import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def credited(world):
    """A 1,000.00 bill and a −400.00 invoice on another commitment (no open bill): an open credit note."""
    bill = world.invoice(invoice_number="R-1", amount="1000.00")
    credit = world.invoice(invoice_number="CR-1", amount="-400.00")
    export(world.link)
    for record in (bill, credit):
        record.refresh_from_db()
        assert record.erp_status == ErpStatus.SYNCED, record.erp_message
    assert credit.xero_credit_note and not bill.xero_credit_note
    return world, bill, credit


def test_an_exported_credit_note_is_no_difference(credited):
    """CRED-1, DRIFT-4, RPT-3: after a reconcile the credit note is kept as Xero holds it, its amount that of its
    (negative) invoice; the record stays synced; no difference names it (not missing, not in Xero only); and
    the figures set Procore's invoiced 1,000.00 − 400.00 against Xero's bill less credit note."""
    world, bill, credit = credited
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    credit.refresh_from_db()
    assert credit.erp_status == ErpStatus.SYNCED and credit.xero_drift == ""
    kept = XeroDocument.objects.get(link=world.link, resource="CreditNotes", xero_id=credit.xero_id.lower())
    assert (kept.doc_type, kept.number, kept.net_amount) == ("ACCPAYCREDIT", "CR-1", Decimal("-400.00"))
    assert differences(link_id=world.link.pk).items == []
    totals = figures(link_id=world.link.pk).totals
    assert totals.procore["invoiced"] == totals.xero["invoiced"] == Decimal("600.00")


def test_a_credit_note_voided_in_xero_is_drift(credited, accountant):
    """CRED-1, DRIFT-1: the accountant voids the credit note in Xero; the next reconcile puts its record out of
    sync with the reason, and the reconciliation lists it as gone from Xero."""
    world, _, credit = credited
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    [result] = accountant.client.write("CreditNotes", [{"CreditNoteID": credit.xero_id, "Status": "VOIDED"}], method="POST",
                                       idempotency_key=accountant._key())
    assert result.ok, result.errors
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    credit.refresh_from_db()
    assert credit.erp_status == ErpStatus.OUT_OF_SYNC and "voided in Xero" in credit.xero_drift
    [item] = differences(link_id=world.link.pk).items
    assert (item.kind, item.record) == (1, credit) and item.detail.startswith("voided in Xero")
