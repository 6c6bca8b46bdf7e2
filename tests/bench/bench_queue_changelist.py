"""Benchmark (issue 7, PERF-3): the subcontractor invoice queue with 100,000 invoices on PostgreSQL:
the queries per page and the median time of 20 page loads, for the pages an approver opens.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector \\
      pytest tests/bench/bench_queue_changelist.py -s -p no:warnings       (BENCH_INVOICES=10000 for a quick look)
Not part of the test run (tests/bench is not collected by default). It prints figures and asserts
nothing about time; it checks only that each page answers and that its query count is the same as
on the first load.
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
from integration.roles import ACCOUNTING_APPROVER
from tests.factories import LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
LOADS = 20
STATUSES = [ErpStatus.READY_TO_EXPORT] * 3 + [ErpStatus.SYNCED] * 5 + [ErpStatus.FAILED, ErpStatus.REJECTED]


def build(link):
    projects = m.Project.objects.bulk_create([
        m.Project(link=link, procore_id=i + 1, name=f"Project {i}", project_number=f"J-{i:04d}", erp_status=ErpStatus.SYNCED, xero_id=f"p{i}")
        for i in range(200)])
    vendors = m.Vendor.objects.bulk_create([
        m.Vendor(link=link, procore_id=i + 1, name=f"Vendor {i}", erp_status=ErpStatus.SYNCED, xero_id=f"v{i}") for i in range(500)])
    commitments = m.Commitment.objects.bulk_create([
        m.Commitment(link=link, project=projects[i % 200], vendor=vendors[i % 500], number=f"SC-{i:04d}", status="Approved",
                     procore_id=i + 1, erp_status=ErpStatus.SYNCED, xero_id=f"c{i}") for i in range(1000)])
    now = timezone.now()
    batch = []
    for i in range(INVOICES):
        c = commitments[i % len(commitments)]
        status = STATUSES[i % len(STATUSES)]
        batch.append(m.SubcontractorInvoice(
            link=link, project_id=c.project_id, vendor_id=c.vendor_id, commitment=c, procore_id=i + 1, invoice_number=f"INV-{i:06d}",
            status="approved", billing_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 2000),
            total=Decimal("1000.00"), erp_status=status, xero_id=f"x{i}" if status == ErpStatus.SYNCED else "",
            erp_status_changed_at=now - datetime.timedelta(hours=i % 2000)))
        if len(batch) == 5000:
            m.SubcontractorInvoice.objects.bulk_create(batch)
            batch = []
    m.SubcontractorInvoice.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return projects, vendors


def test_queue_changelist_with_100000_invoices(client):
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark is for PostgreSQL: set DATABASE_URL=postgres://...")
    link = LinkFactory()
    started = time.perf_counter()
    projects, vendors = build(link)
    print(f"\n{INVOICES} invoices built in {time.perf_counter() - started:.1f} s")
    client.force_login(UserFactory(username="approver", role=ACCOUNTING_APPROVER))
    base = reverse("admin:integration_subcontractorinvoice_changelist")
    pages = {
        "the queue": base,
        "awaiting approval": f"{base}?erp_status__exact=ready_to_export",
        "awaiting, 1-7 days old": f"{base}?erp_status__exact=ready_to_export&age=week",
        "one project": f"{base}?project__id__exact={projects[7].pk}",
        "one vendor, failed": f"{base}?vendor__id__exact={vendors[3].pk}&erp_status__exact=failed",
        "search by invoice number": f"{base}?q=INV-04217",
        "page 100": f"{base}?p=100",
    }
    print(f"{'page':<28}{'queries':>8}{'median ms':>11}{'max ms':>9}")
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        queries = len(ctx.captured_queries)
        times = []
        for _ in range(LOADS):
            with CaptureQueriesContext(connection) as again:
                t = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200 and len(again.captured_queries) == queries
        print(f"{name:<28}{queries:>8}{statistics.median(times):>11.1f}{max(times):>9.1f}")
    # The search's filter on the invoice number is served by the trigram index (migration 0013).
    search = m.SubcontractorInvoice.objects.filter(invoice_number__icontains="INV-04217")
    plan = search.explain()
    print(f"search by invoice number uses subinv_number_trgm: {'yes' if 'subinv_number_trgm' in plan else 'no'}")
