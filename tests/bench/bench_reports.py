"""Benchmark (issue 19, PERF-8): the dashboard and the reports other than the reconciliation with 100,000
subcontractor invoices on PostgreSQL: the queries per page and the median time of 20 page loads.

The data: 100,000 invoices over 200 projects and 1,000 commitments in every state an approver sees
(awaiting approval at every age, failed, exporting, out of sync, synced, rejected), an accept or a
reject audit row for each decided one by one of five approvers, a job cost summary per project and
cost code (200 x 20), 20,000 unsyncable Xero documents, 5,000 payments deleted in Xero and 1,000
archived companies.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector \\
      pytest tests/bench/bench_reports.py -s -p no:warnings        (BENCH_INVOICES=10000 for a quick look)
Not part of the test run (tests/bench is not collected by default). It prints figures and asserts nothing
about time; it checks only that each page answers and that its query count is the same on every load.
"""

import datetime
import os
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration import models as m
from integration.models import ErpStatus
from integration.roles import ACCOUNTING_APPROVER, ERP_ADMIN
from tests.factories import LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
LOADS = 20
BATCH = 5000
STATUSES = ([ErpStatus.READY_TO_EXPORT] * 2 + [ErpStatus.READY_TO_UPDATE, ErpStatus.FAILED, ErpStatus.EXPORTING,
            ErpStatus.OUT_OF_SYNC] + [ErpStatus.SYNCED] * 3 + [ErpStatus.REJECTED])


