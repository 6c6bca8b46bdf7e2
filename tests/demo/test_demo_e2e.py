"""`manage.py demo --no-serve`: the whole month, end to end, over real HTTP on 127.0.0.1 (run alone: -m e2e)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from integration.models import (
    AuditEvent,
    ChangeOrder,
    Commitment,
    CompanyLink,
    Connection,
    CostItem,
    DirectCost,
    ErpStatus,
    OwnerInvoice,
    Payment,
    Project,
    SubcontractorInvoice,
    UnsyncableTransaction,
    Vendor,
)
from tests.demo.test_sandbox_command import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def row(out: str, label: str) -> list[int]:
    match = re.search(rf"^\s+{label}\s+([\d\s]+)$", out, re.M)
    assert match, f"no summary row {label!r} in:\n{out}"
    return [int(n) for n in match.group(1).split()]


def test_demo_plays_the_month_and_prints_the_summary(capsys):
    """CONN-2, SYNC-2, SYNC-3, SYNC-5, INV-2, INV-3, CRED-1, INV-5, PAY-1, PAY-3, PAY-6, JC-1, JC-3, JC-6: connected
    through the real OAuth flows, everything valid accepted and exported (the owner invoices as sales
    invoices), the invalid ones kept with their reasons, payments issued and received and job costs
    imported, and the summary says what went where."""
    urls = {name: getattr(settings, name) for name in ("XERO_API_URL", "PROCORE_API_URL", "CONNECTOR_BASE_URL")}
    call_command("demo", "--no-serve", "--sandbox-port", str(free_port()))
    out = capsys.readouterr().out
    for n in range(1, 7):
        assert f"[{n}/7]" in out
    assert row(out, "projects") == [3, 3, 0, 0]
    assert row(out, "vendors") == [13, 13, 0, 0]
    assert row(out, "cost items") == [120, 120, 0, 0]
    assert row(out, "commitments") == [11, 11, 0, 0]
    assert row(out, "change orders") == [10, 10, 0, 0]
    assert row(out, "subcontractor invoices") == [27, 26, 0, 1]
    assert row(out, "owner invoices") == [2, 2, 0, 0]
    assert row(out, "payments issued") == [14, 1, 0]
    assert row(out, "payments received") == [1, 0, 0]
    assert "owner invoice" not in out.split("Refused, and why:")[1]
    assert "The billing date is missing" in out
    assert "no project tracking" in out
    assert "http://127.0.0.1:8000/admin/" in out and "approver" in out

    link = CompanyLink.objects.get(name="Harbourside Builders")
    assert link.xero_tenant_name == "Harbourside Builders Ltd" and link.procore_company_name == "Harbourside Builders"
    assert set(Connection.objects.filter(link=link).values_list("status", flat=True)) == {"connected"}
    assert Project.objects.filter(link=link, erp_status=ErpStatus.SYNCED).count() == 3
    assert Vendor.objects.filter(link=link).count() == 13 and CostItem.objects.filter(link=link).count() == 120
    assert Commitment.objects.filter(link=link, erp_status=ErpStatus.SYNCED).count() == 11
    assert ChangeOrder.objects.filter(link=link, erp_status=ErpStatus.SYNCED).count() == 10
    refused = SubcontractorInvoice.objects.filter(link=link, erp_status=ErpStatus.NOT_SENT)
    assert {i.invoice_number for i in refused} == {"TUI-0007"}
    # CRED-1: the month's negative invoice is a supplier credit note, allocated to its purchase order's open bill.
    credit = SubcontractorInvoice.objects.get(link=link, invoice_number="TOTARA-0025")
    assert (credit.erp_status, credit.xero_credit_note, credit.total) == (ErpStatus.SYNCED, True, Decimal("-1850.00"))
    assert "Credit note: invoice TOTARA-0025 (-1,850.00) is a supplier credit note in Xero." in out
    assert "2127.50 allocated to bill PO-010" in credit.credit_allocation  # 1,850.00 and its 15 % tax
    assert all(i.erp_message for i in refused)
    # RET-1: the month's retention release is a bill of its one release line on Retentions Payable.
    release = SubcontractorInvoice.objects.get(link=link, invoice_number="KAURI-0026")
    assert (release.erp_status, release.retainage_released, release.total) == (
        ErpStatus.SYNCED, Decimal("5070.00"), Decimal("5070.00"))
    assert "Retention release: bill KAURI-0026 releases 5,070.00" in out
    # BOOK-3, BOOK-7: the Australian supplier's bill reached Xero in AUD, its NOGST lines as TaxType NONE.
    assert ("Currency and tax: bill SYDNEY-0027 is in AUD in Xero (SubTotal 18,468.00); its lines on Procore "
            "tax code NOGST go as TaxType NONE, tax 0.00") in out
    foreign = SubcontractorInvoice.objects.get(link=link, invoice_number="SYDNEY-0027")
    assert (foreign.erp_status, foreign.currency, foreign.total) == (ErpStatus.SYNCED, "AUD", Decimal("18468.00"))
    # ATT-1: the first bill has its backup attached in Xero.
    assert "Backup: bill KAURI-0001 has 2 of its 2 files attached in Xero" in out
    accepted = AuditEvent.objects.filter(link=link, action="accept", actor_name="approver")
    assert accepted.count() == 3 + 13 + 120 + 11 + 10 + 26 + 2
    assert Payment.objects.filter(link=link, status=Payment.Status.VOIDED).count() == 1
    # INV-5: each owner invoice is one ACCREC with its lines and the retainage line; PAY-6: the owner's
    # payment on the first is a payment received on its prime contract.
    sales = OwnerInvoice.objects.filter(link=link, erp_status=ErpStatus.SYNCED).order_by("procore_id")
    assert [(s.invoice_number, s.lines.count(), s.total, s.retainage_this_period) for s in sales] == [
        ("HV-101-PC-01", 4, Decimal("460750.00"), Decimal("24250.00")),
        ("NS-204-PC-01", 3, Decimal("201875.00"), Decimal("10625.00"))]
    [received] = Payment.objects.filter(link=link, direction=Payment.Direction.RECEIVED)
    # Paid in full in Xero, tax included; Procore receives what it invoiced: the net total (BOOK-3).
    assert (received.owner_invoice, received.prime_contract, received.amount, received.status) == (
        sales[0], sales[0].prime_contract, Decimal("460750.00"), Payment.Status.SYNCED)
    # BOOK-3: no bill is overpaid in Procore, and every fully paid bill's payments sum to its net total:
    # the accountant paid 12 bills in full (tax included) and 3 in part, then deleted one full payment,
    # so 11 bills are fully paid in Xero, each with Procore payments of exactly its net total.
    paid = {}
    for issued in Payment.objects.filter(link=link, direction=Payment.Direction.ISSUED).exclude(status=Payment.Status.VOIDED):
        paid[issued.subcontractor_invoice] = paid.get(issued.subcontractor_invoice, Decimal("0")) + issued.amount
    assert len(paid) == 14 and all(total <= bill.total for bill, total in paid.items())
    assert sum(1 for bill, total in paid.items() if total == bill.total) == 11
    assert received.procore_id  # written to Procore as a payment received on the prime contract
    assert DirectCost.objects.filter(link=link).count() >= 25
    # The bill without tracking, and the AUD bill as a direct cost (Procore's take no currency, BOOK-7).
    assert UnsyncableTransaction.objects.filter(link=link).count() == 2
    # The process's settings are back as they were (the demo points them at its sandbox only while it runs).
    assert {name: getattr(settings, name) for name in urls} == urls

    call_command("demo", "--no-serve", "--sandbox-port", str(free_port()))  # a second run starts over, harmlessly
    assert CompanyLink.objects.filter(name="Harbourside Builders").count() == 1
