"""The figures Procore carries from one subcontractor invoice to the next on the same commitment (RET-1).

A requisition item's "this period" fields are what the user entered for the period; its balances and
"from previous" fields are Procore's, computed from the invoice before it on the commitment (by number):
OAS:RestV11RequisitionsIdPatch lists ``previous_requisition_id``, ``previous_progress_id``,
``work_completed_from_previous_application``, ``materials_presently_stored_from_previous_progress``,
``total_completed_and_stored_to_date`` (+ ``_from_previous``) and
``work_completed_retainage_from_previous_application`` on the answer. ``materials_presently_stored`` and
``materials_stored_retainage_currently_retained`` are balances (Procore support, "How do I bill for stored
materials in Procore?": column F "covers both materials newly stored ... and 'Materials Previously
Stored'"; the payment application line item schema lists "currently retained" beside "from previous
application" and "retained this period").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .records import dec, money

ZERO = Decimal("0")


def _key(item: dict[str, Any]) -> tuple:
    return (item.get("item_type"), item.get("line_item_id"), item.get("detail_line_item_id"))


def requisition_progress(requisitions: list[dict[str, Any]], requisition_id: int) -> tuple[int | None, dict[int, dict]]:
    """(previous_requisition_id, {item id: the computed fields}) for one requisition of a commitment;
    ``requisitions`` are the commitment's, in number order."""
    carried: dict[tuple, dict[str, Any]] = {}
    previous_id = None
    for requisition in requisitions:
        derived: dict[int, dict] = {}
        for item in requisition.get("items") or []:
            before = carried.get(_key(item), {})
            work, stored = dec(item.get("work_completed_this_period")), dec(item.get("materials_presently_stored"))
            stored_before = (dec(item["materials_presently_stored_from_previous_progress"])
                             if item.get("materials_presently_stored_from_previous_progress") not in (None, "")
                             else before.get("stored", ZERO))
            work_before = before.get("work", ZERO)
            held, held_before = dec(item.get("materials_stored_retainage_currently_retained")), before.get("held", ZERO)
            # Procore's writes take the materials' retainage as its balance and no released figure for it
            # (OAS:RestV11RequisitionsPost items[] have materials_stored_retainage_currently_retained, not
            # ..._released_this_period); a balance lowered from the previous invoice's is read here as
            # released this period. UNCONFIRMED how Procore derives it.
            materials_released = max(held_before - held, ZERO)
            work_retainage_before = before.get("work_retainage", ZERO)
            to_date_before = work_before + stored_before
            to_date = work_before + work + stored
            derived[item["id"]] = {
                "previous_progress_id": before.get("id"),
                "work_completed_from_previous_application": money(work_before, "x"),
                "materials_presently_stored_from_previous_progress": money(stored_before, "x"),
                "total_completed_and_stored_to_date_from_previous": money(to_date_before, "x"),
                "total_completed_and_stored_to_date": money(to_date, "x"),
                "work_completed_retainage_from_previous_application": money(work_retainage_before, "x"),
                "materials_stored_retainage_released_this_period": money(materials_released, "x"),
                "gross_amount": money(to_date - to_date_before, "x"),
                "net_amount": money(to_date - to_date_before - dec(item.get("work_completed_retainage_retained_this_period"))
                                    - max(held - held_before, ZERO)
                                    + dec(item.get("work_completed_retainage_released_this_period")) + materials_released, "x"),
            }
            carried[_key(item)] = {
                "id": item["id"], "work": work_before + work, "stored": stored, "held": held,
                "work_retainage": work_retainage_before + dec(item.get("work_completed_retainage_retained_this_period"))
                - dec(item.get("work_completed_retainage_released_this_period")),
            }
        if requisition["id"] == requisition_id:
            return previous_id, derived
        previous_id = requisition["id"]
    return None, {}
