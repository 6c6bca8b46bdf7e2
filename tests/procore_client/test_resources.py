"""Typed resources against the sandbox: origin_id rules, locks, sync batches, financial records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procore_client.errors import NotFound, Unprocessable
from procore_client.sandbox import ValidationFailed


@pytest.fixture
def world(procore_sandbox):
    """A project in the "Send to Xero" stage with a vendor, cost codes and an approved subcontract."""
    sb = procore_sandbox
    stage = sb.create_record("project_stage", {"name": "Send to Xero", "category": "course_of_construction"})
    project = sb.create_record("project", {"name": "Harbour Bridge", "project_number": "J-100",
                                           "project_stage_id": stage["id"]})
    vendor = sb.create_record("vendor", {"name": "Acme Steel"})
    scl = sb.create_record("standard_cost_code_list", {"name": "Standard"})
    scc = sb.create_record("standard_cost_code", {"standard_cost_code_list_id": scl["id"], "code": "05-100",
                                                  "name": "Steel"})
    lit = sb.create_record("line_item_type", {"name": "Subcontract", "code": "S", "base_type": "commitment"})
    cc = sb.create_record("project_cost_code", {"project_id": project["id"], "code": "05-100", "name": "Steel",
                                                "standard_cost_code_id": scc["id"]})
    woc = sb.create_record("work_order_contract", {
        "project_id": project["id"], "title": "Structural steel", "number": "SC-001", "vendor_id": vendor["id"],
        "status": "Approved", "retainage_percent": "5",
        "line_items": [{"amount": "10000.00", "description": "Beams", "cost_code_id": cc["id"],
                        "line_item_type_id": lit["id"]},
                       {"quantity": "2", "unit_cost": "250.50", "description": "Bolts", "cost_code_id": cc["id"],
                        "line_item_type_id": lit["id"]}]})
    return {"stage": stage, "project": project, "vendor": vendor, "scl": scl, "scc": scc, "lit": lit, "cc": cc,
            "woc": woc}


def test_fresh_sandbox_holds_one_company_and_nothing_else(procore_sandbox):
    """FID-2: a fresh Procore sandbox holds one company and no records, hooks or triggers, so every test
    starts from a known Procore."""
    state = procore_sandbox.state()
    assert state["company"]["id"] == procore_sandbox.company_id
    assert all(records == [] for records in state["records"].values())
    assert state["hooks"] == [] and state["triggers"] == []


def test_reference_data(procore_client, world):
    """WBS-1, PRJ-1: the reference data the pull reads (project stages, the standard cost code list and its
    codes, cost types, a project's cost codes) comes back through the typed calls."""
    assert [s["name"] for s in procore_client.list_project_stages()] == ["Send to Xero"]
    assert [x["name"] for x in procore_client.list_standard_cost_code_lists()] == ["Standard"]
    assert [x["code"] for x in procore_client.list_standard_cost_codes(world["scl"]["id"])] == ["05-100"]
    assert [x["base_type"] for x in procore_client.list_line_item_types()] == ["commitment"]
    codes = procore_client.list_project_cost_codes(world["project"]["id"])
    assert codes[0]["standard_cost_code_id"] == world["scc"]["id"]


def test_projects_v11_have_stage_and_number_and_include_inactive(procore_client, procore_sandbox, world):
    """PRJ-1/PRJ-2: the pull sees stage, job number, and inactive projects (marked, not hidden)."""
    procore_sandbox.create_record("project", {"name": "Closed job", "project_number": "J-001", "active": False})
    projects = {p["name"]: p for p in procore_client.list_projects()}
    assert projects["Harbour Bridge"]["stage"] == "Send to Xero"
    assert projects["Harbour Bridge"]["project_stage"] == {"id": world["stage"]["id"], "name": "Send to Xero"}
    assert projects["Harbour Bridge"]["project_number"] == "J-100"
    assert projects["Closed job"]["active"] is False
    assert [p["name"] for p in procore_client.list_projects(include_inactive=False)] == ["Harbour Bridge"]
    assert [p["name"] for p in procore_client.list_projects(stage_ids=[world["stage"]["id"]])] == ["Harbour Bridge"]


def test_vendors_list_includes_inactive_and_origin_id_round_trips(procore_client, procore_sandbox, world):
    """CO-1/CO-3: set and clear origin_id (the Xero ContactID); inactive vendors are listed too."""
    procore_sandbox.create_record("vendor", {"name": "Gone Pty", "is_active": False})
    assert sorted(v["name"] for v in procore_client.list_vendors()) == ["Acme Steel", "Gone Pty"]
    vendor = procore_client.set_vendor_origin_id(world["vendor"]["id"], "xero-contact-1")
    assert vendor["origin_id"] == "xero-contact-1"
    assert [v["id"] for v in procore_client.list_vendors(origin_id="xero-contact-1")] == [world["vendor"]["id"]]
    assert procore_client.clear_vendor_origin_id(world["vendor"]["id"])["origin_id"] is None


def test_vendor_create_requires_name(procore_client):
    """CO-2, REL-6: Procore refuses a vendor without a name with its 422 field errors; the client raises them
    as Unprocessable."""
    with pytest.raises(Unprocessable) as info:
        procore_client.create_vendor({"city": "Perth"})
    assert info.value.errors == {"name": ["can't be blank"]}


def test_origin_id_clash_is_422(procore_client, procore_sandbox, world):
    """SYNC-6: api/procore.md §13: origin_id is unique per company and type."""
    other = procore_sandbox.create_record("vendor", {"name": "Other"})
    procore_client.update_vendor(world["vendor"]["id"], {"name": "Acme Steel", "origin_id": "dup"})
    with pytest.raises(Unprocessable) as info:
        procore_client.update_vendor(other["id"], {"name": "Other", "origin_id": "dup"})
    assert info.value.status == 422 and "origin_id" in info.value.message
    with pytest.raises(Unprocessable):
        procore_client.set_vendor_origin_id(other["id"], "dup")
    # same origin_id on another type is fine
    procore_client.set_project_origin_id(world["project"]["id"], "dup")


def test_sync_batches_at_most_1000_and_reports_element_errors(procore_client, procore_sandbox):
    """REL-3 (Procore side): 2500 updates go in 3 calls; a bad element is an error, the others land."""
    updates = [{"name": f"V{i}", "origin_id": f"x-{i}"} for i in range(2500)]
    updates[1234] = {"origin_id": "x-bad", "is_active": True}  # no name
    procore_sandbox.calls.clear()
    result = procore_client.sync_vendors(updates)
    assert [c for c in procore_sandbox.calls if c[1] == "/rest/v1.0/vendors/sync"] == [
        ("PATCH", "/rest/v1.0/vendors/sync")] * 3
    assert len(result.entities) == 2499
    assert len(result.errors) == 1
    assert result.errors[0]["origin_id"] == "x-bad" and result.errors[0]["errors"] == {"name": ["can't be blank"]}
    # a second run with the same origin_ids updates, never duplicates
    again = procore_client.sync_vendors(updates[:10])
    assert len(again.entities) == 10
    assert len(procore_sandbox.store.records["vendor"]) == 2499


def test_commitments_with_line_items_and_origin_id(procore_client, world):
    """CMT-1: list and show a subcontract with its schedule of values; mark it synced."""
    pid = world["project"]["id"]
    listed = procore_client.list_work_order_contracts(pid, status="Approved")
    assert [c["title"] for c in listed] == ["Structural steel"] and "line_items" not in listed[0]
    contract = procore_client.get_work_order_contract(pid, world["woc"]["id"])
    assert contract["vendor"]["id"] == world["vendor"]["id"]
    assert contract["grand_total"] == Decimal("10501.00")
    assert contract["retainage_percent"] == Decimal("5.00")
    lines = contract["line_items"]
    assert [li["amount"] for li in lines] == [Decimal("10000.00"), Decimal("501.00")]
    assert lines[0]["cost_code"]["code"] == "05-100" and lines[0]["line_item_type"]["code"] == "S"
    assert lines[0]["wbs_code"]["flat_code"] == "05-100.S"
    assert len(procore_client.list_commitment_line_items(pid, "work_order_contract", world["woc"]["id"])) == 2
    updated = procore_client.set_commitment_origin_id(pid, "work_order_contract", world["woc"]["id"], "po-1")
    assert updated["origin_id"] == "po-1"
    assert procore_client.list_commitments(pid, "work_order_contract", origin_id="po-1")[0]["id"] == world["woc"]["id"]


def test_commitment_status_enum_is_enforced(procore_client, procore_sandbox, world):
    """CMT-1, FID-2: a commitment status is checked against its own kind's statuses (a purchase order status
    is refused on a work order contract)."""
    with pytest.raises(Unprocessable):
        procore_client.update_commitment(world["project"]["id"], "work_order_contract", world["woc"]["id"],
                                         {"status": "Received"})  # a PO status, not a WOC one
    po = procore_sandbox.create_record("purchase_order_contract", {
        "project_id": world["project"]["id"], "title": "Concrete", "status": "Received"})
    assert procore_client.get_purchase_order_contract(world["project"]["id"], po["id"])["status"] == "Received"
    with pytest.raises(ValidationFailed):
        procore_sandbox.create_record("purchase_order_contract", {"project_id": world["project"]["id"],
                                                                  "title": "x", "status": "Void"})


def test_change_orders_with_v2_line_items(procore_client, procore_sandbox, world):
    """CCO-1: change order header + its line items (v2.0 string ids become int)."""
    woc_line = procore_client.get_work_order_contract(world["project"]["id"], world["woc"]["id"])["line_items"][0]
    cco = procore_sandbox.create_record("commitment_change_order", {
        "project_id": world["project"]["id"], "contract_id": world["woc"]["id"], "title": "Extra beams",
        "number": "001", "status": "approved",
        "line_items": [{"amount": "1500", "commitment_line_item_id": woc_line["id"], "description": "More",
                        "cost_code_id": world["cc"]["id"], "line_item_type_id": world["lit"]["id"]}]})
    listed = procore_client.list_commitment_change_orders(world["project"]["id"], status="approved")
    assert [c["id"] for c in listed] == [cco["id"]]
    shown = procore_client.get_commitment_change_order(world["project"]["id"], cco["id"])
    assert shown["contract_id"] == world["woc"]["id"]
    line = shown["line_items"][0]
    assert line["amount"] == Decimal("1500.00")
    assert line["commitment_line_item_id"] == woc_line["id"] and isinstance(line["id"], int)
    with pytest.raises(ValidationFailed):
        procore_sandbox.create_record("commitment_change_order", {"project_id": world["project"]["id"],
                                                                  "title": "no contract"})


def _requisition(sb, world, **extra):
    line = sb.get_record("work_order_contract", world["woc"]["id"])["line_items"][0]
    return sb.create_record("requisition", {
        "project_id": world["project"]["id"], "commitment_id": world["woc"]["id"], "invoice_number": "INV-7",
        "billing_date": "2026-01-31", "requisition_start": "2026-01-01", "requisition_end": "2026-01-31",
        "status": "approved",
        "items": [{"item_type": "contract_item", "line_item_id": line["id"], "work_completed_this_period": "4000",
                   "work_completed_retainage_retained_this_period": "200"}], **extra})


def test_requisitions_with_items_and_locking(procore_client, procore_sandbox, world):
    """INV-1: a subcontractor invoice with its items; once origin_id is set it is locked (422),
    but origin_id itself can still be cleared (SYNC-7)."""
    req = _requisition(procore_sandbox, world)
    pid = world["project"]["id"]
    listed = procore_client.list_requisitions(pid, status="approved")
    assert listed[0]["items"][0]["net_amount"] == Decimal("3800.00")
    shown = procore_client.get_requisition(pid, req["id"])
    assert shown["billing_date"] == date(2026, 1, 31)
    assert shown["vendor_id"] == world["vendor"]["id"] and shown["commitment_type"] == "WorkOrderContract"
    assert shown["summary"]["current_payment_due"] == Decimal("3800.00")
    assert shown["items"][0]["cost_code_id"] == world["cc"]["id"]
    procore_client.set_requisition_origin_id(pid, req["id"], "bill-1")
    with pytest.raises(Unprocessable) as info:
        procore_client.update_requisition(pid, req["id"], {"invoice_number": "INV-8"})
    assert "synced with an ERP system" in info.value.message
    # re-sending the same values is not an edit; clearing origin_id stays allowed
    procore_client.update_requisition(pid, req["id"], {"invoice_number": "INV-7", "origin_data": "v2"})
    assert procore_client.clear_requisition_origin_id(pid, req["id"])["origin_id"] is None
    assert procore_client.update_requisition(pid, req["id"], {"invoice_number": "INV-8"})["invoice_number"] == "INV-8"


def test_requisition_rules(procore_sandbox, world):
    """INV-1, FID-2: the sandbox refuses a requisition with an unknown status or without its required fields,
    as Procore does."""
    with pytest.raises(ValidationFailed):
        _requisition(procore_sandbox, world, status="paid")
    with pytest.raises(ValidationFailed):
        procore_sandbox.create_record("requisition", {"project_id": world["project"]["id"]})


def test_contract_payments_create_update_lock(procore_client, procore_sandbox, world):
    """PAY-1/PAY-4: a payment issued from a Xero payment, marked synced, then locked."""
    req = _requisition(procore_sandbox, world)
    pid, cid = world["project"]["id"], world["woc"]["id"]
    payment = procore_client.create_contract_payment(pid, cid, {
        "date": "2026-02-10", "amount": Decimal("3800.00"), "payment_number": 1, "requisition_id": req["id"],
        "notes": "Xero payment ref 123", "origin_id": "xero-payment-1"})
    assert payment["amount"] == Decimal("3800.00") and payment["date"] == date(2026, 2, 10)
    assert [p["origin_id"] for p in procore_client.list_contract_payments(pid, cid)] == ["xero-payment-1"]
    with pytest.raises(Unprocessable):
        procore_client.update_contract_payment(pid, cid, payment["id"], {"amount": "1.00"})
    with pytest.raises(Unprocessable):
        procore_client.create_contract_payment(pid, cid, {"amount": "1", "origin_id": "xero-payment-1"})
    procore_client.clear_contract_payment_origin_id(pid, cid, payment["id"])
    assert procore_client.update_contract_payment(pid, cid, payment["id"], {"amount": "3700"})["amount"] == Decimal(
        "3700.00")
    assert procore_client.get_work_order_contract(pid, cid)["total_payments"] == Decimal("3700.00")
    procore_client.delete_contract_payment(pid, payment["id"])
    with pytest.raises(NotFound):
        procore_client.get_contract_payment(pid, payment["id"])


def test_contract_payments_are_found_by_origin_id(procore_client, procore_sandbox, world):
    """PAY-5: a payment whose create answer was lost is found again by its origin_id (the Xero PaymentID),
    and only that one: the others of the commitment are not taken for it."""
    req = _requisition(procore_sandbox, world)
    pid, cid = world["project"]["id"], world["woc"]["id"]
    for n, origin in enumerate(("xero-payment-a", "xero-payment-b"), start=1):
        procore_client.create_contract_payment(pid, cid, {"date": "2026-02-10", "amount": Decimal("100.00"),
                                                          "payment_number": n, "requisition_id": req["id"],
                                                          "origin_id": origin})
    found = procore_client.list_contract_payments(pid, cid, origin_id="xero-payment-b")
    assert [(p["origin_id"], p["payment_number"]) for p in found] == [("xero-payment-b", 2)]
    assert procore_client.list_contract_payments(pid, cid, origin_id="xero-payment-c") == []
    assert len(procore_client.list_contract_payments(pid, cid)) == 2


def test_direct_costs_rules_and_locking(procore_client, world):
    """JC-1/JC-7: types, invoice_number for invoices, line items, origin_id lock on edit and delete."""
    pid = world["project"]["id"]
    line = {"amount": "120.50", "description": "Hire", "cost_code_id": world["cc"]["id"],
            "line_item_type_id": world["lit"]["id"]}
    with pytest.raises(Unprocessable) as info:
        procore_client.create_direct_cost(pid, {"direct_cost_type": "invoice", "vendor_id": world["vendor"]["id"],
                                                "line_items": [line]})
    assert info.value.errors == {"invoice_number": ["can't be blank"]}
    with pytest.raises(Unprocessable):
        procore_client.create_direct_cost(pid, {"direct_cost_type": "bill", "vendor_id": world["vendor"]["id"]})
    expense = procore_client.create_direct_cost(pid, {"direct_cost_type": "expense",
                                                      "vendor_id": world["vendor"]["id"], "line_items": [line]})
    cost = procore_client.create_direct_cost(pid, {
        "direct_cost_type": "invoice", "vendor_id": world["vendor"]["id"], "invoice_number": "B-1",
        "direct_cost_date": date(2026, 1, 5), "status": "approved", "origin_id": "xero-bill-9",
        "line_items": [line, {**line, "amount": "79.50"}]})
    assert cost["grand_total"] == Decimal("200.00")
    shown = procore_client.get_direct_cost(pid, cost["id"])
    assert [li["amount"] for li in shown["line_items"]] == [Decimal("120.50"), Decimal("79.50")]
    assert shown["direct_cost_date"] == date(2026, 1, 5)
    assert {d["id"] for d in procore_client.list_direct_costs(pid)} == {expense["id"], cost["id"]}
    assert [d["id"] for d in procore_client.list_direct_costs(pid, origin_id="xero-bill-9")] == [cost["id"]]
    with pytest.raises(Unprocessable):
        procore_client.update_direct_cost(pid, cost["id"], {"description": "changed"})
    with pytest.raises(Unprocessable):
        procore_client.delete_direct_cost(pid, cost["id"])
    procore_client.clear_direct_cost_origin_id(pid, cost["id"])
    procore_client.delete_direct_cost(pid, cost["id"])
    with pytest.raises(ValueError):
        procore_client.create_direct_cost(pid, {"direct_cost_type": "expense", "vendor_id": 1,
                                                "line_items": [line] * 101})


def test_prime_contracts_and_payment_applications(procore_client, procore_sandbox, world):
    """INV-5: owner invoices on a prime contract."""
    pid = world["project"]["id"]
    prime = procore_sandbox.create_record("prime_contract", {"project_id": pid, "title": "Head contract",
                                                             "status": "Approved"})
    app = procore_sandbox.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "PC-1", "status": "approved",
        "period_start": "2026-01-01", "period_end": "2026-01-31", "total_amount_accrued_this_period": "50000"})
    assert [p["title"] for p in procore_client.list_prime_contracts(pid)] == ["Head contract"]
    assert procore_client.get_prime_contract(pid, prime["id"])["status"] == "Approved"
    apps = procore_client.list_payment_applications(pid)
    assert apps[0]["total_amount_accrued_this_period"] == Decimal("50000.00")
    assert procore_client.list_payment_applications(pid, prime_contract_id=prime["id"])[0]["id"] == app["id"]
    assert procore_client.get_payment_application(pid, app["id"])["period_end"] == date(2026, 1, 31)


