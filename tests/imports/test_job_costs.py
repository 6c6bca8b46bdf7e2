"""Xero cost documents → Procore direct costs (JC-1..3, JC-5..8), the unsyncable list (JC-6) and the
job cost summary (JC-4)."""

from decimal import Decimal

from integration.models import AccountMapping, DirectCost, JobCostSummary, SyncRun, UnsyncableTransaction
from integration.services.imports import import_job_costs


def _direct_costs(world, project=None):
    records = world.procore_records("direct_cost")
    if project is not None:
        records = [r for r in records if r["project"]["id"] == world.projects[project].procore_id]
    return sorted(records, key=lambda r: r["id"])


def _amounts(record):
    return [li["amount"] for li in record["line_items"]]


def test_bill_entered_in_xero_becomes_an_invoice_direct_cost(world):
    """JC-1, JC-2: an approved bill tracked to a synced project and coded to a synced Item: type invoice,
    approved, vendor, invoice # = reference, received date, lines with budget code, qty, unit cost, amount."""
    bill = world.bill([("03-300", "HV-101", "1200.00"), ("05-120", "HV-101", "300.00")], reference="KC-5521")

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    [dc] = _direct_costs(world)
    assert dc["direct_cost_type"] == "invoice" and dc["status"] == "approved"
    assert dc["vendor_id"] == world.vendor.procore_id and dc["invoice_number"] == "KC-5521"
    assert dc["direct_cost_date"] == "2026-05-01" and dc["received_date"] == "2026-05-01"
    assert dc["origin_id"] == bill["InvoiceID"]
    assert _amounts(dc) == ["1200.00", "300.00"]
    assert [li["line_item_type"]["id"] for li in dc["line_items"]] == [world.cost_type.procore_id] * 2
    row = DirectCost.objects.get(link=world.link)
    assert row.procore_id == dc["id"] and row.amount == Decimal("1500.00") and row.locked


def test_bill_tracked_to_two_projects_is_split(world):
    """JC-3: one direct cost per project, same header, only that project's lines."""
    world.bill([("03-300", "HV-101", "1000.00"), ("05-120", "RT-202", "400.00"), ("05-120", "HV-101", "50.00")],
               reference="SPLIT-1")

    import_job_costs(link=world.link)

    [harbour] = _direct_costs(world, "HV-101")
    [riverside] = _direct_costs(world, "RT-202")
    assert _amounts(harbour) == ["1000.00", "50.00"] and _amounts(riverside) == ["400.00"]
    assert harbour["invoice_number"] == riverside["invoice_number"] == "SPLIT-1"
    assert harbour["origin_id"] != riverside["origin_id"]
    assert DirectCost.objects.filter(link=world.link).count() == 2


def test_credit_note_is_negative(world):
    """JC-1: a supplier credit note (ACCPAYCREDIT) becomes a direct cost with negative amounts."""
    world.credit_note([("03-300", "HV-101", "250.00")], number="CN-77")

    import_job_costs(link=world.link)

    [dc] = _direct_costs(world)
    assert dc["direct_cost_type"] == "invoice" and dc["invoice_number"] == "CN-77"
    assert _amounts(dc) == ["-250.00"] and dc["grand_total"] == "-250.00"


def test_spend_money_is_an_expense(world):
    """JC-1, JC-2: spend money → type expense, description = reference, no invoice number."""
    world.spend([("05-120", "RT-202", "80.00")], reference="Site fuel")

    import_job_costs(link=world.link)

    [dc] = _direct_costs(world)
    assert dc["direct_cost_type"] == "expense" and dc["description"] == "Site fuel"
    assert not dc.get("invoice_number") and _amounts(dc) == ["80.00"]


def test_bill_without_project_tracking_is_unsyncable_with_its_reason(world):
    """JC-6: a bill with no project tracking is not imported and is listed with why."""
    bill = world.bill([("03-300", None, "900.00")], reference="NO-TRACK")
    other = world.bill([("03-300", "HV-101", "10.00"), ("", "HV-101", "5.00")], reference="NO-ITEM")

    run = import_job_costs(link=world.link)

    assert _direct_costs(world) == []
    entry = UnsyncableTransaction.objects.get(link=world.link, xero_document_id=bill["InvoiceID"])
    assert "no project tracking" in entry.reason and entry.reference == "NO-TRACK"
    assert entry.amount == Decimal("900.00") and entry.document_type == "ACCPAY"
    assert "no Item" in UnsyncableTransaction.objects.get(xero_document_id=other["InvoiceID"]).reason
    assert run.counts["skipped"] == 2


def test_draft_bill_is_unsyncable_as_not_approved(world):
    """JC-1, JC-6: only approved (AUTHORISED or PAID) bills are imported."""
    bill = world.bill([("03-300", "HV-101", "100.00")], status="DRAFT")
    import_job_costs(link=world.link)
    assert _direct_costs(world) == []
    assert UnsyncableTransaction.objects.get(xero_document_id=bill["InvoiceID"]).reason.startswith("not approved")


def test_voided_bill_removes_its_direct_cost(world):
    """JC-5: a voided Xero bill removes its direct cost from Procore."""
    bill = world.bill([("03-300", "HV-101", "700.00")], reference="TO-VOID")
    import_job_costs(link=world.link)
    assert len(_direct_costs(world)) == 1
    world.later(30)
    world.void_bill(bill["InvoiceID"])

    import_job_costs(link=world.link)

    assert _direct_costs(world) == []
    assert DirectCost.objects.get(link=world.link).removed


