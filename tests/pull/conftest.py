"""Seeds for the pull tests: records created in the Procore sandbox as a Procore user would."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from integration.models import CostItem, ErpStatus, Project, Vendor


def seed_company(procore) -> SimpleNamespace:
    """A company with one standard list, one cost type, two vendors, one project in "Send to Xero" with
    a cost code, a subcontract with a change order and an invoice, and a prime contract with a pay app."""
    stage = procore.create_record("project_stage", {"name": "Send to Xero", "category": "course_of_construction"})
    other_stage = procore.create_record("project_stage", {"name": "Pre-Construction", "category": "pre_construction"})
    std_list = procore.create_record("standard_cost_code_list", {"name": "Xero Standard Cost Code List"})
    std = procore.create_record("standard_cost_code", {"standard_cost_code_list_id": std_list["id"], "code": "03-300",
                                                       "name": "Concrete"})
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L", "base_type": "other"})
    vendor = procore.create_record("vendor", {"name": "Kauri Concrete Ltd", "address": "4 Wharf Rd", "city": "Auckland",
                                              "zip": "1010", "business_phone": "+64 9 555 0101"})
    owner = procore.create_record("vendor", {"name": "Harbour Developments", "city": "Auckland"})
    project = procore.create_record("project", {"name": "Harbour View", "project_number": "HV-101",
                                                "project_stage_id": stage["id"]})
    pid = project["id"]
    cost_code = procore.create_record("project_cost_code", {"project_id": pid, "code": "03-300", "name": "Concrete",
                                                            "standard_cost_code_id": std["id"]})
    contract = procore.create_record("work_order_contract", {
        "project_id": pid, "title": "Concrete works", "number": "SC-001", "status": "Draft", "vendor_id": vendor["id"],
        "line_items": [{"description": "Slab", "amount": "10000.00", "cost_code_id": cost_code["id"],
                        "line_item_type_id": labor["id"]}]})
    line_id = contract["line_items"][0]["id"]
    change_order = procore.create_record("commitment_change_order", {
        "project_id": pid, "contract_id": contract["id"], "number": "1", "title": "Thicker slab", "status": "draft",
        "line_items": [{"description": "Extra depth", "amount": "500.00", "cost_code_id": cost_code["id"],
                        "line_item_type_id": labor["id"], "commitment_line_item_id": line_id}]})
    invoice = procore.create_record("requisition", {
        "project_id": pid, "commitment_id": contract["id"], "invoice_number": "KC-0001", "status": "draft",
        "billing_date": "2026-04-30", "requisition_start": "2026-04-01", "requisition_end": "2026-04-30",
        "payment_date": "2026-05-20",
        "items": [{"item_type": "contract_item", "line_item_id": line_id, "work_completed_this_period": "4000.00",
                   "materials_presently_stored": "500.00", "work_completed_retainage_retained_this_period": "400.00"}]})
    prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": "PC-1",
                                                     "status": "Approved", "vendor_id": owner["id"]})
    pay_app = procore.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "HV-OI-1", "status": "draft",
        "billing_date": "2026-04-30", "period_start": "2026-04-01", "period_end": "2026-04-30",
        "total_amount_accrued_this_period": "20000.00"})
    return SimpleNamespace(stage=stage, other_stage=other_stage, std_list=std_list, std=std, labor=labor,
                           vendor=vendor, owner=owner, project=project, cost_code=cost_code, contract=contract,
                           line_id=line_id, change_order=change_order, invoice=invoice, prime=prime, pay_app=pay_app)


@pytest.fixture
def company(sandboxes):
    return seed_company(sandboxes.procore)


def later(sandboxes, hours: float = 1) -> None:
    """Let time pass (runs are hourly): Procore's clock and the client's move together."""
    sandboxes.clock.advance(hours * 3600)


def mark_in_xero(link) -> None:
    """What the export does for the dependencies: the project, vendors and cost items are in Xero."""
    for model in (Project, Vendor, CostItem):
        model.objects.filter(link=link).update(erp_status=ErpStatus.SYNCED, xero_id="00000000-0000-0000-0000-0000000000aa")


def add_pay_app_with_lines(procore, company, *, status: str = "draft") -> dict:
    """A second owner invoice on the prime contract, with two lines: one coded to the cost code and its
    cost type, one to the cost code only (no cost type: no cost item)."""
    pid = company.project["id"]
    return procore.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": company.prime["id"], "invoice_number": "HV-OI-2", "status": status,
        "billing_date": "2026-05-31", "period_start": "2026-05-01", "period_end": "2026-05-31",
        "line_items": [
            {"description_of_work": "Slab and columns", "cost_code_id": company.cost_code["id"],
             "line_item_type_id": company.labor["id"], "scheduled_value": "60000.00",
             "work_completed_this_period": "18000.00", "materials_presently_stored": "2000.00",
             "work_completed_retainage_retained_this_period": "900.00",
             "materials_stored_retainage_retained_this_period": "100.00"},
            {"description_of_work": "Site establishment", "cost_code_id": company.cost_code["id"],
             "scheduled_value": "5000.00", "work_completed_this_period": "1500.00"},
        ]})