def _pay_app_with_lines(procore_sandbox, world) -> tuple[dict, dict]:
    pid = world["project"]["id"]
    prime = procore_sandbox.create_record("prime_contract", {"project_id": pid, "title": "Head contract",
                                                             "status": "Approved"})
    app = procore_sandbox.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "PC-2", "status": "approved",
        "billing_date": "2026-02-28", "period_start": "2026-02-01", "period_end": "2026-02-28",
        "line_items": [
            {"description_of_work": "Steel frame", "cost_code_id": world["cc"]["id"],
             "line_item_type_id": world["lit"]["id"], "scheduled_value": "100000", "work_completed_this_period": "30000",
             "materials_presently_stored": "5000.5", "work_completed_retainage_retained_this_period": "1500",
             "materials_stored_retainage_retained_this_period": "250.03"},
            {"description_of_work": "Preliminaries", "cost_code_id": world["cc"]["id"], "scheduled_value": "8000",
             "work_completed_from_previous_application": "2000", "work_completed_this_period": "1000"},
        ]})
    return prime, app


def test_payment_application_show_carries_its_lines_with_decimal_money(procore_client, procore_sandbox, world):
    """INV-5: the show answer holds line_items[] (shape of the PATCH line item answer, UNCONFIRMED for the
    show itself); money comes back as Decimal, ids as int, the cost code as an object. The list gives
    headers only."""
    pid = world["project"]["id"]
    _prime, app = _pay_app_with_lines(procore_sandbox, world)
    shown = procore_client.get_payment_application(pid, app["id"])
    frame, prelims = shown["line_items"]
    assert isinstance(frame["id"], int) and frame["id"] != prelims["id"]
    assert (frame["item_number"], prelims["item_number"]) == (1, 2)
    assert frame["description_of_work"] == "Steel frame"
    assert (frame["cost_code"]["id"], frame["cost_code"]["code"], frame["cost_code"]["full_code"]) == (
        world["cc"]["id"], "05-100", "05-100")
    assert (frame["line_item_type"]["id"], frame["line_item_type"]["code"]) == (world["lit"]["id"], "S")
    assert frame["wbs_code"]["flat_code"] == "05-100.S"
    assert prelims["line_item_type"] is None and prelims["wbs_code"]["flat_code"] == "05-100"
    assert (frame["scheduled_value"], frame["work_completed_this_period"], frame["materials_presently_stored"]) == (
        Decimal("100000.00"), Decimal("30000.00"), Decimal("5000.50"))
    assert (frame["work_completed_retainage_retained_this_period"],
            frame["materials_stored_retainage_retained_this_period"]) == (Decimal("1500.00"), Decimal("250.03"))
    assert (prelims["total_completed_and_stored_to_date"], prelims["balance_to_finish"]) == (
        Decimal("3000.00"), Decimal("5000.00"))
    assert all(isinstance(v, Decimal) for v in (frame["balance_to_finish"], frame["total_completed_and_stored_to_date"]))
    # The period's total is the lines' work completed + materials stored.
    assert shown["total_amount_accrued_this_period"] == Decimal("36000.50")
    [listed] = procore_client.list_payment_applications(pid)
    assert "line_items" not in listed and listed["total_amount_accrued_this_period"] == Decimal("36000.50")


