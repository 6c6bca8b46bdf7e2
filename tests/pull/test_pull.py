"""The Procore pull (issue 4): into the models, incrementally, with the queue and the run's report."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from integration.models import (
    AuditEvent,
    ChangeOrder,
    Commitment,
    Connection,
    CostItem,
    ErpStatus,
    OwnerInvoice,
    PrimeContract,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.services.pull import pull_link, pull_record
from procore_client.enums import (
    CCO_STATUSES,
    POC_STATUSES,
    REQUISITION_STATUSES,
    WOC_STATUSES,
)
from tests.pull.conftest import later, mark_in_xero

pytestmark = pytest.mark.django_db


def pull(link) -> SyncRun:
    run = pull_link(link_id=link.pk)
    link.refresh_from_db()
    return run


def test_first_pull_lands_every_type(link, company, sandboxes):
    """SYNC-1, PRJ-1, CO-1, CMT-2, INV-2, RPT-4: the first run reads everything into the models."""
    run = pull(link)

    assert run.kind == SyncRun.Kind.PULL and run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert run.counts["failed"] == 0 and run.counts["created"] >= 9 and run.counts["read"] >= 9
    vendor = Vendor.objects.get(link=link, procore_id=company.vendor["id"])
    assert (vendor.name, vendor.address, vendor.city, vendor.zip, vendor.business_phone, vendor.is_active) == (
        "Kauri Concrete Ltd", "4 Wharf Rd", "Auckland", "1010", "+64 9 555 0101", True)
    project = Project.objects.get(link=link, procore_id=company.project["id"])
    assert (project.name, project.project_number, project.stage_name, project.active) == (
        "Harbour View", "HV-101", "Send to Xero", True)
    assert project.cost_code_count == 1 and project.uses_standard_cost_code_list

    item = CostItem.objects.get(link=link)
    assert item.item_code == CostItem.code_for("03-300", "L") and item.description == "Concrete - Labor"
    commitment = Commitment.objects.get(link=link, procore_id=company.contract["id"])
    assert (commitment.kind, commitment.number, commitment.title, commitment.status, commitment.vendor) == (
        Commitment.Kind.SUBCONTRACT, "SC-001", "Concrete works", "Draft", vendor)
    [line] = commitment.lines.all()
    assert (line.procore_id, line.cost_item, line.amount, line.description) == (
        company.line_id, item, Decimal("10000.00"), "Slab")
    assert commitment.grand_total == Decimal("10000.00")

    change_order = ChangeOrder.objects.get(link=link, procore_id=company.change_order["id"])
    assert (change_order.commitment, change_order.status, change_order.grand_total) == (commitment, "draft", Decimal("500.00"))
    [co_line] = change_order.lines.all()
    assert (co_line.commitment_line, co_line.cost_item, co_line.amount) == (line, item, Decimal("500.00"))

    invoice = SubcontractorInvoice.objects.get(link=link, procore_id=company.invoice["id"])
    assert (invoice.commitment, invoice.vendor, invoice.invoice_number, invoice.status) == (
        commitment, vendor, "KC-0001", "draft")
    assert [str(d) for d in (invoice.billing_date, invoice.period_start, invoice.period_end, invoice.payment_date)] == [
        "2026-04-30", "2026-04-01", "2026-04-30", "2026-05-20"]
    [inv_line] = invoice.lines.all()
    assert (inv_line.commitment_line, inv_line.cost_item, inv_line.amount, inv_line.retainage_this_period) == (
        line, item, Decimal("4500.00"), Decimal("400.00"))
    # INV-1: work completed this period + materials stored − retainage retained this period.
    assert (invoice.retainage_this_period, invoice.total) == (Decimal("400.00"), Decimal("4100.00"))

    prime = PrimeContract.objects.get(link=link, procore_id=company.prime["id"])
    assert prime.owner.procore_id == company.owner["id"] and prime.status == "Approved"
    owner_invoice = OwnerInvoice.objects.get(link=link, procore_id=company.pay_app["id"])
    assert (owner_invoice.prime_contract, owner_invoice.invoice_number, owner_invoice.total) == (
        prime, "HV-OI-1", Decimal("20000.00"))

    # SYNC-2: the project qualifies (stage "Send to Xero", a job number, standard cost codes) and is queued.
    assert project.__class__.objects.get(pk=project.pk).erp_status == ErpStatus.READY_TO_EXPORT
    assert AuditEvent.objects.filter(object_id=project.pk, action="send", actor_name="system: procore pull").exists()


def test_second_run_changes_nothing_and_reads_only_what_changed(link, company, sandboxes):
    """PERF-2, SYNC-1: a second run writes nothing and reads no record's details; after one edit in
    Procore, only that record is read again (counted in the sandbox's requests)."""
    calls = sandboxes.procore.calls
    later(sandboxes)
    pull(link)
    assert set(link.sync_cursors) >= {"vendors", "projects", "full_read_at",
                                      f"work_order_contracts@{company.project['id']}",
                                      f"requisitions@{company.project['id']}"}
    audits, snapshot = AuditEvent.objects.count(), list(Commitment.objects.values())

    later(sandboxes)
    start = len(calls)
    run = pull(link)
    second = calls[start:]
    assert run.counts["created"] == run.counts["updated"] == run.counts["failed"] == 0
    for model in ("vendor", "project", "commitment", "changeorder", "subcontractorinvoice"):
        assert model not in run.counts["by_model"], run.counts  # filtered by updated_at: none listed
    assert AuditEvent.objects.count() == audits and list(Commitment.objects.values()) == snapshot
    contract_path = f"/rest/v1.0/work_order_contracts/{company.contract['id']}"
    assert ("GET", contract_path) not in second
    assert not any("/commitment_change_orders/" in path for _, path in second)
    # One request per list, nothing more (no page twice, no details).
    assert len(second) == len(set(second))

    later(sandboxes)
    sandboxes.procore.update_record("work_order_contract", company.contract["id"], {"title": "Concrete works, stage 1"})
    later(sandboxes)
    start = len(calls)
    run = pull(link)
    third = calls[start:]
    assert run.counts["by_model"]["commitment"] == {"updated": 1}
    assert "changeorder" not in run.counts["by_model"] and "subcontractorinvoice" not in run.counts["by_model"]
    assert third.count(("GET", contract_path)) == 1
    assert not any("/commitment_change_orders/" in path for _, path in third)
    assert Commitment.objects.get(procore_id=company.contract["id"]).title == "Concrete works, stage 1"


def _cycle(link, sandboxes, kind, record_id, model, statuses):
    for status in statuses:
        later(sandboxes)
        sandboxes.procore.update_record(kind, record_id, {"status": status})
        later(sandboxes)
        run = pull(link)
        assert not run.errors, run.errors
        assert model.objects.get(link=link, procore_id=record_id).status == status


def test_every_status_maps_faithfully(link, company, sandboxes):
    """SYNC-2, CMT-2, CCO-2, INV-2: every Procore status of commitments (both kinds), change orders and
    requisitions lands as Procore spells it."""
    po = sandboxes.procore.create_record("purchase_order_contract", {
        "project_id": company.project["id"], "title": "Rebar", "number": "PO-001", "vendor_id": company.vendor["id"]})
    link.commitment_sync = False  # nothing is queued: the statuses alone are under test
    link.save()
    pull(link)
    assert Commitment.objects.get(procore_id=po["id"]).kind == Commitment.Kind.PURCHASE_ORDER
    _cycle(link, sandboxes, "work_order_contract", company.contract["id"], Commitment, WOC_STATUSES)
    _cycle(link, sandboxes, "purchase_order_contract", po["id"], Commitment, POC_STATUSES)
    _cycle(link, sandboxes, "commitment_change_order", company.change_order["id"], ChangeOrder, CCO_STATUSES)
    _cycle(link, sandboxes, "requisition", company.invoice["id"], SubcontractorInvoice,
           [s for s in REQUISITION_STATUSES if not s.startswith("approved")])


def test_a_renamed_vendor_updates_and_a_synced_one_goes_to_ready_to_update(link, company, sandboxes):
    """CO-1, SYNC-2: a renamed company updates; once in Xero it goes to ready_to_update, version bumped."""
    pull(link)
    vendor = Vendor.objects.get(procore_id=company.vendor["id"])
    Vendor.objects.filter(pk=vendor.pk).update(erp_status=ErpStatus.SYNCED, xero_id="c0ffee00-0000-0000-0000-000000000001")
    later(sandboxes)
    sandboxes.procore.update_record("vendor", company.vendor["id"], {"name": "Kauri Concrete Group"})
    later(sandboxes)
    run = pull(link)
    vendor.refresh_from_db()
    assert vendor.name == "Kauri Concrete Group"
    assert (vendor.erp_status, vendor.export_version) == (ErpStatus.READY_TO_UPDATE, 2)
    assert run.counts["by_model"]["vendor"]["updated"] == 1 and run.counts["ready_to_update"] == 1
    event = AuditEvent.objects.get(object_id=vendor.pk, action="changed_in_procore")
    assert (event.from_status, event.to_status, event.actor_name) == ("synced", "ready_to_update", "system: procore pull")


def test_an_inactivated_project_is_marked_inactive_and_a_deleted_vendor_removed(link, company, sandboxes):
    """PRJ-2: a project inactivated in Procore is inactive here (never deleted); a vendor gone from
    Procore is marked removed and inactive on the next full read."""
    gone = sandboxes.procore.create_record("vendor", {"name": "Gone Ltd"})
    pull(link)
    later(sandboxes)
    sandboxes.procore.update_record("project", company.project["id"], {"active": False})
    sandboxes.procore.delete_record("vendor", gone["id"])
    later(sandboxes)
    pull(link)
    project = Project.objects.get(procore_id=company.project["id"])
    assert project.active is False and project.removed_in_procore is False
    assert Vendor.objects.get(procore_id=gone["id"]).removed_in_procore is False  # incremental: not seen yet

    run = pull_link(link_id=link.pk, full=True)
    vendor = Vendor.objects.get(procore_id=gone["id"])
    assert vendor.removed_in_procore and not vendor.is_active
    assert run.counts["by_model"]["vendor"]["removed"] == 1
    assert AuditEvent.objects.filter(object_id=vendor.pk, action="removed_in_procore").exists()


def test_a_429_in_the_middle_of_a_paged_read_resumes_and_loses_no_page(link, sandboxes):
    """REL-1, PERF-2: vendors come in pages of 1000; a 429 on page 2 is waited out and page 2 re-read."""
    for n in range(1100):
        sandboxes.procore.create_record("vendor", {"name": f"Vendor {n:04d}"})

    def arm(request, response):
        if "/rest/v1.0/vendors" in request.url and "page=1&" in request.url + "&" and response.status_code == 200:
            sandboxes.procore.fail_next(1, status=429, path_contains="/rest/v1.0/vendors")
            sandboxes.procore_transport.observers.remove(arm)

    sandboxes.procore_transport.observers.append(arm)
    run = pull(link)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert Vendor.objects.filter(link=link).count() == 1100
    assert sandboxes.procore.calls.count(("GET", "/rest/v1.0/vendors")) == 3  # page 1, page 2 (429), page 2


def test_a_bad_record_is_reported_and_the_others_land(link, company, sandboxes):
    """REL-6, RPT-4: a requisition without its commitment and a commitment with an unknown status are
    errors of the run; everything else lands; once fixed, the bad one is read again."""
    procore = sandboxes.procore
    orphan_contract = procore.create_record("work_order_contract", {
        "project_id": company.project["id"], "title": "Formwork", "number": "SC-002", "vendor_id": company.vendor["id"],
        "line_items": [{"amount": "100.00", "cost_code_id": company.cost_code["id"],
                        "line_item_type_id": company.labor["id"]}]})
    orphan = procore.create_record("requisition", {"project_id": company.project["id"],
                                                   "commitment_id": orphan_contract["id"], "invoice_number": "F-1"})
    procore.delete_record("work_order_contract", orphan_contract["id"])
    weird = procore.create_record("purchase_order_contract", {
        "project_id": company.project["id"], "title": "Pumps", "number": "PO-009", "vendor_id": company.vendor["id"]})
    procore.store.records["purchase_order_contract"][weird["id"]]["status"] = "Awaiting Finance"
    later(sandboxes)

    run = pull(link)
    assert run.status == SyncRun.Status.PARTIAL
    by_id = {e["id"]: e for e in run.errors}
    assert by_id[orphan["id"]]["model"] == "subcontractorinvoice"
    assert "commitment" in by_id[orphan["id"]]["message"] and "F-1" in by_id[orphan["id"]]["label"]
    assert by_id[weird["id"]]["model"] == "commitment"
    assert "unknown commitment status 'Awaiting Finance'" in by_id[weird["id"]]["message"]
    assert run.counts["failed"] == 2
    assert not SubcontractorInvoice.objects.filter(procore_id=orphan["id"]).exists()
    assert not Commitment.objects.filter(procore_id=weird["id"]).exists()
    assert SubcontractorInvoice.objects.filter(procore_id=company.invoice["id"]).exists()
    assert Commitment.objects.filter(procore_id=company.contract["id"]).exists()

    # Fixed in Procore (an hour later): the held-back cursor reads it again.
    later(sandboxes)
    procore.store.records["purchase_order_contract"][weird["id"]]["status"] = "Draft"
    later(sandboxes)
    run = pull(link)
    assert Commitment.objects.get(procore_id=weird["id"]).status == "Draft"
    assert [e["id"] for e in run.errors] == [orphan["id"]]


def test_malformed_values_never_raise(link, company, sandboxes):
    """REL-6: a value of the wrong shape is one error; the run finishes."""
    sandboxes.procore.store.records["work_order_contract"][company.contract["id"]]["accounting_method"] = "barter"
    run = pull(link)
    assert run.status == SyncRun.Status.PARTIAL
    assert any("accounting method" in e["message"] for e in run.errors)
    assert Vendor.objects.filter(link=link).count() == 2


def _approve_everything(sandboxes, company):
    procore = sandboxes.procore
    procore.update_record("work_order_contract", company.contract["id"], {"status": "Approved"})
    procore.update_record("commitment_change_order", company.change_order["id"], {"status": "approved"})
    procore.update_record("requisition", company.invoice["id"], {"status": "approved"})
    procore.update_record("payment_application", company.pay_app["id"], {"status": "approved"})


def test_qualifying_records_are_queued_and_refusals_reported(link, company, sandboxes):
    """SYNC-2, CMT-2, CCO-2, INV-2: approved records enter the queue (as the system); one that fails
    its rules stays not_sent and its reasons are in the run's errors, once."""
    pull(link)
    mark_in_xero(link)
    later(sandboxes)
    _approve_everything(sandboxes, company)
    later(sandboxes)
    run = pull(link)

    commitment = Commitment.objects.get(procore_id=company.contract["id"])
    invoice = SubcontractorInvoice.objects.get(procore_id=company.invoice["id"])
    change_order = ChangeOrder.objects.get(procore_id=company.change_order["id"])
    owner_invoice = OwnerInvoice.objects.get(procore_id=company.pay_app["id"])
    assert commitment.erp_status == ErpStatus.READY_TO_EXPORT
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    # The change order needs its commitment in Xero first (CCO-2): refused, reported, left not_sent.
    assert change_order.erp_status == ErpStatus.NOT_SENT and "not yet a Xero purchase order" in change_order.erp_message
    assert owner_invoice.erp_status == ErpStatus.NOT_SENT
    reported = {(e["model"], e["id"]) for e in run.errors}
    assert ("changeorder", change_order.procore_id) in reported and ("ownerinvoice", owner_invoice.procore_id) in reported
    assert run.counts["queued"] == 2
    send = AuditEvent.objects.get(object_id=commitment.pk, action="send", content_type__model="commitment")
    assert send.actor_name == "system: procore pull" and send.to_status == ErpStatus.READY_TO_EXPORT

    later(sandboxes)
    run = pull(link)
    assert run.errors == []  # the same reasons are not reported again
    assert run.counts["not_queued"] == 2

    Commitment.objects.filter(pk=commitment.pk).update(erp_status=ErpStatus.SYNCED, xero_id="00000000-0000-0000-0000-0000000000cc")
    run = pull(link)
    assert ChangeOrder.objects.get(pk=change_order.pk).erp_status == ErpStatus.READY_TO_EXPORT


def test_commitments_are_not_queued_when_commitment_sync_is_off(link, company, sandboxes):
    """CMT-2: commitment sync is a setting; when off, commitments are never queued."""
    link.commitment_sync = False
    link.save()
    pull(link)
    mark_in_xero(link)
    later(sandboxes)
    _approve_everything(sandboxes, company)
    later(sandboxes)
    pull(link)
    assert Commitment.objects.get(procore_id=company.contract["id"]).erp_status == ErpStatus.NOT_SENT
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).erp_status == ErpStatus.READY_TO_EXPORT


