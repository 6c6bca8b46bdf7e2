"""Export to Xero: every accepted record becomes exactly one correct Xero document (SYNC-8, REL-3)."""

import math
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from integration.models import AuditEvent, ErpStatus, SubcontractorInvoice, SyncRun
from integration.services import queue
from integration.services.connections import xero_client_for
from integration.services.export import export_link
from tests.factories import (
    ChangeOrderFactory,
    ChangeOrderLineFactory,
    CostItemFactory,
    OwnerInvoiceFactory,
    PrimeContractFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def bills(sandboxes):
    return [i for i in sandboxes.xero.books().invoices.values() if i["Type"] == "ACCPAY"]


def run_export(link):
    run = export_link(link_id=link.pk)
    assert run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL), run.message
    return run


def test_dependencies_become_items_options_and_contacts(world, sandboxes):
    """WBS-1, WBS-3, PRJ-1, CO-1: cost items → Items with the default accounts, the project → an option of
    the Project tracking category, companies → contacts with their Procore id as ContactNumber."""
    run = run_export(world.link)
    assert run.counts["created"] == 6 and run.errors == []
    client = xero_client_for(world.link)
    item = {i["Code"]: i for i in client.list_items()}["03-300.L"]
    assert item["Name"] == "Concrete - Labor"
    assert item["PurchaseDetails"]["AccountCode"] == world.link.default_purchase_account
    assert item["SalesDetails"]["AccountCode"] == world.link.default_sales_account
    [category] = [c for c in client.list_tracking_categories() if c["Name"] == "Project"]
    assert [o["Name"] for o in category["Options"]] == ["HV-101 Harbour View"]
    world.vendors[0].refresh_from_db()
    contact = client.get_contact(world.vendors[0].xero_id)
    assert contact["Name"] == "Kauri Concrete 0" and contact["ContactNumber"] == str(world.vendors[0].procore_id)
    # Procore shows them synced: origin_id = the Xero id (SYNC-6)
    procore = sandboxes.procore.get_record("vendor", world.vendors[0].procore_id)
    assert procore["origin_id"] == world.vendors[0].xero_id
    world.vendors[0].refresh_from_db()
    assert world.vendors[0].locked and not world.vendors[0].writeback_pending


def test_subcontractor_invoice_becomes_one_bill_field_by_field(world, sandboxes):
    """INV-1: contact, dates, number, lines, project tracking, retainage line, Url; origin_id in Procore."""
    invoice = world.invoice(invoice_number="KC-1001", amount="1000.00", retainage_this_period=Decimal("50.00"))
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED and invoice.xero_id
    bill = xero_client_for(world.link).get_invoice(invoice.xero_id)
    assert (bill["Type"], bill["InvoiceNumber"], bill["Status"]) == ("ACCPAY", "KC-1001", "AUTHORISED")
    assert bill["Contact"]["ContactID"] == invoice.vendor.xero_id
    assert (bill["Date"].isoformat(), bill["DueDate"].isoformat()) == ("2026-10-31", "2026-11-30")
    work, retainage = bill["LineItems"]
    assert (work["ItemCode"], work["LineAmount"]) == ("03-300.L", Decimal("1000.00"))
    assert work["Tracking"][0]["Name"] == "Project" and work["Tracking"][0]["Option"] == "HV-101 Harbour View"
    assert (retainage["ItemCode"], retainage["LineAmount"]) == (world.link.retainage_item_code, Decimal("-50.00"))
    assert bill["SubTotal"] == Decimal("950.00")
    assert str(invoice.procore_id) in bill["Url"]
    assert sandboxes.procore.get_record("requisition", invoice.procore_id)["origin_id"] == invoice.xero_id
    event = AuditEvent.objects.get(object_id=invoice.pk, content_type__model="subcontractorinvoice", action="export_succeeded")
    assert event.payload["InvoiceNumber"] == "KC-1001" and event.response["InvoiceID"] == invoice.xero_id