def test_payment_application_lines_update_by_id_and_lock_with_origin_id(procore_client, procore_sandbox, world):
    """INV-5, SYNC-6: a user edits a line (same id), drops another; bad references are refused; once synced
    (origin_id) the lines are locked like the rest of the owner invoice (§13)."""
    pid = world["project"]["id"]
    _prime, app = _pay_app_with_lines(procore_sandbox, world)
    frame, _prelims = app["line_items"]
    changed = procore_sandbox.update_record("payment_application", app["id"], {
        "line_items": [{"id": frame["id"], "work_completed_this_period": "32000"}]})
    [line] = changed["line_items"]
    assert (line["id"], line["work_completed_this_period"], line["description_of_work"]) == (
        frame["id"], "32000.00", "Steel frame")
    assert procore_client.get_payment_application(pid, app["id"])["line_items"][0]["materials_presently_stored"] == \
        Decimal("5000.50")
    with pytest.raises(ValidationFailed) as info:
        procore_sandbox.update_record("payment_application", app["id"], {"line_items": [{"cost_code_id": 1}]})
    assert "line_items.cost_code_id" in info.value.errors
    with pytest.raises(ValidationFailed):
        procore_sandbox.update_record("payment_application", app["id"], {
            "line_items": [{"id": frame["id"], "work_completed_this_period": "lots"}]})
    procore_sandbox.update_record("payment_application", app["id"], {"origin_id": "xero-invoice-1"})
    with pytest.raises(ValidationFailed):
        procore_sandbox.update_record("payment_application", app["id"], {
            "line_items": [{"id": frame["id"], "work_completed_this_period": "1"}]})
    assert procore_sandbox.update_record("payment_application", app["id"], {
        "line_items": [{"id": frame["id"], "work_completed_this_period": "1"}]}, force=True)["line_items"][0][
        "work_completed_this_period"] == "1.00"


def test_project_scope_is_checked(procore_client, world):
    """REL-6: a record read through the wrong project is 404, never another project's record."""
    with pytest.raises(NotFound):
        procore_client.get_work_order_contract(world["project"]["id"] + 999, world["woc"]["id"])


def test_sandbox_http_helpers(procore_session, procore_sandbox):
    """FID-1: the /_sandbox helpers the sandbox command offers: create a record as a user, read the state,
    reset."""
    base = "https://api.procore.com/_sandbox"
    created = procore_session.post(f"{base}/records", json={"kind": "vendor", "data": {"name": "Via HTTP"}})
    assert created.status_code == 201 and created.json()["name"] == "Via HTTP"
    bad = procore_session.post(f"{base}/records", json={"kind": "vendor", "data": {}})
    assert bad.status_code == 422
    state = procore_session.get(f"{base}/state").json()
    assert [v["name"] for v in state["records"]["vendor"]] == ["Via HTTP"]
    assert procore_session.post(f"{base}/reset").status_code == 200
    assert procore_sandbox.state()["records"]["vendor"] == []