def build(link, approvers):
    from django.contrib.contenttypes.models import ContentType

    now = timezone.now()
    m.SyncRun.objects.create(link=link, kind=m.SyncRun.Kind.EXPORT, status=m.SyncRun.Status.SUCCEEDED,
                             started_at=now - datetime.timedelta(days=40))
    projects = m.Project.objects.bulk_create([
        m.Project(link=link, procore_id=i + 1, name=f"Project {i}", project_number=f"J-{i:04d}", erp_status=ErpStatus.SYNCED,
                  xero_id=f"p{i}") for i in range(200)])
    vendors = m.Vendor.objects.bulk_create([
        m.Vendor(link=link, procore_id=i + 1, name=f"Vendor {i}", erp_status=ErpStatus.SYNCED, xero_id=f"v{i}",
                 archived_in_erp=i >= 1500) for i in range(2500)])
    types = m.CostType.objects.bulk_create([m.CostType(link=link, code="S", name="Subcontract")])
    codes = m.CostCode.objects.bulk_create([m.CostCode(link=link, code=f"{i:02d}-100", name=f"Code {i}") for i in range(20)])
    items = m.CostItem.objects.bulk_create([
        m.CostItem(link=link, cost_code=c, cost_type=types[0], item_code=f"{c.code}.S", description=c.name,
                   erp_status=ErpStatus.SYNCED, xero_id=f"it{n}") for n, c in enumerate(codes)])
    m.JobCostSummary.objects.bulk_create([
        m.JobCostSummary(link=link, project=p, cost_item=it, job_to_date_cost=Decimal("5000.00"),
                         commitment_invoiced=Decimal("4000.00"), direct_costs=Decimal("1000.00"))
        for p in projects for it in items])
    commitments = m.Commitment.objects.bulk_create([
        m.Commitment(link=link, project=projects[i % 200], vendor=vendors[i % 1500], number=f"SC-{i:04d}", status="Approved",
                     procore_id=i + 1, erp_status=ErpStatus.SYNCED, xero_id=f"c{i}") for i in range(1000)])
    invoice_type = ContentType.objects.get_for_model(m.SubcontractorInvoice)
    for start in range(0, INVOICES, BATCH):
        invoices = []
        for i in range(start, min(start + BATCH, INVOICES)):
            c = commitments[i % len(commitments)]
            status = STATUSES[i % len(STATUSES)]
            invoices.append(m.SubcontractorInvoice(
                link=link, project_id=c.project_id, vendor_id=c.vendor_id, commitment=c, procore_id=i + 1,
                invoice_number=f"INV-{i:06d}", status="approved",
                billing_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 2000), total=Decimal("1000.00"),
                erp_status=status, xero_id=f"x{i}" if status in (ErpStatus.SYNCED, ErpStatus.OUT_OF_SYNC) else "",
                erp_status_changed_at=now - datetime.timedelta(hours=i % 2000)))
        invoices = m.SubcontractorInvoice.objects.bulk_create(invoices)
        m.AuditEvent.objects.bulk_create([
            m.AuditEvent(link=link, content_type=invoice_type, object_id=inv.pk, record_label=inv.invoice_number,
                         actor=approvers[n % len(approvers)], actor_name=approvers[n % len(approvers)].username,
                         action="reject" if inv.erp_status == ErpStatus.REJECTED else "accept")
            for n, inv in enumerate(invoices) if inv.erp_status not in (ErpStatus.READY_TO_EXPORT,)])
    m.UnsyncableTransaction.objects.bulk_create([
        m.UnsyncableTransaction(link=link, xero_document_id=f"u{i:035d}", document_type="ACCPAY", reference=f"B-{i}",
                                contact_name=f"Vendor {i % 1500}", date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
                                amount=Decimal("100.00"), reason="contact 'Vendor' is not linked to a Procore company")
        for i in range(20000)])
    m.Payment.objects.bulk_create([
        m.Payment(link=link, xero_payment_id=f"pay{i:033d}", commitment=commitments[i % 1000], amount=Decimal("10.00"),
                  date=datetime.date(2026, 11, 1), status=m.Payment.Status.VOIDED, deleted_in_xero_at=now)
        for i in range(5000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return projects


def test_reports_with_100000_invoices(client):
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark is for PostgreSQL: set DATABASE_URL=postgres://...")
    link = LinkFactory(commitment_sync=True)
    approvers = [UserFactory(username=f"approver{n}", role=ACCOUNTING_APPROVER) for n in range(5)]
    started = time.perf_counter()
    projects = build(link, approvers)
    print(f"\n{INVOICES} invoices built in {time.perf_counter() - started:.1f} s")
    client.force_login(UserFactory(username="admin-bench", role=ERP_ADMIN, is_staff=True))
    pages = {
        "dashboard": reverse("desk:dashboard"),
        "accountant report": reverse("desk:report_accountant"),
        "accountant report, one link": reverse("desk:report_accountant") + f"?link={link.pk}",
        "job costs": reverse("desk:report_job_costs"),
        "job costs, one project": reverse("desk:report_job_costs") + f"?project={projects[7].pk}",
        "job costs, page 3": reverse("desk:report_job_costs") + "?page=3",
        "unsyncable": reverse("desk:report_unsyncable"),
        "unsyncable, search": reverse("desk:report_unsyncable") + "?search=B-1234",
        "unsyncable, page 50": reverse("desk:report_unsyncable") + "?page=50",
        "archived companies": reverse("desk:report_archived_companies"),
        "deleted payments": reverse("desk:report_deleted_payments"),
    }
    print(f"{'page':<32}{'queries':>8}{'median ms':>11}{'max ms':>9}")
    medians = []
    for name, url in pages.items():
        connection.queries_log.clear()  # the log keeps 9,000 queries; past that a capture counts none
        with CaptureQueriesContext(connection) as first:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        if os.environ.get("BENCH_QUERIES"):
            for q in sorted(first.captured_queries, key=lambda q: -float(q["time"]))[:3]:
                print("   ", q["time"], q["sql"][:160])
        if os.environ.get("BENCH_PROFILE") == name:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(client.get, url)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        times = []
        for _ in range(LOADS):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append((time.perf_counter() - t) * 1000)
            assert len(ctx) == len(first), name
        medians.append(statistics.median(times))
        print(f"{name:<32}{len(first):>8}{statistics.median(times):>11.0f}{max(times):>9.0f}")
    print(f"reports: {INVOICES} invoices, median {statistics.median(medians):.0f} ms, worst page median {max(medians):.0f} ms")