def test_commitment_and_change_order_become_one_purchase_order(world):
    """CMT-1, CCO-1: the PO with its lines; the change order's lines appended below, summed per line."""
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(number="SC-100", title="Formwork", ship_via="Truck", erp_status=ErpStatus.EXPORTING, xero_id="")
    run_export(world.link)
    commitment.refresh_from_db()
    client = xero_client_for(world.link)
    po = client.get_purchase_order(commitment.xero_id)
    assert (po["PurchaseOrderNumber"], po["Reference"], po["DeliveryInstructions"]) == ("SC-100", "Formwork", "Truck")
    assert [(li["ItemCode"], li["UnitAmount"]) for li in po["LineItems"]] == [("03-300.L", Decimal("10000.00"))]
    co = ChangeOrderFactory(link=world.link, commitment=commitment, project=world.project, number="001", lines=0, erp_status=ErpStatus.EXPORTING)
    base = commitment.lines.get()
    ChangeOrderLineFactory(change_order=co, commitment_line=base, cost_item=world.items[0], amount=Decimal("400"), description="Extra slab")
    ChangeOrderLineFactory(change_order=co, commitment_line=base, cost_item=world.items[0], amount=Decimal("100"), description="Extra slab")
    run_export(world.link)
    lines = client.get_purchase_order(commitment.xero_id)["LineItems"]
    assert [(li["Description"], li["UnitAmount"]) for li in lines] == [
        ("Foundations", Decimal("10000.00")), ("CO 001: Extra slab", Decimal("500.00"))]
    co.refresh_from_db()
    assert co.erp_status == ErpStatus.SYNCED and co.xero_id == commitment.xero_id
    co.erp_status, co.idempotency_key = ErpStatus.EXPORTING, "pxc-replayed"  # a replayed accept never appends twice
    co.save()
    run_export(world.link)
    assert len(client.get_purchase_order(commitment.xero_id)["LineItems"]) == 2


def test_owner_invoice_becomes_a_sales_invoice(world):
    """INV-5: a progress claim → ACCREC to the owner."""
    owner = world.vendors[2]
    prime = PrimeContractFactory(link=world.link, project=world.project, owner=owner)
    invoice = OwnerInvoiceFactory(link=world.link, prime_contract=prime, project=world.project, invoice_number="PA-001",
                                  lines=0, erp_status=ErpStatus.EXPORTING)
    from tests.factories import OwnerInvoiceLineFactory

    OwnerInvoiceLineFactory(invoice=invoice, cost_item=world.items[1], amount=Decimal("25000.00"))
    run_export(world.link)
    invoice.refresh_from_db()
    sale = xero_client_for(world.link).get_invoice(invoice.xero_id)
    assert (sale["Type"], sale["InvoiceNumber"], sale["SubTotal"]) == ("ACCREC", "PA-001", Decimal("25000.00"))
    owner.refresh_from_db()
    assert sale["Contact"]["ContactID"] == owner.xero_id


def test_tracking_mode_exports_cost_codes_as_options(world):
    """WBS-6: cost codes as options of a second 'Cost Codes' category; bills tracked by both."""
    world.link.cost_code_export_mode = "tracking"
    world.link.save()
    invoice = world.invoice()
    run_export(world.link)
    client = xero_client_for(world.link)
    names = {c["Name"]: [o["Name"] for o in c["Options"]] for c in client.list_tracking_categories()}
    assert "03-300.L Concrete - Labor" in names["Cost Codes"]
    invoice.refresh_from_db()
    [line] = client.get_invoice(invoice.xero_id)["LineItems"]
    assert sorted(t["Name"] for t in line["Tracking"]) == ["Cost Codes", "Project"]


def test_a_batch_with_one_invalid_bill_exports_the_other_49(world, sandboxes):
    """REL-3: 50 bills in one call with summarizeErrors=false; the one Xero refuses fails with Xero's message."""
    run_export(world.link)  # dependencies first
    ghost = CostItemFactory(link=world.link, item_code="99-999.X", xero_id="11111111-1111-1111-1111-111111111111")
    invoices = [world.invoice(invoice_number=f"B-{i:03d}") for i in range(49)]
    bad = world.invoice(invoice_number="B-BAD", item=ghost)
    before = sandboxes.xero.calls_to("PUT", "/Invoices")
    run = run_export(world.link)
    assert sandboxes.xero.calls_to("PUT", "/Invoices") - before == 1
    assert SubcontractorInvoice.objects.filter(pk__in=[i.pk for i in invoices], erp_status=ErpStatus.SYNCED).count() == 49
    bad.refresh_from_db()
    assert bad.erp_status == ErpStatus.FAILED and "99-999.X" in bad.erp_message
    assert run.counts["failed"] == 1 and len(bills(sandboxes)) == 49