def test_a_project_outside_the_stage_or_without_a_job_number_is_not_queued(link, company, sandboxes):
    """SYNC-2, PRJ-1: only projects in the configured stage with a job number qualify."""
    other = sandboxes.procore.create_record("project", {"name": "Depot", "project_number": "",
                                                        "project_stage_id": company.stage["id"]})
    planning = sandboxes.procore.create_record("project", {"name": "Tower", "project_number": "TW-1",
                                                           "project_stage_id": company.other_stage["id"]})
    pull(link)
    assert Project.objects.get(procore_id=other["id"]).erp_status == ErpStatus.NOT_SENT
    assert Project.objects.get(procore_id=planning["id"]).erp_status == ErpStatus.NOT_SENT
    later(sandboxes)
    sandboxes.procore.update_record("project", planning["id"], {"project_stage_id": company.stage["id"]})
    sandboxes.procore.create_record("project_cost_code", {"project_id": planning["id"], "code": "03-300",
                                                          "name": "Concrete", "standard_cost_code_id": company.std["id"]})
    later(sandboxes)
    pull(link)
    tower = Project.objects.get(procore_id=planning["id"])
    assert (tower.stage_name, tower.cost_code_count, tower.erp_status) == ("Send to Xero", 1, ErpStatus.READY_TO_EXPORT)


