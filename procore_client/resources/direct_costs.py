"""Direct costs: the job costs written from Xero (JC-1..3).

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from typing import Any

from .base import V11, Calls, Since, filters

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
