"""Benchmark (issue 19, PERF-8): the reconciliation report with 100,000 subcontractor invoices on PostgreSQL,
each exported invoice with the bill the last reconcile read from Xero, and a payment on every fifth: the time
the reconcile takes to sum them (the snapshot), then the queries per page and the median time of 20 page
loads, unfiltered and filtered.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/connector \\
      pytest tests/bench/bench_reconciliation.py -s -p no:warnings        (BENCH_INVOICES=10000 for a quick look)
Not part of the test run (tests/bench is not collected by default). It prints figures and asserts nothing
about time; it checks only that each page answers and that its query count is the same as on its first load.
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
from integration.services.reconciliation_snapshot import snapshot
from tests.factories import LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
LOADS = 20
BATCH = 5000
STATUSES = [ErpStatus.READY_TO_EXPORT] * 2 + [ErpStatus.SYNCED] * 7 + [ErpStatus.REJECTED]


def build(link):
    now = timezone.now()
    run = m.SyncRun.objects.create(link=link, kind=m.SyncRun.Kind.RECONCILE, status=m.SyncRun.Status.SUCCEEDED,
                                   parameters={"full": True})
    projects = m.Project.objects.bulk_create([
        m.Project(link=link, procore_id=i + 1, name=f"Project {i}", project_number=f"J-{i:04d}", erp_status=ErpStatus.SYNCED,
                  xero_id=f"p{i}") for i in range(200)])
    vendors = m.Vendor.objects.bulk_create([
        m.Vendor(link=link, procore_id=i + 1, name=f"Vendor {i}", erp_status=ErpStatus.SYNCED, xero_id=f"v{i:035d}")
        for i in range(500)])
    types = m.CostType.objects.bulk_create([m.CostType(link=link, code="S", name="Subcontract")])
    codes = m.CostCode.objects.bulk_create([m.CostCode(link=link, code=f"{i:02d}-100", name=f"Code {i}") for i in range(20)])
    items = m.CostItem.objects.bulk_create([
        m.CostItem(link=link, cost_code=c, cost_type=types[0], item_code=f"{c.code}.S", description=c.name,
                   erp_status=ErpStatus.SYNCED, xero_id=f"it{n}") for n, c in enumerate(codes)])
    commitments = m.Commitment.objects.bulk_create([
        m.Commitment(link=link, project=projects[i % 200], vendor=vendors[i % 500], number=f"SC-{i:04d}", status="Approved",
                     procore_id=i + 1, erp_status=ErpStatus.SYNCED, xero_id=f"c{i:035d}") for i in range(1000)])
    m.CommitmentLine.objects.bulk_create([
        m.CommitmentLine(commitment=c, position=1, cost_item=items[n % 20], amount=Decimal("100000.00"))
        for n, c in enumerate(commitments)])
    orders = m.XeroDocument.objects.bulk_create([
        m.XeroDocument(link=link, resource="PurchaseOrders", xero_id=c.xero_id, doc_type="", status="AUTHORISED",
                       number=c.number, vendor_id=c.vendor_id, project_id=c.project_id, total=Decimal("115000.00"),
                       net_amount=Decimal("100000.00"), read_at=run.started_at) for c in commitments])
    m.XeroDocumentLine.objects.bulk_create([
        m.XeroDocumentLine(document=o, position=1, project_id=o.project_id, cost_code_id=items[n % 20].cost_code_id,
                           amount=Decimal("100000.00")) for n, o in enumerate(orders)])
    for start in range(0, INVOICES, BATCH):
        invoices, bills, payments = [], [], []
        for i in range(start, min(start + BATCH, INVOICES)):
            c = commitments[i % len(commitments)]
            status = STATUSES[i % len(STATUSES)]
            synced = status == ErpStatus.SYNCED
            invoices.append(m.SubcontractorInvoice(
                link=link, project_id=c.project_id, vendor_id=c.vendor_id, commitment=c, procore_id=i + 1,
                invoice_number=f"INV-{i:06d}", status="approved",
                billing_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 2000), total=Decimal("1000.00"),
                erp_status=status, xero_id=f"{i:036d}" if synced else "", xero_synced_at=now - datetime.timedelta(days=1) if synced else None,
                erp_status_changed_at=now - datetime.timedelta(hours=i % 2000)))
        invoices = m.SubcontractorInvoice.objects.bulk_create(invoices)
        lines = []
        for n, inv in enumerate(invoices):
            item = items[(start + n) % 20]
            lines.append(m.InvoiceLine(invoice=inv, position=1, cost_item=item, amount=Decimal("1000.00")))
            if inv.xero_id:
                # One in 500 exported bills was edited in Xero (an amount difference to list).
                edited = (start + n) % 500 == 0
                bills.append((m.XeroDocument(
                    link=link, resource="Invoices", xero_id=inv.xero_id, doc_type="ACCPAY", status="AUTHORISED",
                    number=inv.invoice_number, vendor_id=inv.vendor_id, project_id=inv.project_id,
                    total=Decimal("1150.00"), net_amount=Decimal("55.00") if edited else Decimal("1000.00"),
                    read_at=run.started_at), item.cost_code_id))
        m.InvoiceLine.objects.bulk_create(lines)
        docs = m.XeroDocument.objects.bulk_create([b for b, _ in bills])
        m.XeroDocumentLine.objects.bulk_create([
            m.XeroDocumentLine(document=d, position=1, project_id=d.project_id, cost_code_id=code, amount=d.net_amount)
            for d, (_, code) in zip(docs, bills, strict=True)])
        for n, d in enumerate(docs):
            if n % 5 == 0:
                payments.append(d)
        by_xero_id = {i.xero_id: i.pk for i in invoices if i.xero_id}
        rows = m.Payment.objects.bulk_create([
            m.Payment(link=link, xero_payment_id=f"pay{d.xero_id[3:]}", subcontractor_invoice_id=by_xero_id[d.xero_id], amount=Decimal("1000.00"), date=datetime.date(2026, 11, 1),
                status="synced", procore_id=int(d.xero_id)) for d in payments])
        m.XeroDocument.objects.bulk_create([
            m.XeroDocument(link=link, resource="Payments", xero_id=p.xero_payment_id, doc_type="ACCPAYPAYMENT", status="AUTHORISED",
                           parent_id=d.xero_id, vendor_id=d.vendor_id, project_id=d.project_id, total=Decimal("1150.00"),
                           net_amount=Decimal("1000.00"), date=p.date, read_at=run.started_at) for p, d in zip(rows, payments, strict=True)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    rows, differences = snapshot(link_id=link.pk, read_at=run.started_at)
    print(f"\nthe reconcile's summing (snapshot): {rows} rows, {differences} differences in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return projects, vendors


def test_reconciliation_with_100000_invoices(client):
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark is for PostgreSQL: set DATABASE_URL=postgres://...")
    link = LinkFactory(commitment_sync=True)
    started = time.perf_counter()
    projects, vendors = build(link)
    print(f"\n{INVOICES} invoices built in {time.perf_counter() - started:.1f} s")
    client.force_login(UserFactory(username="approver", role=ACCOUNTING_APPROVER))
    base = reverse("desk:report_reconciliation") + f"?link={link.pk}"
    pages = {
        "the whole link": base,
        "only rows with a difference": f"{base}&differences_only=on",
        "one project": f"{base}&project={projects[7].pk}",
        "one vendor": f"{base}&vendor={vendors[3].pk}",
        "amount differences": f"{base}&kind=amount",
        "page 5 of the figures": f"{base}&page=5",
        "page 100 of the differences": f"{base}&dpage=100",
    }
    print(f"{'page':<30}{'queries':>8}{'median ms':>11}{'max ms':>9}")
    medians = []
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as first:
            response = client.get(url)
        assert response.status_code == 200, name
        if os.environ.get("BENCH_QUERIES") and name == "the whole link":
            for q in first.captured_queries:
                print(q["time"], q["sql"][:140])
        if os.environ.get("BENCH_PROFILE") and name == "the whole link":
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(client.get, url)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        if os.environ.get("BENCH_EXPLAIN") and name == "the whole link":
            for q in first.captured_queries:
                if "integration_reconciliation" in q["sql"]:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + q["sql"])
                        print("\n".join(r[0] for r in cursor.fetchall()))
        times = []
        for _ in range(LOADS):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append((time.perf_counter() - t) * 1000)
            assert len(ctx) == len(first), name
        medians.append(statistics.median(times))
        print(f"{name:<30}{len(first):>8}{statistics.median(times):>11.0f}{max(times):>9.0f}")
    print(f"reconciliation: {INVOICES} invoices, median {statistics.median(medians):.0f} ms, worst page median {max(medians):.0f} ms")
