"""A project's subcontractor invoices (requisitions with their items, INV-1, INV-2).

The list's extended view carries each requisition's items, so nothing is read twice. An item's cost
item is its commitment line's, else the change order line's it bills, else its own cost code + type.
"""

from __future__ import annotations

from decimal import Decimal

from integration.mapping import from_procore
from integration.mapping.from_procore import BadRecord, label
from integration.models import ChangeOrderLine, Commitment, InvoiceLine, Project, SubcontractorInvoice, Vendor
from integration.services.attachments import store_files
from integration.services.pull.context import PullRun
from integration.services.pull.cost_items import cost_item_of
from integration.services.pull.project_lists import read_project_list, store_listed
from integration.services.pull.upsert import Outcome, existing, save_erp_record, store

ZERO = Decimal("0")


def pull_subcontractor_invoices(pull: PullRun, project: Project) -> None:
    listed = read_project_list(pull, project, "requisitions", SubcontractorInvoice, "subcontractor invoices",
                               pull.client.list_requisitions, project.procore_id, with_items=True)
    if listed is None:
        return
    records, since, started = listed
    # Oldest first on each commitment: an invoice's stored-materials retainage for the period is the
    # difference from the previous invoice's balance (RET-1), so the previous one is stored first.
    records = sorted(records, key=_invoice_order)
    store_listed(pull, project, (records, since, started), model=SubcontractorInvoice, kind_label="Subcontractor invoice",
                 cursor="requisitions", store_one=lambda data: store_subcontractor_invoice(pull, project, data),
                 stored=SubcontractorInvoice.objects.filter(link=pull.link, project=project))


def _invoice_order(data) -> tuple:
    if not isinstance(data, dict):
        return (0, 0, 0)
    try:
        return (int(data.get("commitment_id") or 0), int(data.get("number") or 0), int(data.get("id") or 0))
    except (TypeError, ValueError):
        return (0, 0, 0)


def held_before(pull: PullRun, data: dict) -> dict[int, Decimal]:
    """The materials retainage balance of the items this requisition's items follow, by Procore id (RET-1)."""
    previous = from_procore.requisition_previous_items(data)
    if not previous:
        return {}
    return dict(InvoiceLine.objects.filter(invoice__link=pull.link, procore_id__in=previous)
                .values_list("procore_id", "materials_retainage_held"))


def store_subcontractor_invoice(pull: PullRun, project: Project, data: dict) -> Outcome | None:
    def write(procore_id):
        commitment_id = from_procore.requisition_commitment_id(data)
        commitment = Commitment.objects.filter(link=pull.link, procore_id=commitment_id).first() \
            if commitment_id else None
        if commitment is None:
            raise BadRecord(f"its commitment (Procore #{commitment_id}) is not in the connector: it was not "
                            "read from Procore (deleted, unreadable, or refused: see the other errors)")
        vendor = commitment.vendor
        vendor_id = from_procore.requisition_vendor_id(data)
        if vendor_id and (vendor is None or vendor.procore_id != vendor_id):
            vendor = existing(pull, Vendor, vendor_id) or vendor
        commitment_lines = {line.procore_id: line for line in commitment.lines.select_related("cost_item")}
        lines = []
        for line in from_procore.requisition_items(data, held_before(pull, data)):
            line_item_id, cost = line.pop("commitment_line_id"), line.pop("cost")
            commitment_line = commitment_lines.get(line_item_id)
            cost_item = commitment_line.cost_item if commitment_line is not None else None
            if cost_item is None and line_item_id is not None:
                co_line = ChangeOrderLine.objects.filter(change_order__commitment=commitment,
                                                         procore_id=line_item_id).first()
                cost_item = co_line.cost_item if co_line is not None else None
            if cost_item is None:
                cost_item = cost_item_of(pull, cost)
            if line["description"] is None:
                line["description"] = commitment_line.description if commitment_line else ""
            if line["unit_price"] is None:
                line["unit_price"] = commitment_line.unit_cost if commitment_line else ZERO
            lines.append(line | {"commitment_line": commitment_line, "cost_item": cost_item})
        values = from_procore.requisition(data, lines) | {"project": project, "commitment": commitment, "vendor": vendor}
        files = from_procore.attachments(data) if "attachments" in data else None
        outcome = save_erp_record(pull, SubcontractorInvoice, procore_id, values, lines=lines)
        if files is not None:  # an answer without the list leaves the stored files as they are
            store_files(outcome.record, files)
        return outcome

    return store(pull, SubcontractorInvoice, data, label("Subcontractor invoice", data, "invoice_number"), write)
