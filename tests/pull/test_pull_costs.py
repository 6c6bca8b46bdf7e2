"""What a pull costs in Procore calls (PERF-5): with Procore's webhooks on, the hourly pull costs nothing
and the events' targeted pulls read what changed; once a day the full read is the safety net."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from integration.models import SubcontractorInvoice, SyncRun, Vendor
from integration.services.pull import pull_link, pull_record
from tests.pull.conftest import later

pytestmark = pytest.mark.django_db


def scheduled(link) -> SyncRun:
    run = pull_link(link_id=link.pk, trigger=SyncRun.Trigger.SCHEDULE)
    link.refresh_from_db()
    return run


def test_with_webhooks_on_the_hourly_pull_costs_no_call_and_events_read_the_changes(link, company, sandboxes):
    """PERF-5, SYNC-2: after the first (full) read, an hourly scheduled pull of a link with Procore's
    webhooks on makes no Procore call; the invoice an event names is re-read at once; the next day's
    scheduled pull is the full read that finds a vendor deleted in Procore."""
    link.procore_webhooks = True
    link.save()
    first = scheduled(link)
    assert first.parameters["full"] is True and first.counts["created"] >= 9

    later(sandboxes)
    sandboxes.procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001-R"})
    before = len(sandboxes.procore.calls)
    hourly = scheduled(link)
    assert hourly.status == SyncRun.Status.SUCCEEDED
    assert sandboxes.procore.calls[before:] == []
    assert "Procore webhooks are on" in hourly.message

    event = pull_record(link_id=link.pk, resource_name="Requisitions", resource_id=company.invoice["id"],
                        project_id=company.project["id"])
    assert event.status == SyncRun.Status.SUCCEEDED, event.errors
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001-R"

    sandboxes.procore.delete_record("vendor", company.owner["id"])
    link.sync_cursors["full_read_at"] = (timezone.now() - timedelta(hours=25)).isoformat()
    link.save()
    daily = scheduled(link)
    assert daily.parameters["full"] is True
    assert Vendor.objects.get(procore_id=company.owner["id"]).removed_in_procore


def test_without_webhooks_the_hourly_pull_reads_each_projects_lists(link, company, sandboxes):
    """PERF-5, SYNC-2: a link without webhooks keeps the hourly incremental read, which does find a change."""
    scheduled(link)
    later(sandboxes)
    sandboxes.procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001-R"})
    before = len(sandboxes.procore.calls)
    scheduled(link)
    assert sandboxes.procore.calls[before:]
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001-R"


def test_tax_codes_and_each_commitment_lines_tax_code_are_read(link, company, sandboxes):
    """BOOK-3: the pull reads Procore's tax codes (GET /rest/v1.0/tax_codes) and each commitment line's
    tax_code_id; a tax code Procore no longer lists is kept, archived."""
    from integration.models import CommitmentLine, TaxCode
    from integration.services.pull import pull_link

    procore = sandboxes.procore
    gst = procore.create_record("tax_code", {"code": "GST", "description": "GST 15%", "rate1": 15.0})
    old = procore.create_record("tax_code", {"code": "OLD", "description": "Retired"})
    contract = procore.get_record("work_order_contract", company.contract["id"])
    procore.update_record("work_order_contract", contract["id"],
                          {"line_items": [{"id": company.line_id, "tax_code_id": gst["id"]}]}, force=True)
    pull_link(link_id=link.pk)
    codes = {c.code: c for c in TaxCode.objects.filter(link=link)}
    assert codes["GST"].procore_id == gst["id"] and codes["GST"].rate == 15 and not codes["OLD"].archived
    assert CommitmentLine.objects.get(procore_id=company.line_id).procore_tax_code_id == gst["id"]

    procore.delete_record("tax_code", old["id"])
    pull_link(link_id=link.pk, full=True)
    assert TaxCode.objects.get(link=link, code="OLD").archived


def test_each_kind_changed_in_procore_is_read_by_the_next_unchanged_cost_pull(link, company, sandboxes):
    """PERF-5, SYNC-1: without webhooks, a change to any mirrored kind in Procore (vendor, project, work
    order and purchase order contract, change order, subcontractor invoice, prime contract, owner
    invoice) is in the connector after the next scheduled incremental pull, and a pull with nothing
    changed reads no record's details."""
    from integration.models import ChangeOrder, Commitment, OwnerInvoice, PrimeContract, Project

    procore = sandboxes.procore
    pid = company.project["id"]
    order = procore.create_record("purchase_order_contract", {
        "project_id": pid, "title": "Rebar supply", "number": "PO-001", "status": "Draft",
        "vendor_id": company.vendor["id"],
        "line_items": [{"description": "Rebar", "amount": "800.00", "cost_code_id": company.cost_code["id"],
                        "line_item_type_id": company.labor["id"]}]})
    scheduled(link)
    later(sandboxes)
    before = len(procore.calls)
    unchanged = scheduled(link)
    assert unchanged.counts["created"] == unchanged.counts["updated"] == 0
    assert not any(path.rstrip("/").split("/")[-1].isdigit() or path.endswith("/line_items")
                   for _, path in procore.calls[before:])  # lists only: no record read again

    later(sandboxes)
    procore.update_record("vendor", company.vendor["id"], {"name": "Kauri Concrete Limited"})
    procore.update_record("project", pid, {"name": "Harbour View Stage 2"})
    procore.update_record("work_order_contract", company.contract["id"], {"title": "Concrete works, stage 2"})
    procore.update_record("purchase_order_contract", order["id"], {"title": "Rebar supply, stage 2"})
    procore.update_record("commitment_change_order", company.change_order["id"], {"title": "Thicker slab, revised"})
    procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001-R"})
    procore.update_record("prime_contract", company.prime["id"], {"title": "Main contract, varied"})
    procore.update_record("payment_application", company.pay_app["id"], {"invoice_number": "HV-OI-1R"})
    later(sandboxes)
    run = scheduled(link)
    assert run.parameters["full"] is False and run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert Vendor.objects.get(procore_id=company.vendor["id"]).name == "Kauri Concrete Limited"
    assert Project.objects.get(procore_id=pid).name == "Harbour View Stage 2"
    assert Commitment.objects.get(procore_id=company.contract["id"]).title == "Concrete works, stage 2"
    assert Commitment.objects.get(procore_id=order["id"]).title == "Rebar supply, stage 2"
    assert ChangeOrder.objects.get(procore_id=company.change_order["id"]).title == "Thicker slab, revised"
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001-R"
    assert PrimeContract.objects.get(procore_id=company.prime["id"]).title == "Main contract, varied"
    assert OwnerInvoice.objects.get(procore_id=company.pay_app["id"]).invoice_number == "HV-OI-1R"


