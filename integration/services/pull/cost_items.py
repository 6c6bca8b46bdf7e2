"""The cost item (cost code + cost type, WBS-1) of a Procore line, created when first seen on a line."""

from __future__ import annotations

from typing import Any

from integration.mapping.from_procore import CostRef, cost_item_description, reference, text
from integration.models import CostCode, CostItem, CostType
from integration.services.audit import audit_record
from integration.services.pull.context import ACTOR, PullRun
from integration.services.pull.upsert import after_content_change, differs, fit


def cost_item_of(pull: PullRun, ref: CostRef) -> CostItem | None:
    """The CostItem of a line's cost code + cost type (created if missing); None without both."""
    cost_code = _cost_code(pull, ref.cost_code, ref.project_cost_code_id)
    cost_type = _cost_type(pull, ref.cost_type, ref.cost_type_id)
    if cost_code is None or cost_type is None:
        return None
    item = CostItem.objects.filter(cost_code=cost_code, cost_type=cost_type).first()
    if item is None:
        values = fit(CostItem, {"item_code": CostItem.code_for(cost_code.code, cost_type.code),
                                "description": cost_item_description(cost_code.name, cost_type.name)})
        item = CostItem.objects.create(link=pull.link, cost_code=cost_code, cost_type=cost_type, **values)
        audit_record(item, action="pulled", actor=ACTOR, to_status=item.erp_status,
                     message="Cost code + cost type first seen on a Procore line.")
        pull.count("costitem", "created")
    return item


def rename_cost_items(pull: PullRun, cost_code: CostCode) -> None:
    """A renamed cost code renames its items (WBS-1); synced ones go to ready_to_update."""
    for item in CostItem.objects.select_for_update().filter(cost_code=cost_code).select_related("cost_type"):
        values = {"item_code": CostItem.code_for(cost_code.code, item.cost_type.code),
                  "description": cost_item_description(cost_code.name, item.cost_type.name)}
        diff = differs(item, values)
        if diff:
            for key, value in values.items():
                setattr(item, key, value)
            item.save()
            after_content_change(pull, item, diff)


def _cost_code(pull: PullRun, data: Any, project_cost_code_id: Any) -> CostCode | None:
    """A line's cost code: the project cost code already seen, else the standard one it comes from,
    else one of the same code, else a new one."""
    pcc_id = reference(data.get("id") if isinstance(data, dict) else None) or reference(project_cost_code_id)
    if pcc_id is not None and pcc_id in pull.cost_code_by_project_code:
        return pull.cost_code_by_project_code[pcc_id]
    if not isinstance(data, dict):
        return None
    std_id = reference(data.get("standard_cost_code_id"))
    found = CostCode.objects.filter(link=pull.link, procore_id=std_id).first() if std_id else None
    code = text(data.get("full_code")) or text(data.get("code"))
    if found is None and code:
        found = CostCode.objects.filter(link=pull.link, code=code).first()
    if found is None and code:
        found = CostCode.objects.create(link=pull.link, **fit(CostCode, {"code": code,
                                                                          "name": text(data.get("name")) or code}))
        pull.count("costcode", "created")
    if found is not None and pcc_id is not None:
        pull.cost_code_by_project_code[pcc_id] = found
    return found


def _cost_type(pull: PullRun, data: Any, cost_type_id: Any) -> CostType | None:
    type_id = reference(data.get("id") if isinstance(data, dict) else None) or reference(cost_type_id)
    found = CostType.objects.filter(link=pull.link, procore_id=type_id).first() if type_id else None
    code = text(data.get("code")) if isinstance(data, dict) else ""
    if found is None and code:
        found = CostType.objects.filter(link=pull.link, code=code).first()
    if found is None and code:
        values = fit(CostType, {"code": code, "name": text(data.get("name")) or code,
                                "base_type": text(data.get("base_type"))})
        found = CostType.objects.create(link=pull.link, procore_id=type_id, **values)
        pull.count("costtype", "created")
    return found
