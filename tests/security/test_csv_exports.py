"""Every CSV the project writes is safe to open in a spreadsheet (SEC-2, REL-6).

The URL conf is walked: every URL without parameters is asked for `?format=csv` (the reports) and every
`export-csv/` (cost codes, cost types); whatever answers text/csv is a CSV endpoint. The data behind them
carries a formula in every text field a person or Xero/Procore can write (names, numbers, references,
reasons, emails...). Each CSV must have the hostile text reach every column, yet hold no cell a spreadsheet
would run; plain numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from integration import models as m
from integration.csv_safety import csv_cell, csv_text, looks_like_formula
from integration.models import ErpStatus
from integration.services.reconciliation_snapshot import snapshot
from tests import factories as f
from tests.security.test_access import walk

pytestmark = pytest.mark.django_db

EVIL = "evil.example"


def H(tag: str) -> str:
    return f'=HYPERLINK("http://{EVIL}/?{tag}","click")'


# Columns whose text is the connector's own vocabulary, never data: a Xero or Procore name cannot reach them.
OWN_LABELS = {"type", "direction", "difference"}


@pytest.fixture
def hostile(db):
    """A link whose every user-, Procore- or Xero-written text starts with a formula."""
    link = f.LinkFactory(name=H("link"))
    approver = f.UserFactory(username="@approver", first_name=H("first"), last_name="", email="=x@evil.example")
    approver.groups.add(Group.objects.get(name="Accounting Approver"))
    project = f.ProjectFactory(link=link, project_number="+1-" + H("job"), name=H("project"))
    vendor = f.VendorFactory(link=link, name=H("vendor"), city=H("city"), business_phone="+61-2-" + EVIL,
                             email_address="@" + EVIL, xero_id="=2+2", archived_in_erp=True)
    code = f.CostCodeFactory(link=link, code="-3+" + EVIL, name=H("code"))
    cost_type = f.CostTypeFactory(link=link, code="@T", name=H("type"), base_type="+" + EVIL)
    code.default_cost_types.add(cost_type)
    item = f.CostItemFactory(link=link, cost_code=code, cost_type=cost_type, item_code="=" + EVIL, description=H("item"))
    commitment = f.CommitmentFactory(link=link, project=project, vendor=vendor, number=H("po"), title=H("title"),
                                     status="Approved", lines=0)
    f.CommitmentLineFactory(commitment=commitment, cost_item=item, amount=Decimal("100.00"), description=H("line"))
    invoice = f.SubcontractorInvoiceFactory(link=link, commitment=commitment, project=project, vendor=vendor,
                                            invoice_number=H("inv"), status="approved", erp_status=ErpStatus.READY_TO_EXPORT,
                                            erp_status_changed_at=timezone.now())
    f.InvoiceLineFactory(invoice=invoice, cost_item=item, amount=Decimal("-40.00"))
    m.AuditEvent.objects.create(link=link, action="accept", actor=approver, actor_name=approver.username, message=H("m"))
    m.JobCostSummary.objects.create(link=link, project=project, cost_item=item, job_to_date_cost=Decimal("-5.50"),
                                    commitment_invoiced=Decimal("1"), direct_costs=Decimal("-6.50"))
    m.UnsyncableTransaction.objects.create(link=link, xero_document_id="=3+3", document_type="@SPEND", reference=H("ref"),
                                           contact_name=H("contact"), date=datetime.date(2026, 5, 1),
                                           amount=Decimal("-9.99"), reason=H("reason"))
    now = timezone.now()
    for resolved in (None, now):
        m.Payment.objects.create(link=link, xero_payment_id=f"=4+{bool(resolved)}", commitment=commitment,
                                 subcontractor_invoice=invoice, amount=Decimal("-12.00"), date=datetime.date(2026, 5, 2),
                                 reference=H("payref"), status=m.Payment.Status.VOIDED, procore_id=7,
                                 deleted_in_xero_at=now, resolved_at=resolved)
    # What a reconcile read of Xero (the reconciliation): a bill keyed into Xero with hostile text, and a
    # payment Xero holds that Procore refused with a hostile message.
    run = m.SyncRun.objects.create(link=link, kind=m.SyncRun.Kind.RECONCILE, status=m.SyncRun.Status.SUCCEEDED,
                                   parameters={"full": True})
    bill = m.XeroDocument.objects.create(link=link, resource="Invoices", xero_id="=5+" + EVIL, doc_type="ACCPAY",
                                         status="=1+" + EVIL, number=H("bill"), vendor=vendor, net_amount=Decimal("10.00"),
                                         read_at=run.started_at)
    m.XeroDocumentLine.objects.create(document=bill, position=1, project=project, amount=Decimal("10.00"))
    m.Payment.objects.create(link=link, xero_payment_id="=6+6", subcontractor_invoice=invoice, amount=Decimal("5.00"),
                             date=datetime.date(2026, 5, 3), reference=H("failedref"), status=m.Payment.Status.FAILED,
                             message=H("msg"))
    m.XeroDocument.objects.create(link=link, resource="Payments", xero_id="=6+6", doc_type="ACCPAYPAYMENT", status="AUTHORISED",
                                  project=project, vendor=vendor, net_amount=Decimal("5.00"), read_at=run.started_at,
                                  date=datetime.date(2026, 5, 3))
    snapshot(link_id=link.pk, read_at=run.started_at)
    return link


def csv_endpoints(client, link) -> dict[str, str]:
    """{url: csv text} of every URL of the URL conf that answers a CSV."""
    found = {}
    for route, name in walk():
        if "<" in route or "(?" in route or not name or name.startswith(("webhook", "connect:")):
            continue
        url = "/" + route
        answer = client.get(url, {"format": "csv", "link": link.pk, "include_resolved": "on"})
        if answer.get("Content-Type", "").startswith("text/csv"):
            found[url] = answer.content.decode("utf-8")
    return found


def plain(cell: str) -> bool:
    """A number or a date, as a spreadsheet should read it."""
    try:
        Decimal(cell)
        return True
    except InvalidOperation:
        pass
    try:
        datetime.datetime.fromisoformat(cell)
        return True
    except ValueError:
        return False


def test_every_csv_endpoint_neutralises_formulas_in_every_column(hostile, admin_user):
    """SEC-2, REL-6: the six reports' CSV and the cost code / cost type exports, walked from the URL conf:
    the hostile text reaches every column, no cell starts a formula, numbers and dates stay plain."""
    client = Client()
    client.force_login(admin_user)
    endpoints = csv_endpoints(client, hostile)
    assert len(endpoints) == 8, sorted(endpoints)
    # The reconciliation's second download, its differences (DRIFT-4).
    differences = client.get("/admin/reports/reconciliation/", {"format": "csv", "table": "differences", "link": hostile.pk})
    assert differences.content.decode("utf-8").startswith("difference,")
    endpoints["reconciliation differences"] = differences.content.decode("utf-8")
    problems = []
    for url, text in endpoints.items():
        header, *rows = list(csv.reader(io.StringIO(text)))
        assert rows, url
        for index, column in enumerate(header):
            cells = [row[index] for row in rows]
            formulas = [c for c in cells if looks_like_formula(c)]
            if formulas:
                problems.append(f"{url} {column}: formula {formulas[0][:40]!r}")
            elif column in OWN_LABELS:
                continue
            elif not any(EVIL in c or c.startswith("'") for c in cells) and not (
                    any(cells) and all(plain(c) for c in cells if c)):
                problems.append(f"{url} {column}: no hostile text reached it and it is not a number or date: {cells[:3]}")
    assert problems == [], "\n".join(problems)


def test_the_writer_turns_every_type_into_a_safe_cell():
    """SEC-2: model objects, Decimals, dates, None, booleans and text, as the one writer writes them."""
    vendor = m.Vendor(name=H("object"))
    assert csv_cell(vendor).startswith("'=HYPERLINK")
    assert csv_cell(Decimal("-120.50")) == "-120.50" and csv_cell(-3) == "-3" and csv_cell("-120.50") == "-120.50"
    assert csv_cell(None) == "" and csv_cell(True) == "1" and csv_cell(datetime.date(2026, 5, 1)) == "2026-05-01"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("\tx") == "'\tx" and csv_cell("plain") == "plain"
    assert csv_text(["=h"], [[vendor, None]]).splitlines() == ["'=h", f"\"'{H('object')}\",".replace('"click"', '""click""')
                                                                .replace('"http', '""http').replace('?object"', '?object""')]
