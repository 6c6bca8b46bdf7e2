"""Payments back to Procore in Procore's own terms (BOOK-3): with amounts exclusive of tax, Procore
invoiced the net amount, so its payments never carry Xero's tax."""

from datetime import date
from decimal import Decimal

import pytest

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


def _bill_with_tax(world, lines, *, line_amount_types: str, reference: str):
    """A bill entered in Xero on 15% GST (INPUT2): lines of (Item's cost code, quantity, unit amount)."""
    [result] = world.xero.write("Invoices", [{
        "Type": "ACCPAY", "Contact": {"ContactID": world.vendor.xero_id}, "Date": "2026-05-04", "DueDate": "2026-06-01",
        "InvoiceNumber": reference, "Status": "AUTHORISED", "LineAmountTypes": line_amount_types,
        "LineItems": [{"Description": f"Work on {code}", "Quantity": Decimal(quantity), "UnitAmount": Decimal(unit),
                       "AccountCode": "310", "TaxType": "INPUT2", "ItemCode": f"{code}.L",
                       "Tracking": [{"Name": "Project", "Option": world.projects["HV-101"].xero_option_name}]}
                      for code, quantity, unit in lines]}], method="PUT", idempotency_key=key("taxbill"),
        params={"unitdp": 4})
    assert result.ok, result.errors
    return result.document


def _procore_lines(world, reference):
    [dc] = [d for d in world.procore_records("direct_cost") if d["invoice_number"] == reference]
    return [(Decimal(li["quantity"]), Decimal(li["unit_cost"]), Decimal(li["amount"])) for li in dc["line_items"]]


def test_a_tax_inclusive_bill_becomes_direct_costs_net_of_tax_with_exact_unit_costs(world):
    """BOOK-3, JC-1: a bill entered in Xero with tax-inclusive lines (3 × 383.33 and 7 × 16.45, 15% GST)
    is a direct cost in Procore net of tax: every line's quantity × unit cost is its amount exactly, and
    the lines sum to the bill's SubTotal to the cent, not its Total."""
    from integration.services.imports import import_job_costs

    bill = _bill_with_tax(world, [("03-300", "3", "383.33"), ("05-120", "7", "16.45")],
                          line_amount_types="Inclusive", reference="INCL-1")
    run = import_job_costs(link=world.link)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors

    lines = _procore_lines(world, "INCL-1")
    assert len(lines) == 2
    assert all(quantity * unit == amount for quantity, unit, amount in lines), lines
    assert sum(amount for _, _, amount in lines) == bill["SubTotal"] < bill["Total"]
    gross = [Decimal(li["LineAmount"]) for li in bill["LineItems"]]
    assert [amount for _, _, amount in lines] == [g - Decimal(li["TaxAmount"]) for g, li in zip(gross, bill["LineItems"], strict=True)]


def test_a_tax_exclusive_bill_at_four_place_unit_prices_books_its_line_amounts(world):
    """BOOK-3, BOOK-4: a tax-exclusive bill of 3 × 33.3333 (100.00 in Xero) is a direct cost line of
    100.00, with a quantity and unit cost whose product is 100.00 (Xero reads the unit price back at 2
    places, 33.33, which would make 99.99); the tax stays out of Procore."""
    from integration.services.imports import import_job_costs

    bill = _bill_with_tax(world, [("03-300", "3", "33.3333")], line_amount_types="Exclusive", reference="EXCL-1")
    assert bill["SubTotal"] == Decimal("100.00") and bill["Total"] == Decimal("115.00")
    import_job_costs(link=world.link)
    [(quantity, unit, amount)] = _procore_lines(world, "EXCL-1")
    assert amount == Decimal("100.00") and quantity * unit == amount


def test_procore_sandbox_refuses_a_direct_cost_line_whose_quantity_times_unit_cost_is_not_its_amount(world):
    """BOOK-3: Procore calculates a direct cost line's amount from quantity × unit cost; a line sent with
    another amount is refused (422) rather than booked at an amount nobody sent."""
    from integration.services.connections import procore_client_for
    from procore_client.errors import Unprocessable

    project = world.projects["HV-101"]
    code = next(c for c in world.procore.store.records["project_cost_code"].values() if c["project_id"] == project.procore_id)
    body = {"direct_cost_type": "expense", "vendor_id": world.vendor.procore_id, "status": "approved",
            "line_items": [{"cost_code_id": code["id"], "line_item_type_id": world.cost_type.procore_id,
                            "quantity": "3", "unit_cost": "33.33", "amount": "100.00"}]}
    with pytest.raises(Unprocessable, match="quantity × unit_cost"):
        procore_client_for(world.link).create_direct_cost(project.procore_id, body)
    assert not world.procore_records("direct_cost")


def test_sixty_taxed_bills_paid_come_back_net_in_two_reads_of_their_bills(world, sandboxes):
    """BOOK-3, PAY-1, PERF-2: 60 bills of 1,000 + 15% tax, each paid in full in Xero, come back as 60
    Procore payments of exactly 1,000.00; their bills are read 50 to a call, so the import costs two
    reads of /Invoices, not one per payment (Xero allows 60 calls a minute)."""
    for n in range(60):
        _, bill = _taxed_bill(world, "1000.00", number=f"INV-T{n:02d}")
        world.pay(bill["InvoiceID"], "1150.00")
    before = sandboxes.xero.calls_to("GET", "/Invoices")
    run = import_payments(link=world.link)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert _paid_in_procore(world) == [Decimal("1000.00")] * 60
    assert sandboxes.xero.calls_to("GET", "/Invoices") - before == 2
