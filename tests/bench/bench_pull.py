"""Benchmark (PERF-2, PERF-5): what a Procore pull costs in Procore calls, against the in-process sandbox.
P projects (BENCH_PROJECTS, default 80), each with BENCH_PER_PROJECT (default 5) subcontracts with a
line, a change order and an invoice each, and a prime contract with as many owner invoices; then a
full pull, an hour, and a scheduled incremental pull with nothing changed.

Run:  pytest tests/bench/bench_pull.py -s -p no:warnings      (BENCH_PROJECTS=10 for a quick look)
Not part of the test run (tests/bench is not collected by default). It prints figures and asserts
only that the full pull read every record, never a time. The last line is the figure line the
README's table quotes.
"""

import os
from collections import Counter

import pytest

from integration.models import ChangeOrder, Commitment, OwnerInvoice, Project, SubcontractorInvoice, SyncRun
from integration.services.pull import pull_link
from tests.pull.conftest import later

pytestmark = pytest.mark.django_db
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "80"))
PER_PROJECT = int(os.environ.get("BENCH_PER_PROJECT", "5"))


def seed(procore) -> int:
    """The company in Procore; returns how many records the connector mirrors of it."""
    stage = procore.create_record("project_stage", {"name": "Send to Xero", "category": "course_of_construction"})
    std_list = procore.create_record("standard_cost_code_list", {"name": "Xero Standard Cost Code List"})
    std = procore.create_record("standard_cost_code", {"standard_cost_code_list_id": std_list["id"], "code": "03-300",
                                                       "name": "Concrete"})
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L", "base_type": "other"})
    vendors = [procore.create_record("vendor", {"name": f"Vendor {i:03d}"}) for i in range(max(2, PROJECTS // 4))]
    records = len(vendors)
    for p in range(PROJECTS):
        project = procore.create_record("project", {"name": f"Project {p:03d}", "project_number": f"P-{p:03d}",
                                                    "project_stage_id": stage["id"]})
        pid = project["id"]
        code = procore.create_record("project_cost_code", {"project_id": pid, "code": "03-300", "name": "Concrete",
                                                           "standard_cost_code_id": std["id"]})
        prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": f"PC-{p}",
                                                         "status": "Approved", "vendor_id": vendors[0]["id"]})
        records += 2
        for i in range(PER_PROJECT):
            contract = procore.create_record("work_order_contract", {
                "project_id": pid, "title": "Works", "number": f"SC-{p}-{i}", "status": "Approved",
                "vendor_id": vendors[(p + i) % len(vendors)]["id"],
                "line_items": [{"description": "Slab", "amount": "10000.00", "cost_code_id": code["id"],
                                "line_item_type_id": labor["id"]}]})
            line_id = contract["line_items"][0]["id"]
            procore.create_record("commitment_change_order", {
                "project_id": pid, "contract_id": contract["id"], "number": str(i), "title": "Extra", "status": "approved",
                "line_items": [{"description": "Extra depth", "amount": "500.00", "cost_code_id": code["id"],
                                "line_item_type_id": labor["id"], "commitment_line_item_id": line_id}]})
            procore.create_record("requisition", {
                "project_id": pid, "commitment_id": contract["id"], "invoice_number": f"INV-{p}-{i}", "status": "approved",
                "billing_date": "2026-04-30", "requisition_start": "2026-04-01", "requisition_end": "2026-04-30",
                "items": [{"item_type": "contract_item", "line_item_id": line_id, "work_completed_this_period": "4000.00"}]})
            procore.create_record("payment_application", {
                "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": f"OI-{p}-{i}", "status": "approved",
                "billing_date": "2026-04-30", "period_start": "2026-04-01", "period_end": "2026-04-30",
                "total_amount_accrued_this_period": "20000.00"})
            records += 4
    return records


def procore_calls(sandboxes, since: int) -> list[tuple[str, str]]:
    return [c for c in sandboxes.procore.calls[since:] if c[1].startswith("/rest/")]


def by_path(calls) -> dict[str, int]:
    def shape(path: str) -> str:
        return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))
    return dict(Counter(f"{m} {shape(p)}" for m, p in calls).most_common(12))


def test_pull_costs(link, sandboxes):
    sandboxes.procore_transport.observers.clear()
    records = seed(sandboxes.procore)
    before = len(sandboxes.procore.calls)
    full = pull_link(link_id=link.pk)
    full_calls = procore_calls(sandboxes, before)
    # Documents that qualify but whose project and companies are not in Xero yet are reported, not queued.
    assert full.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL), full.message
    mirrored = sum(m.objects.filter(link=link).count() for m in (Commitment, ChangeOrder, SubcontractorInvoice, OwnerInvoice))
    projects = Project.objects.filter(link=link).count()

    later(sandboxes, 1)
    before = len(sandboxes.procore.calls)
    incremental = pull_link(link_id=link.pk, trigger=SyncRun.Trigger.SCHEDULE)
    incremental_calls = procore_calls(sandboxes, before)

    link.refresh_from_db()
    link.procore_webhooks = True
    link.save()
    later(sandboxes, 1)
    before = len(sandboxes.procore.calls)
    hooked = pull_link(link_id=link.pk, trigger=SyncRun.Trigger.SCHEDULE)
    hooked_calls = procore_calls(sandboxes, before)

    print(f"\n== Pull benchmark: {PROJECTS} projects x {PER_PROJECT} subcontracts (a line, a change order and an "
          f"invoice each) and {PER_PROJECT} owner invoices ==")
    print(f"full pull             {full.status}; {len(full_calls)} Procore calls for {records} records; {mirrored} documents mirrored "
          f"({len(full.errors)} reported as not queueable yet)")
    print(f"  by endpoint         {by_path(full_calls)}")
    print(f"incremental unchanged {incremental.status} ({incremental.message}); {len(incremental_calls)} Procore calls, "
          f"{len(incremental_calls) / max(1, projects):.2f} per project")
    print(f"  by endpoint         {by_path(incremental_calls)}")
    print(f"with webhooks on      {hooked.status}; {len(hooked_calls)} Procore calls (the hourly pull waits for the daily "
          "full read; events re-read what they name)")
    print(f"pull: {records} records, {len(full_calls) / records:.2f} procore calls/record full, "
          f"{len(incremental_calls)} procore calls incremental unchanged, {projects} projects")
    assert mirrored == PROJECTS * PER_PROJECT * 4
