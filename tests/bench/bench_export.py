"""Benchmark (issue 5, PERF-1): export 5,000 bills with their contacts, items and tracking options to
the in-process Xero sandbox, and print calls per record, records per second and peak memory.

Run:  pytest tests/bench/bench_export.py -s -p no:warnings      (BENCH_BILLS=500 for a quick look)
Not part of the test run (tests/bench is not collected by default). It prints figures; it asserts
only that every bill was exported exactly once, never a time.
"""

import math
import os
import time
import tracemalloc
from collections import Counter

import pytest

from integration.models import ErpStatus, SubcontractorInvoice
from integration.services.export import export_link

pytestmark = pytest.mark.django_db
BILLS = int(os.environ.get("BENCH_BILLS", "5000"))


def test_export_bills(world, sandboxes):
    # The sandbox keeps Xero's real per-minute limit; the virtual clock makes waiting free, the
    # limiter still paces the calls exactly as it would against Xero. The spec validation of the test
    # suite is detached: it is test instrumentation, not the connector's work.
    sandboxes.xero_transport.observers.clear()
    commitments = [world.commitment(vendor=v, erp_status=ErpStatus.NOT_SENT) for v in world.vendors]
    for i in range(BILLS):
        world.invoice(commitment=commitments[i % len(commitments)], invoice_number=f"B-{i:05d}")
    records = BILLS + len(world.items) + len(world.vendors) + 1
    before = len(sandboxes.xero.calls)
    virtual_start = sandboxes.clock.now()
    tracemalloc.start()
    started = time.perf_counter()
    run = export_link(link_id=world.link.pk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    calls = sandboxes.xero.calls[before:]
    per_endpoint = Counter(f"{m} {p.split('/api.xro/2.0/')[-1].split('/')[0]}" for m, p, _ in calls)
    exported = SubcontractorInvoice.objects.filter(erp_status=ErpStatus.SYNCED).count()
    bills = sum(1 for i in sandboxes.xero.books().invoices.values() if i["Type"] == "ACCPAY")
    print(f"\n== Export benchmark: {BILLS} bills, {len(world.vendors)} contacts, {len(world.items)} items, 1 tracking option ==")
    print(f"run status            {run.status} ({run.counts})")
    print(f"bills exported        {exported} (Xero holds {bills}: duplicates {bills - exported})")
    print(f"Xero calls            {len(calls)} in all; {len(calls) / records:.4f} per record")
    print(f"bill endpoint calls   {per_endpoint['PUT Invoices'] + per_endpoint['GET Invoices']} "
          f"(budget ceil(N/50)+5 = {math.ceil(BILLS / 50) + 5})")
    print(f"calls by endpoint     {dict(per_endpoint)}")
    print(f"wall time             {elapsed:.1f} s; {records / elapsed:.0f} records per second (in-process sandbox)")
    print(f"Xero time (virtual)   {(sandboxes.clock.now() - virtual_start).total_seconds():.0f} s at 60 calls/min")
    print(f"peak Python memory    {peak / 1e6:.1f} MB")
    assert exported == bills == BILLS