def test_exporting_500_bills_takes_a_dozen_calls_to_the_bill_endpoint(world, sandboxes):
    """PERF-1: at most ceil(N/50) + 5 calls to the bill endpoint for N bills (counted in the sandbox)."""
    run_export(world.link)
    commitments = [world.commitment(vendor=v, erp_status=ErpStatus.NOT_SENT) for v in world.vendors]
    for i in range(500):
        world.invoice(commitment=commitments[i % 3], invoice_number=f"P-{i:04d}")
    before = sandboxes.xero.calls_to("", "/Invoices")
    run_export(world.link)
    calls = sandboxes.xero.calls_to("", "/Invoices") - before
    assert SubcontractorInvoice.objects.filter(erp_status=ErpStatus.SYNCED).count() == 500
    assert calls <= math.ceil(500 / 50) + 5, calls


def test_dropped_answer_after_a_committed_write_creates_no_second_bill(world, sandboxes):
    """SYNC-8, REL-2: the write was committed, the answer lost; the retry replays, nothing is duplicated."""
    run_export(world.link)
    invoice = world.invoice()
    sandboxes.xero.fail_next(1, drop=True, method="PUT", path_contains="/Invoices")
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED
    assert len(bills(sandboxes)) == 1


def test_a_500_and_a_429_storm_end_with_each_bill_once(world, sandboxes):
    """REL-1, REL-2: transient faults retried with backoff, 429s wait Retry-After; every write done once."""
    run_export(world.link)
    invoices = [world.invoice(invoice_number=f"S-{i}") for i in range(60)]
    sandboxes.xero.fail_next(1, status=500, method="PUT", path_contains="/Invoices")
    sandboxes.xero.fail_next(8, status=429)
    run_export(world.link)
    assert SubcontractorInvoice.objects.filter(pk__in=[i.pk for i in invoices], erp_status=ErpStatus.SYNCED).count() == 60
    assert len(bills(sandboxes)) == 60


def test_worker_killed_between_the_call_and_the_save(world, sandboxes, monkeypatch):
    """SYNC-8: a crash after Xero created the bill; the next run finds it instead of creating another."""
    from integration.services import export as export_module

    run_export(world.link)
    invoice = world.invoice()

    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(export_module.Exporter, "_invoice_created", crash)
        with pytest.raises(KeyboardInterrupt):
            export_link(link_id=world.link.pk)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.EXPORTING and invoice.idempotency_key
    SubcontractorInvoice.objects.filter(pk=invoice.pk).update(export_claimed_until=None)  # the lease has lapsed
    sandboxes.clock.advance(3600)
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED
    assert len(bills(sandboxes)) == 1


def test_duplicate_bill_is_not_created_and_the_approver_sees_the_existing_one(world, sandboxes):
    """INV-4: same contact, invoice number and total already in Xero → no second bill, a clear reason."""
    run_export(world.link)
    invoice = world.invoice(invoice_number="DUP-1", amount="777.00")
    invoice.vendor.refresh_from_db()
    client = xero_client_for(world.link)
    [existing] = client.create_invoices([{
        "Type": "ACCPAY", "Contact": {"ContactID": invoice.vendor.xero_id}, "InvoiceNumber": "DUP-1", "Status": "AUTHORISED",
        "Date": "2026-10-01", "DueDate": "2026-10-31",
        "LineItems": [{"Description": "Entered by hand", "Quantity": 1, "UnitAmount": Decimal("777.00"), "AccountCode": "310"}],
    }], idempotency_key="accountant-1")
    assert existing.ok, existing.errors
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.FAILED
    assert "Duplicate guard" in invoice.erp_message and existing.id in invoice.erp_message
    assert len(bills(sandboxes)) == 1


