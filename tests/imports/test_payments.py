"""Bill payments → Procore payments issued (PAY-1..6)."""

from datetime import date
from decimal import Decimal

from integration.models import Payment, SyncRun
from integration.services.imports import import_payments, payment_update_number, payments_deleted_in_xero
from tests.factories import UserFactory


def _procore_payments(world):
    return sorted(world.procore_records("contract_payment"), key=lambda p: p["id"])


def test_full_and_partial_payments_become_payments_issued(world):
    """PAY-1: a partial then the final payment of an exported bill land on the commitment with amount,
    date, the requisition, the invoice number and the reference as notes; origin_id = PaymentID."""
    invoice, bill = world.exported_bill(amount="1000.00")
    first = world.pay(bill["InvoiceID"], "400.00", reference="EFT 0001", day=date(2026, 5, 10))
    second = world.pay(bill["InvoiceID"], "600.00", reference="EFT 0002", day=date(2026, 5, 20))

    run = import_payments(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert run.counts["created"] == 2
    shown = _procore_payments(world)
    assert [(p["amount"], p["date"], p["notes"], p["origin_id"]) for p in shown] == [
        ("400.00", "2026-05-10", "EFT 0001", first["PaymentID"]),
        ("600.00", "2026-05-20", "EFT 0002", second["PaymentID"]),
    ]
    assert all(p["contract_id"] == invoice.commitment.procore_id for p in shown)
    assert all(p["requisition_id"] == invoice.procore_id and p["invoice_number"] == "INV-7" for p in shown)
    rows = Payment.objects.filter(link=world.link).order_by("date")
    assert [(r.amount, r.status, r.direction) for r in rows] == [
        (Decimal("400.00"), "synced", "issued"), (Decimal("600.00"), "synced", "issued")]
    assert rows[0].procore_id == shown[0]["id"]


def test_payment_before_cutoff_is_ignored(world):
    """PAY-2: only payments dated on or after the link's payment cutoff are imported."""
    world.link.payment_cutoff = date(2026, 5, 15)
    world.link.save()
    _, bill = world.exported_bill(amount="1000.00")
    world.pay(bill["InvoiceID"], "100.00", day=date(2026, 5, 14))
    kept = world.pay(bill["InvoiceID"], "200.00", day=date(2026, 5, 15))

    run = import_payments(link=world.link)

    assert [p["origin_id"] for p in _procore_payments(world)] == [kept["PaymentID"]]
    assert run.counts["created"] == 1 and run.counts["skipped"] >= 1
    assert Payment.objects.filter(link=world.link).count() == 1


def test_payment_on_a_bill_entered_in_xero_is_not_ours(world):
    """PAY-1: only bills exported from Procore bring their payments back."""
    bill = world.bill([("03-300", "HV-101", "500.00")], reference="XERO-ONLY")
    world.pay(bill["InvoiceID"], "500.00")
    import_payments(link=world.link)
    assert _procore_payments(world) == []


def test_rerun_imports_nothing_new_and_writes_nothing(world):
    """PAY-5: exactly once however often it runs; the second run makes no Procore write."""
    _, bill = world.exported_bill(amount="1000.00")
    world.pay(bill["InvoiceID"], "1000.00")
    import_payments(link=world.link)
    writes = world.procore_writes()
    world.later(10)

    again = import_payments(link=world.link)
    full = import_payments(link=world.link, full=True)

    assert world.procore_writes() == writes
    assert again.counts["created"] == 0 and full.counts["created"] == 0
    assert len(_procore_payments(world)) == 1


def test_lost_answer_is_resolved_by_origin_id(world):
    """PAY-5: Procore committed the POST but the answer was lost: found by origin_id, not posted twice."""
    _, bill = world.exported_bill(amount="1000.00")
    world.pay(bill["InvoiceID"], "250.00")
    world.sandboxes.procore.fail_next(drop=True, method="POST", path_contains="contract_payments")

    run = import_payments(link=world.link)

    assert run.counts["created"] == 1, run.errors
    assert len(_procore_payments(world)) == 1
    assert Payment.objects.get(link=world.link).status == "synced"


def test_deleted_payment_is_voided_and_listed(world):
    """PAY-3: a payment deleted in Xero after import is voided here, marked voided in Procore (kept, not
    deleted) and listed for an admin."""
    _, bill = world.exported_bill(amount="1000.00")
    payment = world.pay(bill["InvoiceID"], "300.00", reference="EFT 9")
    import_payments(link=world.link)
    world.later(10)
    world.xero.delete_payment(payment["PaymentID"], idempotency_key="test-delete-1")

    run = import_payments(link=world.link)

    assert run.counts["updated"] == 1, run.errors
    [shown] = _procore_payments(world)  # still in Procore
    assert shown["notes"].startswith("VOIDED in Xero") and "EFT 9" in shown["notes"]
    assert shown["origin_id"] == payment["PaymentID"] and shown["origin_data"] == "xero:voided"
    row = Payment.objects.get(link=world.link)
    assert row.status == "voided" and row.deleted_in_xero_at is not None
    assert list(payments_deleted_in_xero(link=world.link)) == [row]


def test_payment_number_is_the_one_editable_field(world):
    """PAY-4: the payment number changes in the connector and in Procore; the rest stays locked."""
    _, bill = world.exported_bill(amount="1000.00")
    world.pay(bill["InvoiceID"], "1000.00")
    import_payments(link=world.link)
    row = Payment.objects.get(link=world.link)

    payment_update_number(payment=row, number="881", actor=UserFactory())

    [shown] = _procore_payments(world)
    assert str(shown["payment_number"]) == "881" and shown["origin_id"] == row.xero_payment_id
    assert Payment.objects.get(pk=row.pk).payment_number == "881"


def test_payment_received_on_owner_invoice(world):
    """PAY-6: a payment on an exported owner invoice (ACCREC) becomes a payment received on the prime contract."""
    from tests.factories import OwnerInvoiceFactory, PrimeContractFactory

    project = world.projects["HV-101"]
    prime = world.procore.create_record("prime_contract", {"project_id": project.procore_id, "title": "Main"})
    owner = world.vendor_in_both("Harbour Trust")
    [result] = world.xero.create_invoices([{
        "Type": "ACCREC", "Contact": {"ContactID": owner.xero_id}, "Date": "2026-05-01", "DueDate": "2026-05-31",
        "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Claim 1", "Quantity": 1, "UnitAmount": Decimal("5000.00"), "AccountCode": "200"}]}],
        idempotency_key="test-accrec-1")
    contract = PrimeContractFactory(link=world.link, project=project, procore_id=prime["id"], owner=owner)
    OwnerInvoiceFactory(link=world.link, prime_contract=contract, project=project, xero_id=result.id,
                        invoice_number=result.document["InvoiceNumber"])
    paid = world.pay(result.id, "5000.00", reference="Trust transfer")

    import_payments(link=world.link)

    [shown] = _procore_payments(world)
    assert shown["contract_id"] == prime["id"] and shown["amount"] == "5000.00"
    assert shown["origin_id"] == paid["PaymentID"]
    assert Payment.objects.get(link=world.link).direction == "received"


def test_malformed_payment_is_an_error_and_changes_nothing(world, monkeypatch):
    """REL-6: a payment without a date is one error on the run; nothing is written."""
    from xero_client import XeroClient

    monkeypatch.setattr(XeroClient, "iter_payments", lambda self, **kw: iter([{"PaymentID": "x", "Status": "AUTHORISED",
                                                                                "Amount": "1"}]))
    run = import_payments(link=world.link)
    assert run.status == SyncRun.Status.PARTIAL and "Date" in run.errors[0]["message"]
    assert Payment.objects.count() == 0 and _procore_payments(world) == []
