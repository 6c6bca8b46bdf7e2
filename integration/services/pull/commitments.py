"""A project's commitments (work order and purchase order contracts with their schedule of values,
CMT-1, CMT-2) and commitment change orders (with their lines, CCO-1)."""

from __future__ import annotations

from integration.mapping import from_procore
from integration.mapping.from_procore import BadRecord, label
from integration.models import ChangeOrder, Commitment, Project
from integration.services.pull.company import ensure_vendor
from integration.services.pull.context import PullRun
from integration.services.pull.cost_items import cost_item_of
from integration.services.pull.project_lists import read_project_list, store_listed
from integration.services.pull.upsert import Outcome, save_erp_record, store
from procore_client.enums import COMMITMENT_KINDS


def pull_commitments(pull: PullRun, project: Project) -> None:
    for kind, resource in COMMITMENT_KINDS.items():
        listed = read_project_list(pull, project, resource, Commitment, resource.replace("_", " "),
                                   pull.client.list_commitments, project.procore_id, kind)
        if listed is None:
            continue
        store_listed(
            pull, project, listed, model=Commitment, kind_label="Commitment", cursor=resource,
            # The list has header fields only (RestV10PurchaseOrderContractsGet; the work order list's
            # schema, empty in the extract, is the same in Procore's OAS 2.0 SDK): the schedule of values,
            # ``line_items``, the mapping's commitment lines (CMT-2), come with the show.
            read_detail=lambda pk, kind=kind: pull.client.get_commitment(project.procore_id, kind, pk),
            store_one=lambda data, kind=kind: store_commitment(pull, project, kind, data),
            stored=Commitment.objects.filter(link=pull.link, project=project, kind=from_procore.COMMITMENT_KIND[kind]))


def store_commitment(pull: PullRun, project: Project, kind: str, data: dict) -> Outcome | None:
    try:  # the vendor may need reading from Procore: before the record's transaction, never inside it
        vendor = ensure_vendor(pull, from_procore.commitment_vendor_id(data))
    except BadRecord as exc:
        pull.count("commitment", "failed")
        pull.error("commitment", data.get("id"), label("Commitment", data), str(exc))
        return None

    def write(procore_id):
        lines = []
        for line in from_procore.commitment_lines(data):
            cost = line.pop("cost")
            lines.append(line | {"cost_item": cost_item_of(pull, cost)})
        values = from_procore.commitment(kind, data, lines) | {"project": project, "vendor": vendor}
        return save_erp_record(pull, Commitment, procore_id, values, lines=lines)

    return store(pull, Commitment, data, label("Commitment", data), write)


def pull_change_orders(pull: PullRun, project: Project) -> None:
    listed = read_project_list(pull, project, "change_orders", ChangeOrder, "commitment change orders",
                               pull.client.list_commitment_change_orders, project.procore_id)
    if listed is None:
        return
    store_listed(
        pull, project, listed, model=ChangeOrder, kind_label="Change order", cursor="change_orders",
        read_detail=lambda pk: _change_order_lines(pull, project, pk),
        store_one=lambda data: store_change_order(pull, project, data),
        stored=ChangeOrder.objects.filter(link=pull.link, project=project))


def _change_order_lines(pull: PullRun, project: Project, change_order_id: int) -> dict:
    """What a listed change order lacks: its ``line_items`` (CCO-1's lines), from the v2.0 line items.
    The list carries every header field the mapping reads (number, title, status, description,
    grand_total, contract_id, created_at, updated_at: RestV10ProjectsProjectIdCommitmentChangeOrdersGet
    in Procore's OAS 2.0, as weigandconstruction/procore_python_sdk generates it; the extract's schema is
    empty), so the v1.0 show is not read."""
    return {"line_items": pull.client.list_commitment_change_order_line_items(project.procore_id, change_order_id)}


def store_change_order(pull: PullRun, project: Project, data: dict) -> Outcome | None:
    def write(procore_id):
        contract_id = from_procore.change_order_commitment_id(data)
        commitment = Commitment.objects.filter(link=pull.link, procore_id=contract_id).first() if contract_id else None
        if commitment is None:
            raise BadRecord(f"its commitment (Procore #{contract_id}) is not in the connector: it was not "
                            "read from Procore (deleted, unreadable, or refused: see the other errors)")
        commitment_lines = {line.procore_id: line for line in commitment.lines.all()}
        lines = []
        for line in from_procore.change_order_lines(data):
            commitment_line = commitment_lines.get(line.pop("commitment_line_id"))
            cost = line.pop("cost")
            item = cost_item_of(pull, cost)
            if item is None and commitment_line is not None:
                item = commitment_line.cost_item
            lines.append(line | {"commitment_line": commitment_line, "cost_item": item})
        values = from_procore.change_order(data, lines) | {"commitment": commitment, "project": project}
        return save_erp_record(pull, ChangeOrder, procore_id, values, lines=lines)

    return store(pull, ChangeOrder, data, label("Change order", data), write)