def test_daily_limit_defers_the_export_and_says_when(world, sandboxes):
    """REL-1: a spent daily limit defers the batch to Xero's time, shown on the run; nothing dropped."""
    from django_q.models import Schedule

    run_export(world.link)
    invoice = world.invoice()
    sandboxes.xero.fail_next(1, status=429, problem="day", retry_after=7200)
    run = export_link(link_id=world.link.pk)
    assert run.status == SyncRun.Status.DEFERRED and run.deferred_until is not None
    assert "daily call limit" in run.message
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.EXPORTING and invoice.retry_after == run.deferred_until
    assert Schedule.objects.get(name=f"export-retry-link-{world.link.pk}").next_run == run.deferred_until


def test_update_of_a_paid_bill_fails_with_a_clear_reason(world, sandboxes):
    """SYNC-8 updates: an exported bill that changed is updated; once paid, Xero refuses and we say why."""
    run_export(world.link)
    invoice = world.invoice(invoice_number="UPD-1")
    run_export(world.link)
    invoice.refresh_from_db()
    client = xero_client_for(world.link)
    SubcontractorInvoice.objects.filter(pk=invoice.pk).update(invoice_number="UPD-1A", erp_status=ErpStatus.EXPORTING)
    run_export(world.link)
    assert client.get_invoice(invoice.xero_id)["InvoiceNumber"] == "UPD-1A"
    accounts = client.list_accounts()
    bank = next(a for a in accounts if a.get("Type") == "BANK")
    [paid] = client.create_payments([{"Invoice": {"InvoiceID": invoice.xero_id}, "Account": {"AccountID": bank["AccountID"]},
                                      "Date": "2026-11-05", "Amount": Decimal("1000.00")}], idempotency_key="pay-1")
    assert paid.ok, paid.errors
    SubcontractorInvoice.objects.filter(pk=invoice.pk).update(invoice_number="UPD-1B", erp_status=ErpStatus.EXPORTING, idempotency_key="")
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.FAILED and "Xero refused it" in invoice.erp_message
    assert client.get_invoice(invoice.xero_id)["InvoiceNumber"] == "UPD-1A"


def test_unlink_only_after_the_bill_is_voided_in_xero(world, sandboxes):
    """SYNC-7: unlink is refused while the bill is live, allowed once voided; origin_id cleared in Procore."""
    admin = UserFactory(username="erpadmin", role="ERP Admin")
    invoice = world.invoice()
    run_export(world.link)
    invoice.refresh_from_db()
    with pytest.raises(queue.TransitionRefused, match="still authorised"):
        queue.record_unlink(record=invoice, actor=admin)
    client = xero_client_for(world.link)
    client.update_invoices([{"InvoiceID": invoice.xero_id, "Status": "VOIDED"}], idempotency_key="void-1")
    queue.record_unlink(record=invoice, actor=admin)
    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.xero_id) == (ErpStatus.UNLINKED, "")
    assert sandboxes.procore.get_record("requisition", invoice.procore_id)["origin_id"] is None


