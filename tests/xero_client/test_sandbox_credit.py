"""The sandbox keeps Xero's rules on negative totals, credit note allocations and history notes (CRED-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.xero_client.conftest import bill, key
from xero_client.errors import ValidationFailed


def note(contact_id: str, amount: str = "50.00", *, status: str = "AUTHORISED", **extra) -> dict:
    return {"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contact_id}, "Date": "2026-05-10", "Status": status,
            "LineItems": [{"Description": "Returned", "Quantity": Decimal("1"), "UnitAmount": Decimal(amount),
                           "AccountCode": "320", "TaxType": "NONE"}], **extra}


def allocate(xero_client, note_id: str, invoice_id: str, amount: str) -> dict:
    return xero_client.allocate_credit_note(note_id, invoice_id=invoice_id, amount=Decimal(amount), date="2026-05-10",
                                            idempotency_key=key())


def test_a_negative_total_is_refused_once_approved(xero_client, contact_id):
    """CRED-1: a bill whose total is negative is kept as a draft and refused once authorised; a credit note
    likewise (it must net to a positive credit); a negative line in a positive total is fine."""
    draft, approved = xero_client.create_invoices([bill(contact_id, "N-1", status="DRAFT", amount="-50.00"),
                                                   bill(contact_id, "N-2", amount="-50.00")], idempotency_key=key())
    assert draft.ok and not approved.ok
    assert "total cannot be negative (-50.00)" in "; ".join(approved.errors)
    [negative_note] = xero_client.create_credit_notes([note(contact_id, "-50.00")], idempotency_key=key())
    assert not negative_note.ok and "credit note total cannot be negative" in "; ".join(negative_note.errors)
    mixed = bill(contact_id, "N-3", LineItems=[
        {"Description": "Work", "Quantity": Decimal("1"), "UnitAmount": Decimal("100"), "AccountCode": "320", "TaxType": "NONE"},
        {"Description": "Back charge", "Quantity": Decimal("1"), "UnitAmount": Decimal("-30"), "AccountCode": "320",
         "TaxType": "NONE"}])
    [ok] = xero_client.create_invoices([mixed], idempotency_key=key())
    assert ok.ok and ok.document["Total"] == Decimal("70.00")


def test_allocation_needs_approved_documents_of_one_contact_and_currency_within_both_amounts(xero_client, contact_id):
    """CRED-1: credit is allocated only from an AUTHORISED credit note to an AUTHORISED bill of the same contact
    and currency, for no more than the credit left and the bill's amount due; within them it is allocated."""
    [other] = xero_client.create_contacts([{"Name": "Other Supplier"}], idempotency_key=key())
    [due, aud, theirs] = xero_client.create_invoices([
        bill(contact_id, "A-1", amount="30.00"), bill(contact_id, "A-2", amount="100.00", CurrencyCode="AUD"),
        bill(other.id, "A-3", amount="100.00")], idempotency_key=key())
    [credit, draft] = xero_client.create_credit_notes([note(contact_id), note(contact_id, status="DRAFT")],
                                                      idempotency_key=key())
    refused = {
        "draft credit note": (draft.id, due.id, "10.00", "Only an AUTHORISED credit note"),
        "other contact": (credit.id, theirs.id, "10.00", "same contact"),
        "other currency": (credit.id, aud.id, "10.00", "same currency"),
        "more than due": (credit.id, due.id, "40.00", "exceeds the amount due"),
    }
    for what, (note_id, invoice_id, amount, message) in refused.items():
        with pytest.raises(ValidationFailed) as exc:
            allocate(xero_client, note_id, invoice_id, amount)
        assert message in str(exc.value.elements or exc.value.message), what
    allocate(xero_client, credit.id, due.id, "30.00")
    assert xero_client.get_invoice(due.id)["AmountDue"] == Decimal("0.00")
    assert xero_client.get_credit_note(credit.id)["RemainingCredit"] == Decimal("20.00")


def test_history_notes_are_kept_and_limited_to_250_characters(xero_client, contact_id):
    """CRED-1: a note on a credit note's history is listed back; one over 250 characters is refused."""
    [credit] = xero_client.create_credit_notes([note(contact_id)], idempotency_key=key())
    xero_client.add_history_note("CreditNotes", credit.id, "Procore invoice: https://app.procore.com/1/x", idempotency_key=key())
    with pytest.raises(ValidationFailed):
        xero_client.add_history_note("CreditNotes", credit.id, "x" * 251, idempotency_key=key())
    assert [h["Details"] for h in xero_client.list_history("CreditNotes", credit.id)] == [
        "Procore invoice: https://app.procore.com/1/x"]