def test_a_synced_record_changed_in_procore_goes_to_ready_to_update(link, company, sandboxes):
    """SYNC-2, SYNC-1: content changes move a synced record to ready_to_update with a new export version;
    a change of Procore's timestamp alone (our own origin_id write) does not."""
    pull(link)
    Commitment.objects.filter(procore_id=company.contract["id"]).update(
        erp_status=ErpStatus.SYNCED, xero_id="00000000-0000-0000-0000-0000000000dd")
    later(sandboxes)
    sandboxes.procore.update_record("work_order_contract", company.contract["id"],
                                    {"origin_id": "00000000-0000-0000-0000-0000000000dd"})
    later(sandboxes)
    pull(link)
    commitment = Commitment.objects.get(procore_id=company.contract["id"])
    assert (commitment.erp_status, commitment.export_version) == (ErpStatus.SYNCED, 1)

    later(sandboxes)
    sandboxes.procore.update_record("work_order_contract", company.contract["id"], {
        "line_items": [{"id": company.line_id, "amount": "12000.00"}]})
    later(sandboxes)
    run = pull(link)
    commitment.refresh_from_db()
    assert (commitment.erp_status, commitment.export_version) == (ErpStatus.READY_TO_UPDATE, 2)
    assert commitment.lines.get().amount == Decimal("12000.00")
    assert run.counts["by_model"]["commitment"]["ready_to_update"] == 1
    event = AuditEvent.objects.get(object_id=commitment.pk, content_type__model="commitment",
                                   action="changed_in_procore")
    assert "lines" in event.message