def test_lock_and_unlock_clear_and_restore_origin_id_in_procore(world, sandboxes):
    """SYNC-6: unlock clears origin_id in Procore so the record can be edited there; lock restores it."""
    admin = UserFactory(username="erpadmin2", role="ERP Admin")
    run_export(world.link)
    vendor = world.vendors[0]
    vendor.refresh_from_db()
    queue.record_unlock(record=vendor, actor=admin)
    assert sandboxes.procore.get_record("vendor", vendor.procore_id)["origin_id"] is None
    queue.record_lock(record=vendor, actor=admin)
    assert sandboxes.procore.get_record("vendor", vendor.procore_id)["origin_id"] == vendor.xero_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need PostgreSQL's row locks (SQLite has none)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_exporting_the_same_queue(world, sandboxes):
    """REL-5, SYNC-8: two workers on PostgreSQL share the queue; each bill is exported exactly once."""
    run_export(world.link)
    invoices = [world.invoice(invoice_number=f"W-{i:03d}") for i in range(120)]
    errors = []

    def worker():
        try:
            export_link(link_id=world.link.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert SubcontractorInvoice.objects.filter(pk__in=[i.pk for i in invoices], erp_status=ErpStatus.SYNCED).count() == 120
    numbers = [b["InvoiceNumber"] for b in bills(sandboxes)]
    assert len(numbers) == len(set(numbers)) == 120


def test_sync_export_command_exports_what_is_accepted(world, capsys):
    """SYNC-8: `python manage.py sync export --link ID` exports what is accepted now and prints the counts."""
    from django.core.management import call_command

    invoice = world.invoice(invoice_number="CMD-1")
    call_command("sync", "export", "--link", str(world.link.pk))
    out = capsys.readouterr().out
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED
    assert "created" in out


def test_approver_links_the_existing_bill_instead_of_creating_one(world, sandboxes):
    """INV-4: after the duplicate guard, the approver decides the existing bill is this invoice and links it."""
    approver = UserFactory(username="approver-link", role="Accounting Approver")
    run_export(world.link)
    invoice = world.invoice(invoice_number="DUP-2", amount="500.00")
    invoice.vendor.refresh_from_db()
    client = xero_client_for(world.link)
    [existing] = client.create_invoices([{
        "Type": "ACCPAY", "Contact": {"ContactID": invoice.vendor.xero_id}, "InvoiceNumber": "DUP-2", "Status": "AUTHORISED",
        "LineItems": [{"Description": "By hand", "Quantity": 1, "UnitAmount": Decimal("500.00"), "AccountCode": "310"}],
    }], idempotency_key="accountant-2")
    run_export(world.link)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.FAILED
    with pytest.raises(queue.TransitionRefused, match="no such document"):
        queue.record_link_existing(record=invoice, actor=approver, xero_id="22222222-2222-2222-2222-222222222222")
    queue.record_link_existing(record=invoice, actor=approver, xero_id=existing.id)
    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.xero_id) == (ErpStatus.SYNCED, existing.id)
    run_export(world.link)  # writes origin_id in Procore
    assert sandboxes.procore.get_record("requisition", invoice.procore_id)["origin_id"] == existing.id
    assert len(bills(sandboxes)) == 1


def test_inactive_linked_project_is_archived_and_restored(world, sandboxes):
    """PRJ-2: a project that becomes inactive has its option archived; reactivated, restored."""
    run_export(world.link)
    project = world.project
    project.refresh_from_db()
    client = xero_client_for(world.link)

    def option_status():
        [category] = [c for c in client.list_tracking_categories() if c["Name"] == "Project"]
        return {o["TrackingOptionID"]: o["Status"] for o in category["Options"]}[project.xero_id]

    type(project).objects.filter(pk=project.pk).update(active=False)
    run_export(world.link)
    assert option_status() == "ARCHIVED"
    type(project).objects.filter(pk=project.pk).update(active=True)
    run_export(world.link)
    assert option_status() == "ACTIVE"


def test_equal_progress_claims_on_one_purchase_order_are_not_duplicates(world, sandboxes):
    """INV-1, INV-4: with commitment sync on, bills carry the PO number; two equal claims on one PO are
    told apart by their Url back to Procore, so neither is taken for a duplicate."""
    world.link.commitment_sync = True
    world.link.save()
    run_export(world.link)
    commitment = world.commitment(erp_status=ErpStatus.NOT_SENT)
    first = world.invoice(commitment=commitment, invoice_number="CLAIM-1", amount="2500.00")
    run_export(world.link)
    second = world.invoice(commitment=commitment, invoice_number="CLAIM-2", amount="2500.00")
    run_export(world.link)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.erp_status == second.erp_status == ErpStatus.SYNCED and first.xero_id != second.xero_id
    assert [b["InvoiceNumber"] for b in bills(sandboxes)] == [commitment.number, commitment.number]


