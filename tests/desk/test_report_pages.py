"""The dashboard and the list reports at scale (PERF-8): each page runs the same queries whatever the number
of records, the lists are paged in SQL, and their totals cover every record, not the page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration import models as m
from integration.models import ErpStatus
from tests.factories import (
    CostItemFactory,
    LinkFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
PAGES = ("desk:dashboard", "desk:report_accountant", "desk:report_job_costs", "desk:report_unsyncable",
         "desk:report_archived_companies", "desk:report_deleted_payments")


def _add(link, start: int, n: int, items) -> None:
    now = timezone.now()
    invoice = SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED)
    for i in range(start, start + n):
        m.UnsyncableTransaction.objects.create(link=link, xero_document_id=f"d{i}", document_type="ACCPAY",
                                               reference=f"B-{i:04d}", date=datetime.date(2026, 3, 1),
                                               amount=Decimal("1.50"), reason="No Project tracking on any line")
        VendorFactory(link=link, name=f"Old Co {i:04d}", archived_in_erp=True)
        m.Payment.objects.create(link=link, xero_payment_id=f"p{i}", subcontractor_invoice=invoice,
                                 commitment=invoice.commitment, date=datetime.date(2026, 4, 1), amount=Decimal("2.00"),
                                 status="voided", deleted_in_xero_at=now, reference=f"CHQ {i:04d}")
        SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.FAILED if i % 2 else ErpStatus.EXPORTING, lines=0)
    for p in range(start // 10, (start + n) // 10):
        project = ProjectFactory(link=link, project_number=f"J-{p:03d}", name=f"Site {p}")
        for item in items:
            m.JobCostSummary.objects.create(link=link, project=project, cost_item=item, job_to_date_cost=Decimal("10.00"),
                                            commitment_invoiced=Decimal("4.00"), direct_costs=Decimal("6.00"))


def _queries(client) -> dict[str, int]:
    counts = {}
    for name in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200, name
        counts[name] = len(ctx)
    return counts


def test_each_page_runs_the_same_queries_at_10_and_250_records(client, approver):
    """PERF-8, RPT-1, RPT-4, JC-4, JC-6, CO-3, PAY-3: the dashboard and each list report run as many queries
    with 10 records as with 250 (nothing is read row by row)."""
    link = LinkFactory()
    items = [CostItemFactory(link=link, item_code=f"0{n}-100.L") for n in range(3)]
    _add(link, 0, 10, items)
    client.force_login(approver)
    few = _queries(client)
    _add(link, 10, 240, items)
    assert _queries(client) == few


def test_list_reports_page_in_sql_and_total_every_record(client, approver):
    """PERF-8, JC-4, JC-6, CO-3, PAY-3: 250 records are three pages of 100 (the last holds 50); the
    unsyncable total is that of all 250; the job cost report shows 10 projects a page, the grand total of
    all 25, and the CSV still has every row."""
    link = LinkFactory()
    items = [CostItemFactory(link=link, item_code=f"0{n}-100.L") for n in range(3)]
    _add(link, 0, 250, items)
    client.force_login(approver)

    first = client.get(reverse("desk:report_unsyncable")).content.decode()
    assert first.count("No Project tracking on any line") == 100 and "Page 1 of 3 (250 in all)" in first
    assert "375.00" in first  # 250 x 1.50, not the page's 150.00
    last = client.get(reverse("desk:report_unsyncable") + "?page=3").content.decode()
    assert last.count("No Project tracking on any line") == 50 and "B-0000" in last  # newest first, by id
    assert client.get(reverse("desk:report_unsyncable") + "?page=99").content.decode().count(
        "No Project tracking on any line") == 50  # past the end: the last page
    assert len(client.get(reverse("desk:report_unsyncable") + "?format=csv").content.decode().splitlines()) == 251

    archived = client.get(reverse("desk:report_archived_companies") + "?page=2").content.decode()
    assert "Old Co 0100" in archived and "Old Co 0099" not in archived and "Page 2 of 3" in archived
    deleted = client.get(reverse("desk:report_deleted_payments")).content.decode()
    assert len(re.findall(r"CHQ \d{4}", deleted)) == 100

    jobs = client.get(reverse("desk:report_job_costs") + "?page=2").content.decode()
    assert "Subtotal J-010 Site 10" in jobs and "Subtotal J-009" not in jobs and "Subtotal J-020" not in jobs
    assert "Page 2 of 3 (25 in all)" in jobs
    assert "750.00" in jobs and "300.00" in jobs and "450.00" in jobs  # 25 projects x 3 items: 10, 4 and 6 each
    rows = client.get(reverse("desk:report_job_costs") + "?format=csv").content.decode().splitlines()
    assert len(rows) == 1 + 75 + 1


def test_dashboard_counts_in_sql_what_failed_since_the_last_export_and_what_is_exporting():
    """PERF-8, RPT-4: failures count from a link's last export run (all of them when it never ran one),
    exports in progress and out-of-sync records per link and type, each link apart."""
    from integration import reports

    never, ran = LinkFactory(name="Never exported"), LinkFactory(name="Exported")
    for link in (never, ran):
        for status in (ErpStatus.FAILED, ErpStatus.FAILED, ErpStatus.EXPORTING, ErpStatus.OUT_OF_SYNC):
            SubcontractorInvoiceFactory(link=link, erp_status=status, lines=0)
    assert all(d.failures == [("subcontractorinvoice", "Subcontractor invoices", 2)] for d in reports.dashboard())
    run = m.SyncRun.objects.create(link=ran, kind=m.SyncRun.Kind.EXPORT, status=m.SyncRun.Status.PARTIAL)
    m.SubcontractorInvoice.objects.filter(link=ran, erp_status=ErpStatus.FAILED).update(
        erp_status_changed_at=run.started_at - datetime.timedelta(hours=1))
    late = SubcontractorInvoiceFactory(link=ran, erp_status=ErpStatus.FAILED, lines=0)
    m.SubcontractorInvoice.objects.filter(pk=late.pk).update(erp_status_changed_at=run.started_at + datetime.timedelta(minutes=5))

    board = {d.link.name: d for d in reports.dashboard()}
    assert board["Never exported"].failures == [("subcontractorinvoice", "Subcontractor invoices", 2)]
    assert board["Exported"].failures == [("subcontractorinvoice", "Subcontractor invoices", 1)]
    assert board["Never exported"].exporting == board["Exported"].exporting == 1
    assert board["Exported"].out_of_sync == [("subcontractorinvoice", "Subcontractor invoices", 1)]