def test_an_invalid_grant_marks_the_connection_and_fails_the_run(link, company, sandboxes):
    """CONN-3, REL-6: a dead refresh token fails the run cleanly and the link needs a reconnect."""
    conn = Connection.objects.get(link=link, provider=Connection.Provider.PROCORE)
    sandboxes.procore.refresh_tokens.clear()
    sandboxes.procore.expire_token(conn.access_token)
    Connection.objects.filter(pk=conn.pk).update(expires_at=sandboxes.clock.now())
    run = pull(link)
    assert run.status == SyncRun.Status.FAILED and "reconnect" in run.message
    conn.refresh_from_db()
    assert conn.status == Connection.Status.NEEDS_RECONNECT
    assert not Vendor.objects.filter(link=link).exists()


def test_pull_record_reads_one_record_and_marks_a_deleted_one_removed(link, company, sandboxes):
    """SYNC-2 (webhooks): one record re-read by its resource name; a 404 marks it removed, never deleted."""
    pull(link)
    later(sandboxes)
    sandboxes.procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001A"})
    run = pull_record(link_id=link.pk, resource_name="Requisitions", resource_id=company.invoice["id"],
                      project_id=company.project["id"])
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors)
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001A"

    sandboxes.procore.delete_record("commitment_change_order", company.change_order["id"])
    pull_record(link_id=link.pk, resource_name="Commitment Change Orders", resource_id=company.change_order["id"])
    change_order = ChangeOrder.objects.get(procore_id=company.change_order["id"])
    assert change_order.removed_in_procore


def test_sync_procore_command_prints_its_counts(link, company, sandboxes):
    """RPT-4: `manage.py sync procore --link ID` runs the pull and prints its counts and errors."""
    sandboxes.procore.store.records["work_order_contract"][company.contract["id"]]["status"] = "Half Done"
    out = StringIO()
    call_command("sync", "procore", "--link", str(link.pk), stdout=out)
    text = out.getvalue()
    assert f"(link {link.pk}): Procore pull" in text
    # The commitment fails; with no commitment in the project its change orders and invoices cannot be
    # stored, so their lists wait (unread, cursors kept) until it is (PERF-5).
    assert "read 9, created 8, updated 0, skipped 0, failed 1" in text
    assert "unknown commitment status 'Half Done'" in text
    assert SyncRun.objects.get(link=link).trigger == SyncRun.Trigger.COMMAND
