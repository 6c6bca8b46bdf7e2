"""Direct costs: the job costs written from Xero (JC-1..3).

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..answers import SyncResult
from .base import V10, V11, Calls, Since, filters

#: Direct cost create/update accept at most 100 line items (``OAS:RestV11ProjectsProjectIdDirectCostsPost``).
DIRECT_COST_MAX_LINE_ITEMS = 100


class DirectCostCalls(Calls):
    """A project's direct costs (api/procore.md §11)."""

    # -- direct costs -------------------------------------------------------------------------------
    def list_direct_costs(self, project_id: int, *, updated_since: Since = None, origin_id: str | None = None,
                          invoice_number: str | None = None) -> list[dict]:
        """``GET /rest/v1.1/projects/{p}/direct_costs``: headers only (no line items)."""
        return self.list_all(f"{V11}/projects/{int(project_id)}/direct_costs",
                             filters(origin_id=origin_id, invoice_number=invoice_number),
                             updated_since=updated_since)

    def get_direct_cost(self, project_id: int, direct_cost_id: int) -> dict:
        """``{id, direct_cost_type, status, vendor{id,name}, vendor_id, invoice_number, direct_cost_date,
        received_date, payment_date, grand_total, origin_id, line_items[]{id, amount, quantity, unit_cost,
        description, cost_code, line_item_type, wbs_code, origin_id}}``."""
        return self.get(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}", expect=dict)

    def create_direct_cost(self, project_id: int, direct_cost: dict[str, Any]) -> dict:
        """``POST /rest/v1.1/projects/{p}/direct_costs`` ``{direct_cost: {direct_cost_type*, vendor_id*,
        invoice_number (type invoice), ..., line_items[] (<= 100) {wbs_code_id*, ...}}}``."""
        self._check_line_items(direct_cost)
        return self.post(f"{V11}/projects/{int(project_id)}/direct_costs", {"direct_cost": direct_cost})

    def update_direct_cost(self, project_id: int, direct_cost_id: int, direct_cost: dict[str, Any]) -> dict:
        self._check_line_items(direct_cost)
        return self.patch(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}",
                          {"direct_cost": direct_cost})

    def sync_direct_costs(self, project_id: int, updates: Iterable[dict[str, Any]]) -> SyncResult:
        """``PATCH /rest/v1.0/projects/{p}/direct_costs/sync`` ``{updates}``: headers (no line items),
        created or updated by ``id`` or ``origin_id``, up to 1000 per call; each refused element comes
        back in ``errors`` with its input and ``errors`` (``OAS:RestV10ProjectsProjectIdDirectCostsSyncPatch``,
        ``DOC:tutorials/using_sync_actions.md``). Procore refuses concurrent calls on one direct cost (409)."""
        return self.sync(f"{V10}/projects/{int(project_id)}/direct_costs/sync", updates)

    def sync_direct_cost_line_items(self, project_id: int, updates: Iterable[dict[str, Any]]) -> SyncResult:
        """``PATCH /rest/v1.0/projects/{p}/direct_costs/line_items/sync`` ``{updates}``: lines of any of
        the project's direct costs (``direct_cost_id`` and ``cost_code_id`` + ``line_item_type_id`` or
        ``wbs_code_id`` when creating), up to 1000 per call, errors per element as above
        (``OAS:RestV10ProjectsProjectIdDirectCostsLineItemsSyncPatch``)."""
        return self.sync(f"{V10}/projects/{int(project_id)}/direct_costs/line_items/sync", updates)

    def delete_direct_cost(self, project_id: int, direct_cost_id: int) -> None:
        self.delete(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}")

    def set_direct_cost_origin_id(self, project_id: int, direct_cost_id: int, origin_id: str | None,
                                  origin_data: str | None = None) -> dict:
        data: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            data["origin_data"] = origin_data
        return self.update_direct_cost(project_id, direct_cost_id, data)

    def clear_direct_cost_origin_id(self, project_id: int, direct_cost_id: int) -> dict:
        return self.set_direct_cost_origin_id(project_id, direct_cost_id, None)

    @staticmethod
    def _check_line_items(direct_cost: dict[str, Any]) -> None:
        items = direct_cost.get("line_items") or []
        if len(items) > DIRECT_COST_MAX_LINE_ITEMS:
            raise ValueError(f"Procore takes at most {DIRECT_COST_MAX_LINE_ITEMS} line items per direct cost call")
