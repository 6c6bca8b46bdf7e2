"""Cost types, the standard cost code list, and each project's cost codes (WBS-1, PRJ-1, PRJ-3).

Procore's client has no ``updated_at`` filter for these: they are read whole (they are small). Cost
types and standard cost codes Procore no longer lists become inactive.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from integration.mapping import from_procore
from integration.mapping.from_procore import BadRecord, CostRef, reference, text
from integration.models import CostCode, CostType, Project
from integration.services.pull.context import PullRun
from integration.services.pull.cost_items import cost_item_of, rename_cost_items
from integration.services.pull.upsert import save_erp_record, save_plain_record, store
from integration.services.status import TransitionRefused
from procore_client.errors import ProcoreError


def pull_cost_codes(pull: PullRun) -> None:
    """The link's cost types, then the codes of its standard cost code list."""
    try:
        types = pull.call("cost types", pull.client.list_line_item_types)
    except ProcoreError as exc:
        pull.scope_failed("costtype", None, "line item types", exc)
    else:
        seen = set()
        for data in types:
            pull.read()
            cost_type = store_cost_type(pull, data)
            if cost_type is not None:
                seen.add(cost_type.pk)
        for cost_type in CostType.objects.filter(link=pull.link, active=True).exclude(pk__in=seen):
            cost_type.active = False
            cost_type.save(update_fields=["active"])
            pull.count("costtype", "removed")

    list_id = standard_list_id(pull)
    if list_id is None:
        return
    try:
        codes = pull.call("standard cost codes", pull.client.list_standard_cost_codes, list_id)
    except ProcoreError as exc:
        pull.scope_failed("costcode", list_id, "standard cost codes", exc)
        return
    seen = set()
    for data in codes:
        pull.read()
        cost_code = store_cost_code(pull, data)
        if cost_code is not None:
            seen.add(cost_code.pk)
    pull.standard_code_ids = set(
        CostCode.objects.filter(pk__in=seen).exclude(procore_id=None).values_list("procore_id", flat=True))
    for cost_code in CostCode.objects.filter(link=pull.link, active=True).exclude(pk__in=seen):
        cost_code.active = False
        cost_code.save(update_fields=["active"])
        pull.count("costcode", "removed")


def standard_list_id(pull: PullRun) -> int | None:
    """The link's one standard cost code list (WBS-1), chosen as the CSV import chooses it (BOOK-9)."""
    from integration.services.cost_codes_procore import choose_standard_list

    if pull.link.procore_standard_cost_code_list_id:
        return pull.link.procore_standard_cost_code_list_id
    try:
        lists = pull.call("standard cost code lists", pull.client.list_standard_cost_code_lists)
    except ProcoreError as exc:
        pull.scope_failed("costcode", None, "standard cost code lists", exc)
        return None
    list_id, why = choose_standard_list(pull.link, lists)
    if list_id is None and lists:
        pull.error("costcode", None, "standard cost code list", why)
    return list_id


def _by_id_or_code(model, pull: PullRun, procore_id: int, code: str):
    return (model.objects.select_for_update().filter(link=pull.link, procore_id=procore_id).first()
            or model.objects.select_for_update().filter(link=pull.link, code=code).first())


def store_cost_type(pull: PullRun, data: dict) -> CostType | None:
    def write(procore_id):
        values = from_procore.cost_type(data)
        outcome, _diff = save_plain_record(pull, CostType, _by_id_or_code(CostType, pull, procore_id, values["code"]),
                                           procore_id, values)
        return outcome

    outcome = store(pull, CostType, data, text(data.get("code")) or "cost type", write)
    return outcome.record if outcome else None


def store_cost_code(pull: PullRun, data: dict) -> CostCode | None:
    def write(procore_id):
        values = from_procore.cost_code(data)
        outcome, diff = save_plain_record(pull, CostCode, _by_id_or_code(CostCode, pull, procore_id, values["code"]),
                                          procore_id, values)
        if "code" in diff or "name" in diff:
            rename_cost_items(pull, outcome.record)
        return outcome

    outcome = store(pull, CostCode, data, text(data.get("code")) or "cost code", write)
    return outcome.record if outcome else None


def pull_project_cost_codes(pull: PullRun, project: Project) -> None:
    """The project's cost codes: how many, and whether all come from the standard list (PRJ-1, PRJ-3)."""
    try:
        codes = pull.call("project cost codes", pull.client.list_project_cost_codes, project.procore_id)
    except ProcoreError as exc:
        pull.scope_failed("project", project.procore_id, f"{project}: cost codes", exc)
        return
    standard = pull.standard_code_ids
    if standard is None:
        standard = set(CostCode.objects.filter(link=pull.link).exclude(procore_id=None)
                       .values_list("procore_id", flat=True))
    count, from_standard = 0, True
    try:
        for data in codes:
            pull.read()
            count += 1
            std_id = reference(data.get("standard_cost_code_id"))
            if std_id is None or (standard and std_id not in standard):
                from_standard = False
            pcc_id = reference(data.get("id"))
            cost_code = CostCode.objects.filter(link=pull.link, procore_id=std_id).first() if std_id else None
            if pcc_id is not None and cost_code is not None:
                pull.cost_code_by_project_code[pcc_id] = cost_code
                for cost_type in data.get("line_item_types") or []:
                    if isinstance(cost_type, dict):
                        with transaction.atomic():
                            cost_item_of(pull, CostRef(data | {"standard_cost_code_id": std_id}, cost_type))
    except (BadRecord, DatabaseError) as exc:
        pull.error("project", project.procore_id, str(project), f"bad cost code: {exc}")
        return

    try:
        with transaction.atomic():
            outcome = save_erp_record(pull, Project, project.procore_id, {
                "cost_code_count": count, "uses_standard_cost_code_list": from_standard})
    except (BadRecord, DatabaseError, TransitionRefused) as exc:
        pull.count("project", "failed")
        pull.error("project", project.procore_id, str(project), f"cost codes could not be stored: {exc}")
        return
    if outcome.changed and ("project", project.pk) not in pull.touched:
        pull.count("project", "updated")
        pull.touched.add(("project", project.pk))
