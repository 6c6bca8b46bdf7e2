"""Job costs with cost codes exported as tracking options (WBS-6): the import finds each line's cost code
by its "Cost Codes" option (BOOK-5)."""

from decimal import Decimal

from integration.mapping.common import cost_item_option_name
from integration.models import DirectCost, SyncRun, UnsyncableTransaction
from integration.services.imports import import_job_costs

from .conftest import key


def _tracking_mode(world):
    """The link exports cost codes as options of 'Cost Codes'; each cost item is linked to its option."""
    world.link.cost_code_export_mode = "tracking"
    world.link.save()
    world.code_category = category = world.xero.create_tracking_category("Cost Codes", idempotency_key=key("cat"))
    for item in world.items.values():
        option = world.xero.create_tracking_option(category["TrackingCategoryID"], cost_item_option_name(item),
                                                   idempotency_key=key("opt"))
        item.xero_id = option["TrackingOptionID"]
        item.save()


def _bill(world, lines, *, reference):
    """The accountant's bill in tracking mode: lines on an account, tracked to a project and a cost code."""
    items = []
    for option, amount in lines:
        tracking = [{"Name": "Project", "Option": world.projects["HV-101"].xero_option_name}]
        if option:
            tracking.append({"Name": "Cost Codes", "Option": option})
        items.append({"Description": "Work", "Quantity": 1, "UnitAmount": Decimal(amount), "AccountCode": "310",
                      "Tracking": tracking})
    [result] = world.xero.create_invoices([{
        "Type": "ACCPAY", "Contact": {"ContactID": world.vendor.xero_id}, "Date": "2026-05-04",
        "DueDate": "2026-06-01", "InvoiceNumber": reference, "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
        "LineItems": items}], idempotency_key=key("bill"))
    assert result.ok, result.errors
    return result.document


def test_tracking_mode_lines_land_on_their_cost_codes(world):
    """BOOK-5, JC-1: in tracking mode a bill's lines carry no ItemCode; each lands in Procore on the
    project cost code its 'Cost Codes' option names (and its cost type)."""
    _tracking_mode(world)
    steel, concrete = world.items["05-120"], world.items["03-300"]
    _bill(world, [(cost_item_option_name(steel), "400.00"), (cost_item_option_name(concrete), "250.00")],
          reference="TRK-1")

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    [dc] = world.procore_records("direct_cost")
    assert dc["invoice_number"] == "TRK-1"
    got = [(li["cost_code"]["code"], li["line_item_type"]["id"], li["amount"]) for li in dc["line_items"]]
    assert got == [("05-120", world.cost_type.procore_id, "400.00"), ("03-300", world.cost_type.procore_id, "250.00")]
    assert all(li["cost_code"]["id"] in _project_cost_code_ids(world, "HV-101") for li in dc["line_items"])
    row = DirectCost.objects.get(link=world.link)
    assert [line.cost_item for line in row.lines.order_by("pk")] == [steel, concrete]


def test_tracking_mode_line_without_a_cost_code_option_is_unsyncable(world):
    """BOOK-5, JC-6: a line with no 'Cost Codes' option, or one no cost item was exported as, is not
    imported; the bill is listed with the reason."""
    _tracking_mode(world)
    bill = _bill(world, [(cost_item_option_name(world.items["05-120"]), "100.00"), ("", "20.00")], reference="TRK-2")
    world.xero.create_tracking_option(world.code_category["TrackingCategoryID"], "99-999 Made up",
                                      idempotency_key=key("opt"))  # an option the accountant added by hand
    other = _bill(world, [("99-999 Made up", "30.00")], reference="TRK-3")

    import_job_costs(link=world.link)

    assert world.procore_records("direct_cost") == []
    reasons = dict(UnsyncableTransaction.objects.values_list("xero_document_id", "reason"))
    assert "line 2: no cost code (Cost Codes tracking)" in reasons[bill["InvoiceID"]]
    assert "unknown Cost Codes option '99-999 Made up'" in reasons[other["InvoiceID"]]


def _project_cost_code_ids(world, project):
    pid = world.projects[project].procore_id
    return {r["id"] for r in world.procore.store.records["project_cost_code"].values() if r.get("project_id") == pid}