def test_a_run_whose_worker_died_is_closed_when_the_next_one_starts(world):
    """RPT-4: a run left 'running' by a killed worker shows as failed, with why, once another starts."""
    from datetime import timedelta

    from django.utils import timezone

    dead = SyncRun.objects.create(link=world.link, kind=SyncRun.Kind.EXPORT, status=SyncRun.Status.RUNNING)
    SyncRun.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    run_export(world.link)
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and "stopped without finishing" in dead.message


def test_refreshed_project_goes_to_ready_to_update_and_is_re_exported(world, sandboxes):
    """PRJ-3: refreshing the cost codes of a project already in Xero reads them from Procore, moves the
    project to ready_to_update, and an approver's accept re-exports it."""
    admin = UserFactory(username="erp-prj3", role="ERP Admin")
    approver = UserFactory(username="approver-prj3", role="Accounting Approver")
    run_export(world.link)
    project = world.project
    project.refresh_from_db()
    standard = sandboxes.procore.create_record("standard_cost_code_list", {"name": "Xero Standard Cost Code List"})
    for item in world.items:  # the project's cost codes, from the company's standard list
        code = sandboxes.procore.create_record("standard_cost_code", {
            "standard_cost_code_list_id": standard["id"], "code": item.cost_code.code, "name": item.cost_code.name})
        type(item.cost_code).objects.filter(pk=item.cost_code.pk).update(procore_id=code["id"])
        sandboxes.procore.create_record("project_cost_code", {
            "project_id": project.procore_id, "code": item.cost_code.code, "name": item.cost_code.name,
            "standard_cost_code_id": code["id"]})
    from integration.services.projects import project_refresh_cost_codes

    run = project_refresh_cost_codes(project=project, actor=admin)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors)
    project.refresh_from_db()
    assert (project.erp_status, project.cost_code_count) == (ErpStatus.READY_TO_UPDATE, 2)
    queue.record_accept(record=project, actor=approver)
    run_export(world.link)
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.SYNCED
    with pytest.raises(PermissionDenied):
        project_refresh_cost_codes(project=project, actor=UserFactory(username="pm-prj3", role="Standard"))


def test_the_links_settings_shape_what_xero_receives(world, sandboxes):
    """CONN-4: the link's tracking category name and retainage Item are the ones Xero receives."""
    world.link.project_tracking_category = "Job"
    world.link.retainage_item_code = "RET-HOLD"
    world.link.save()
    invoice = world.invoice(retainage_this_period=Decimal("25.00"))
    run_export(world.link)
    invoice.refresh_from_db()
    client = xero_client_for(world.link)
    assert [c["Name"] for c in client.list_tracking_categories()] == ["Job"]
    work, retainage = client.get_invoice(invoice.xero_id)["LineItems"]
    assert work["Tracking"][0]["Name"] == "Job" and retainage["ItemCode"] == "RET-HOLD"
    assert "RET-HOLD" in {i["Code"] for i in client.list_items()}


def test_a_renamed_company_and_item_update_xero(world):
    """CO-1, WBS-3: a synced company renamed in Procore, and a cost code whose description changed,
    come back for approval and, accepted, update their Xero contact and Item in place."""
    approver = UserFactory(username="approver-rename", role="Accounting Approver")
    run_export(world.link)
    vendor, item = world.vendors[1], world.items[0]
    vendor.refresh_from_db()
    item.refresh_from_db()
    type(vendor).objects.filter(pk=vendor.pk).update(name="Kauri Concrete (NZ) Ltd", erp_status=ErpStatus.READY_TO_UPDATE)
    type(item).objects.filter(pk=item.pk).update(description="Concrete - Site labour", erp_status=ErpStatus.READY_TO_UPDATE)
    vendor.refresh_from_db()
    item.refresh_from_db()
    queue.records_accept(records=[vendor, item], actor=approver)
    run = run_export(world.link)
    assert run.counts["updated"] == 2, run.errors
    client = xero_client_for(world.link)
    assert client.get_contact(vendor.xero_id)["Name"] == "Kauri Concrete (NZ) Ltd"
    xero_item = {i["ItemID"]: i for i in client.list_items()}[item.xero_id]
    assert (xero_item["Code"], xero_item["Name"]) == ("03-300.L", "Concrete - Site labour")
    assert len(client.list_items()) == 2