def test_a_project_without_commitments_or_prime_contract_costs_three_calls_and_misses_nothing(
        link, company, sandboxes):
    """PERF-5: change orders and subcontractor invoices belong to a commitment, owner invoices to a prime
    contract; an unchanged project with neither costs its two commitment lists and its prime contract
    list, not six. Once Procore has a commitment with a change order and an invoice, and a prime
    contract with an owner invoice, in it, the next incremental pull reads every one."""
    from integration.models import ChangeOrder, Commitment, OwnerInvoice, PrimeContract

    procore = sandboxes.procore
    quiet = procore.create_record("project", {"name": "Quiet Site", "project_number": "QS-1",
                                              "project_stage_id": company.stage["id"]})
    qid = quiet["id"]
    code = procore.create_record("project_cost_code", {"project_id": qid, "code": "03-300", "name": "Concrete",
                                                       "standard_cost_code_id": company.std["id"]})
    scheduled(link)
    later(sandboxes)
    transport = sandboxes.procore_transport
    before = len(transport.calls)
    scheduled(link)
    quiet = [urlsplit(url).path for _, url in transport.calls[before:]
             if f"project_id={qid}" in url or f"/projects/{qid}/" in url]
    assert sorted(quiet) == ["/rest/v1.0/prime_contracts", "/rest/v1.0/purchase_order_contracts",
                             "/rest/v1.0/work_order_contracts"], quiet

    later(sandboxes)
    contract = procore.create_record("work_order_contract", {
        "project_id": qid, "title": "Footings", "number": "SC-Q1", "status": "Approved", "vendor_id": company.vendor["id"],
        "line_items": [{"description": "Footings", "amount": "3000.00", "cost_code_id": code["id"],
                        "line_item_type_id": company.labor["id"]}]})
    line_id = contract["line_items"][0]["id"]
    change_order = procore.create_record("commitment_change_order", {
        "project_id": qid, "contract_id": contract["id"], "number": "1", "title": "Deeper footings", "status": "draft",
        "line_items": [{"description": "Depth", "amount": "300.00", "cost_code_id": code["id"],
                        "line_item_type_id": company.labor["id"], "commitment_line_item_id": line_id}]})
    invoice = procore.create_record("requisition", {
        "project_id": qid, "commitment_id": contract["id"], "invoice_number": "Q-INV-1", "status": "draft",
        "billing_date": "2026-04-30", "requisition_start": "2026-04-01", "requisition_end": "2026-04-30",
        "items": [{"item_type": "contract_item", "line_item_id": line_id, "work_completed_this_period": "1000.00"}]})
    prime = procore.create_record("prime_contract", {"project_id": qid, "title": "Owner contract", "number": "PC-Q",
                                                     "status": "Approved", "vendor_id": company.owner["id"]})
    pay_app = procore.create_record("payment_application", {
        "project_id": qid, "prime_contract_id": prime["id"], "invoice_number": "Q-OI-1", "status": "draft",
        "billing_date": "2026-04-30", "period_start": "2026-04-01", "period_end": "2026-04-30",
        "total_amount_accrued_this_period": "5000.00"})
    later(sandboxes)
    run = scheduled(link)
    assert run.parameters["full"] is False and run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert Commitment.objects.filter(procore_id=contract["id"]).exists()
    assert ChangeOrder.objects.get(procore_id=change_order["id"]).lines.count() == 1
    assert SubcontractorInvoice.objects.get(procore_id=invoice["id"]).commitment.procore_id == contract["id"]
    assert PrimeContract.objects.filter(procore_id=prime["id"]).exists()
    assert OwnerInvoice.objects.filter(procore_id=pay_app["id"]).exists()


def test_an_owner_invoice_line_takes_the_tax_code_of_the_prime_contract_line_it_bills():
    """BOOK-3: a payment application line names no prime contract line: it takes the tax code of the one
    of its cost code and cost type, and of two such lines the one at its item number; none matching, none."""
    from integration.mapping.from_procore import prime_line_tax_code

    prime = [{"position": 1, "cost_code": {"id": 7}, "line_item_type": {"id": 3}, "tax_code_id": 901},
             {"position": 2, "cost_code": {"id": 8}, "line_item_type": {"id": 3}, "tax_code_id": 902},
             {"position": 3, "cost_code": {"id": 8}, "line_item_type": {"id": 3}, "tax_code_id": 903}]
    line = {"cost_code": {"id": 7}, "line_item_type": {"id": 3}}
    assert prime_line_tax_code(prime, line, 5) == 901
    assert prime_line_tax_code(prime, {**line, "cost_code": {"id": 8}}, 3) == 903
    assert prime_line_tax_code(prime, {**line, "cost_code": {"id": 8}}, 9) is None
    assert prime_line_tax_code(prime, {**line, "cost_code": {"id": 99}}, 1) is None