def test_rerun_writes_nothing(world):
    """JC-5: incremental and idempotent: a second run without changes makes no Procore write."""
    world.bill([("03-300", "HV-101", "100.00")])
    world.spend([("05-120", "HV-101", "20.00")])
    import_job_costs(link=world.link)
    writes = world.procore_writes()
    world.later(10)

    again = import_job_costs(link=world.link)
    import_job_costs(link=world.link, full=True)

    assert world.procore_writes() == writes and again.counts["created"] == 0
    assert len(_direct_costs(world)) == 2


def test_bill_exported_from_procore_is_a_subcontractor_invoice(world):
    """JC-1, JC-2: a bill that came from Procore becomes a subcontractor invoice, no received date."""
    world.exported_bill(amount="1000.00", number="INV-7")
    import_job_costs(link=world.link)
    [dc] = _direct_costs(world)
    assert dc["direct_cost_type"] == "subcontractor_invoice" and not dc.get("received_date")
    assert dc["description"] == "INV-7"


def test_manual_journal_line_with_mapped_account(world):
    """JC-8: a manual journal line tracked to a synced project becomes a direct cost when its account is
    mapped to a cost item; without a mapping it is listed unsyncable with the reason."""
    journal = {"Narration": "Plant hire accrual", "Date": "2026-05-05", "Status": "POSTED", "JournalLines": [
        {"LineAmount": Decimal("350.00"), "AccountCode": "429", "Description": "Crane",
         "Tracking": [{"Name": "Project", "Option": world.projects["HV-101"].xero_option_name}]},
        {"LineAmount": Decimal("-350.00"), "AccountCode": "800", "Description": "Accrual"}]}
    [result] = world.xero.write("ManualJournals", [journal], method="PUT", idempotency_key="test-mj-1")
    assert result.ok, result.errors

    import_job_costs(link=world.link)
    assert "account 429 is not mapped" in UnsyncableTransaction.objects.get(xero_document_id=result.id).reason

    AccountMapping.objects.create(link=world.link, account_code="429", cost_item=world.items["05-120"])
    world.later(10)
    import_job_costs(link=world.link)  # the unsyncable journal is read again

    [dc] = _direct_costs(world)
    assert dc["direct_cost_type"] == "expense" and _amounts(dc) == ["350.00"]
    assert not UnsyncableTransaction.objects.filter(xero_document_id=result.id).exists()


def test_job_cost_summary_for_a_known_data_set(world):
    """JC-4: per project and cost item: job-to-date = bills + spend money (credit notes negative);
    commitment invoiced = bills exported from Procore; direct costs = the difference. By hand:
    HV-101 / 03-300: exported bill 1000 + bill 200 + spend 30 − credit 50 = 1180 JTD, 1000 invoiced, 180 direct;
    HV-101 / 05-120: bill 75 = 75 JTD, 0 invoiced, 75 direct;
    RT-202 / 05-120: spend 40 = 40 JTD, 0 invoiced, 40 direct."""
    world.exported_bill(amount="1000.00")
    world.bill([("03-300", "HV-101", "200.00"), ("05-120", "HV-101", "75.00")])
    world.spend([("03-300", "HV-101", "30.00"), ("05-120", "RT-202", "40.00")])
    world.credit_note([("03-300", "HV-101", "50.00")])

    import_job_costs(link=world.link)

    got = {(r.project.project_number, r.cost_item.cost_code.code): (r.job_to_date_cost, r.commitment_invoiced,
                                                                    r.direct_costs)
           for r in JobCostSummary.objects.filter(link=world.link).select_related("project", "cost_item__cost_code")}
    assert got == {
        ("HV-101", "03-300"): (Decimal("1180.00"), Decimal("1000.00"), Decimal("180.00")),
        ("HV-101", "05-120"): (Decimal("75.00"), Decimal("0"), Decimal("75.00")),
        ("RT-202", "05-120"): (Decimal("40.00"), Decimal("0"), Decimal("40.00")),
    }


def test_one_project_on_demand(world):
    """JC-9: "get direct invoices for project #" imports only documents tracked to that project."""
    world.bill([("03-300", "HV-101", "100.00")], reference="H")
    world.bill([("03-300", "RT-202", "200.00")], reference="R")

    import_job_costs(link=world.link, project=world.projects["RT-202"])

    assert [dc["invoice_number"] for dc in _direct_costs(world)] == ["R"]


def test_malformed_document_is_an_error_and_changes_nothing(world, monkeypatch):
    """REL-6: a bill whose line amount is not a number is one error on the run; nothing is written."""
    from xero_client import XeroClient

    bad = {"InvoiceID": "0f0e1c1a-0000-4000-8000-000000000001", "Type": "ACCPAY", "Status": "AUTHORISED",
           "Date": None, "LineItems": [{"LineAmount": "lots"}]}
    monkeypatch.setattr(XeroClient, "iter_invoices", lambda self, **kw: iter([bad]))
    run = import_job_costs(link=world.link)
    assert run.status == SyncRun.Status.PARTIAL and run.counts["failed"] == 1
    assert _direct_costs(world) == [] and not UnsyncableTransaction.objects.exists()
