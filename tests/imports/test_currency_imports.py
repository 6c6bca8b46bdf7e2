"""What comes back from Xero stays in its document's currency (BOOK-7): payments in the currency of
the document they pay, and no cost booked at face value in another currency."""

from decimal import Decimal

from integration.models import Payment, SyncRun, UnsyncableTransaction
from integration.services.imports import import_job_costs, import_payments


def test_a_cost_in_a_foreign_currency_is_not_booked_at_face_value(world):
    """BOOK-7, JC-6: a US-dollar bill entered in Xero (the organisation's base currency is NZD) is not a
    Procore direct cost, which has no currency of its own: it is listed unsyncable with the reason, and
    a NZD bill beside it is imported."""
    usd = world.bill([("03-300", "HV-101", "500.00")], reference="US-500", currency="USD")
    world.bill([("03-300", "HV-101", "80.00")], reference="NZ-80")

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert [dc["invoice_number"] for dc in world.procore_records("direct_cost")] == ["NZ-80"]
    entry = UnsyncableTransaction.objects.get(xero_document_id=usd["InvoiceID"])
    assert "in USD, not the organisation's base currency NZD" in entry.reason


def test_a_payment_of_a_foreign_bill_comes_back_in_the_bills_currency(world):
    """BOOK-7, PAY-1: a subcontract in US dollars, its bill exported in USD and paid 400.00 USD in Xero
    from the NZD bank account: Procore's commitment (in USD) shows 400.00 paid, the bill's currency,
    never the bank's NZD amount."""
    invoice, bill = world.exported_bill(amount="1000.00", currency="USD")
    assert bill["CurrencyCode"] == "USD"
    world.pay(bill["InvoiceID"], "400.00")

    run = import_payments(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    [shown] = world.procore_records("contract_payment")
    assert (shown["amount"], shown["contract_id"]) == ("400.00", invoice.commitment.procore_id)
    assert Payment.objects.get(link=world.link).amount == Decimal("400.00")
