"""Payments back to Procore in Procore's own terms (BOOK-3): with amounts exclusive of tax, Procore
invoiced the net amount, so its payments never carry Xero's tax."""

from datetime import date
from decimal import Decimal

from integration.models import SyncRun
from integration.services.imports import import_payments
from tests.imports.conftest import key


def _taxed_bill(world, amount: str, *, line_amount_types: str = "Exclusive", number: str = "INV-T"):
    """An exported bill of `amount` on a 15% tax rate (the bill's account's default tax)."""
    invoice, bill = world.exported_bill(amount=amount, number=number)
    [result] = world.xero.update_invoices([{
        "InvoiceID": bill["InvoiceID"], "LineAmountTypes": line_amount_types,
        "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": Decimal(amount), "AccountCode": "310",
                       "TaxType": "INPUT2", "ItemCode": "03-300.L"}]}], idempotency_key=key("tax"))
    assert result.ok, result.errors
    return invoice, result.document


def _paid_in_procore(world) -> list[Decimal]:
    return [Decimal(p["amount"]) for p in sorted(world.procore_records("contract_payment"), key=lambda p: p["date"])]


def test_a_bill_of_1000_plus_tax_paid_in_two_parts_shows_1000_paid_in_procore(world):
    """BOOK-3, PAY-1: 1,000 + 15% = 1,150 in Xero, paid 383.33 then 766.67: Procore shows 333.33 and
    666.67 paid, exactly the 1,000 it invoiced, not 1,150."""
    _, bill = _taxed_bill(world, "1000.00")
    assert (bill["SubTotal"], bill["Total"]) == (Decimal("1000.00"), Decimal("1150.00"))
    world.pay(bill["InvoiceID"], "383.33", day=date(2026, 5, 10))
    world.pay(bill["InvoiceID"], "766.67", day=date(2026, 5, 20))
    run = import_payments(link=world.link)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert _paid_in_procore(world) == [Decimal("333.33"), Decimal("666.67")]
    assert sum(_paid_in_procore(world)) == Decimal("1000.00")


def test_the_completing_payment_takes_the_remainder_whenever_it_is_imported(world):
    """BOOK-3: three thirds of 1,150 imported one run at a time; rounding never leaves Procore a cent
    short or over once the bill is paid."""
    _, bill = _taxed_bill(world, "1000.00")
    for part, day in (("383.33", date(2026, 5, 10)), ("383.33", date(2026, 5, 11)), ("383.34", date(2026, 5, 12))):
        world.pay(bill["InvoiceID"], part, day=day)
        world.later()
        import_payments(link=world.link)
    assert _paid_in_procore(world) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]


def test_inclusive_amounts_come_back_as_paid(world):
    """BOOK-3: with amounts_tax = inclusive, Procore's amounts already hold the tax: payments are as paid."""
    world.link.amounts_tax = "inclusive"
    world.link.save()
    _, bill = _taxed_bill(world, "1150.00", line_amount_types="Inclusive")
    assert bill["Total"] == Decimal("1150.00")
    world.pay(bill["InvoiceID"], "575.00")
    import_payments(link=world.link)
    assert _paid_in_procore(world) == [Decimal("575.00")]
