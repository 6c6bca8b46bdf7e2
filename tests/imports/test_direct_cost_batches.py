"""New direct costs go to Procore through its sync endpoints, in batches per project (PERF-4), and a job
cost run with nothing changed makes no Procore call (PERF-5)."""

from decimal import Decimal

from integration.models import DirectCost, SyncRun, UnsyncableTransaction
from integration.services.imports import import_job_costs


def _procore(world, since: int = 0) -> list[tuple[str, str]]:
    return [c for c in world.procore.calls[since:] if c[1].startswith("/rest/")]


def _direct_costs(world):
    return sorted(world.procore_records("direct_cost"), key=lambda r: r["origin_id"] or "")


def test_new_direct_costs_are_written_in_four_calls_per_project_whatever_their_number(world):
    """PERF-4, JC-1, JC-2: 24 bills over two projects become 24 direct costs, each with its lines, net
    amounts and origin_id (locked), through direct_costs/sync and direct_costs/line_items/sync: four
    writes per project (create, unlock, lines, lock), not one POST per direct cost."""
    bills = []
    for n in range(12):
        bills.append(world.bill([("03-300", "HV-101", f"{100 + n}.00"), ("05-120", "HV-101", "10.00")],
                                reference=f"HV-{n}"))
        bills.append(world.bill([("05-120", "RT-202", f"{200 + n}.00")], reference=f"RT-{n}"))
    before = len(world.procore.calls)

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert run.counts["created"] == 24
    records = _direct_costs(world)
    assert sorted(r["origin_id"] for r in records) == sorted(b["InvoiceID"] for b in bills)
    by_origin = {r["origin_id"]: r for r in records}
    first = by_origin[bills[0]["InvoiceID"]]
    assert [li["amount"] for li in first["line_items"]] == ["100.00", "10.00"]
    assert first["invoice_number"] == "HV-0" and first["status"] == "approved"
    assert [li["amount"] for li in by_origin[bills[1]["InvoiceID"]]["line_items"]] == ["200.00"]
    writes = [c for c in _procore(world, before) if c[0] != "GET"]
    assert ("POST", f"/rest/v1.1/projects/{world.projects['HV-101'].procore_id}/direct_costs") not in writes
    assert len(writes) == 8, writes
    rows = DirectCost.objects.filter(link=world.link)
    assert rows.count() == 24 and all(r.locked and r.procore_id for r in rows)
    assert rows.get(xero_document_id=bills[0]["InvoiceID"]).amount == Decimal("110.00")


def test_a_refused_document_fails_alone_with_procores_reason(world):
    """PERF-4, JC-6: a bill whose vendor Procore no longer has is refused by the header sync; it fails
    alone, with Procore's reason, and the others of its batch land. It is listed unsyncable with that
    reason, and once Procore has the company again the next run imports it."""
    gone = world.vendor_in_both("Gone Ltd")
    world.bill([("03-300", "HV-101", "100.00")], reference="OK-1")
    refused = world.bill([("03-300", "HV-101", "50.00")], reference="GONE-1", contact=gone)
    vendor = world.procore.store.records["vendor"].pop(gone.procore_id)

    run = import_job_costs(link=world.link)

    assert [r["invoice_number"] for r in _direct_costs(world)] == ["OK-1"]
    assert run.counts["created"] == 1 and run.counts["failed"] == 1
    [error] = run.errors
    assert "GONE-1" in error["message"] and "vendor_id must exist" in error["message"], error
    assert not DirectCost.objects.get(xero_document_id=refused["InvoiceID"]).procore_id
    listed = UnsyncableTransaction.objects.get(xero_document_id=refused["InvoiceID"])
    assert listed.reason.startswith("Procore refused it:") and "vendor_id must exist" in listed.reason

    world.procore.store.records["vendor"][gone.procore_id] = vendor  # the company is back in Procore
    world.later(10)
    again = import_job_costs(link=world.link)  # the document is read again from the unsyncable list

    assert again.status == SyncRun.Status.SUCCEEDED and not again.errors, again.errors
    assert sorted(r["invoice_number"] for r in _direct_costs(world)) == ["GONE-1", "OK-1"]
    assert not UnsyncableTransaction.objects.filter(xero_document_id=refused["InvoiceID"]).exists()


def test_lines_procore_refuses_leave_no_direct_cost_behind(world):
    """PERF-4, JC-2: when Procore refuses a document's lines (their cost type is gone), its direct cost
    is deleted again: Procore never shows a direct cost without its lines, and the run names the reason."""
    bill = world.bill([("03-300", "HV-101", "100.00")], reference="NO-TYPE")
    world.procore.store.records["line_item_type"].pop(world.cost_type.procore_id)

    run = import_job_costs(link=world.link)

    assert _direct_costs(world) == []
    assert run.counts["failed"] == 1 and "line_item_type_id must exist" in run.errors[0]["message"], run.errors
    assert DirectCost.objects.get(xero_document_id=bill["InvoiceID"]).procore_id is None


def test_a_dropped_sync_answer_creates_each_direct_cost_once(world):
    """PERF-4, REL-1: the header sync's answer is lost after Procore committed it; the retry finds the
    direct costs by origin_id, so each bill is one direct cost with its lines."""
    world.bill([("03-300", "HV-101", "100.00")], reference="D-1")
    world.bill([("05-120", "HV-101", "40.00")], reference="D-2")
    world.procore.fail_next(1, drop=True, path_contains="/direct_costs/sync")

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    records = _direct_costs(world)
    assert sorted(r["invoice_number"] for r in records) == ["D-1", "D-2"]
    assert all(len(r["line_items"]) == 1 and r["origin_id"] for r in records)


def test_a_run_with_nothing_changed_makes_no_procore_call(world):
    """PERF-5, JC-5: documents already in Procore as Xero has them are skipped without reading any
    project's cost codes: a full re-read of unchanged documents makes no Procore call at all."""
    world.bill([("03-300", "HV-101", "100.00")])
    world.bill([("05-120", "RT-202", "30.00")])
    import_job_costs(link=world.link)
    world.later(10)
    before = len(world.procore.calls)

    again = import_job_costs(link=world.link, full=True)

    assert again.counts["skipped"] == 2 and again.counts["created"] == again.counts["updated"] == 0
    assert _procore(world, before) == []
