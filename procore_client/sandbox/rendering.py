"""How the Procore sandbox answers with a record: the fields and nested objects Procore's schema lists
for that endpoint, computed totals, and nothing the schema does not have."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from procore_client.enums import COMMITMENT_KINDS

from .progress import requisition_progress
from .records import (
    COMMITMENT_TYPES,
    COMPANY_CURRENCY,
    dec,
    money,
)

#: Fields the store keeps that Procore's answers for that kind do not have (OAS response schemas:
#: RestV10CompaniesCompanyIdProjectStagesGet, RestV10StandardCostCodeListsGet,
#: RestV10StandardCostCodesGet, RestV10LineItemTypesGet list no company_id, created_at or updated_at;
#: RestV10WorkOrderContractsIdGet and RestV10PurchaseOrderContractsGet send vendor{id, company} and
#: project{id, name} rather than vendor_id and project_id, and no type; RestV10PrimeContractIdGet sends
#: vendor, not vendor_id or project_id; RestV10PrimeContractsPrimeContractIdPaymentApplicationsGet sends
#: contract{id, type, title}, not prime_contract_id or project_id; RestV10ProjectsIdGet has company{}
#: and no company_id).
UNSENT: dict[str, tuple[str, ...]] = {
    "project": ("company_id",),
    "project_stage": ("company_id", "created_at", "updated_at"),
    "standard_cost_code_list": ("company_id", "created_at", "updated_at"),
    "standard_cost_code": ("company_id", "created_at", "updated_at"),
    "line_item_type": ("company_id", "created_at", "updated_at"),
    "tax_code": ("company_id", "created_at", "updated_at"),  # OAS:RestV10TaxCodesGet lists neither
    "work_order_contract": ("vendor_id", "project_id", "type"),
    "purchase_order_contract": ("vendor_id", "project_id", "type"),
    "prime_contract": ("vendor_id", "project_id"),
    "payment_application": ("prime_contract_id", "project_id"),
    "direct_cost": ("project_id",),
}


#: Fields a sync endpoint's entity does not carry beyond UNSENT (RestV10ProjectsSyncPatch entities[]).
SYNC_UNSENT: dict[str, tuple[str, ...]] = {"project": ("company", "project_stage_id", "stage"),
                                           "direct_cost": ("project", "employee_id")}
#: The fields of a commitment's or direct cost's line item (RestV10WorkOrderContractsIdGet and
#: RestV11ProjectsProjectIdDirectCostsIdGet line_items[]): the ids the sandbox was given show as the
#: cost_code, line_item_type and wbs_code objects.
LINE_ITEM_SENT = frozenset(
    "amount change_event_line_item company cost_code created_at currency_configuration description "
    "extended_amount extended_type holder id line_item_type origin_data origin_id position project quantity "
    "ref tax_code_id total_amount unit_cost uom updated_at wbs_code".split())


#: RestV20CompaniesCompanyIdProjectsProjectIdCommitmentChangeOrdersCommitmentChangeOrderIdLineItemsGet data[].
CCO_LINE_SENT = frozenset(
    "amount commitment_line_item_id description extended_type id position prime_line_item_id quantity "
    "tax_code_id unit_cost uom wbs_code wbs_code_id work_breakdown_structure".split())


class StoreRendering:
    """Records rendered as Procore's API answers them, per kind and view (show or list)."""

    # -- rendering --------------------------------------------------------------------------------
    def company_ref(self) -> dict[str, Any]:
        return {"id": self.company_id, "name": self.company_name}

    def render(self, kind_name: str, record: dict[str, Any], *, view: str = "show") -> dict[str, Any]:
        """A record as the API answers it. The store keeps ids (vendor_id, project_id...) for its own
        lookups; Procore's answers carry some of them only as nested objects (vendor: {id, company}),
        and the rendering sends only the fields Procore's schema lists (tests/contract checks each)."""
        out = copy.deepcopy(record)
        render = getattr(self, f"_render_{kind_name}", None)
        if render is not None:
            render(out, view)
        if kind_name in (*COMMITMENT_KINDS, "direct_cost", "commitment_change_order") and view in ("list", "sync"):
            out.pop("line_items", None)
        for name in UNSENT.get(kind_name, ()):
            out.pop(name, None)
        if view == "sync":
            # The sync endpoints' entities (RestV10ProjectsSyncPatch, RestV10PurchaseOrderContractsSyncPatch)
            # are the list's shape; a project's has neither company nor the v1.0 list's stage name.
            for name in SYNC_UNSENT.get(kind_name, ()):
                out.pop(name, None)
        return out

    def _project_ref(self, project_id: int) -> dict[str, Any]:
        project = self.get("project", project_id) or {}
        return {"id": project_id, "name": project.get("name")}

    def _render_project(self, out: dict[str, Any], view: str) -> None:
        stage = self.get("project_stage", out.get("project_stage_id")) if out.get("project_stage_id") else None
        out["project_stage"] = {"id": stage["id"], "name": stage["name"]} if stage else None
        if view == "list":  # RestV10ProjectsGet has the stage's name as `stage`; the show has no `stage`
            out["stage"] = stage["name"] if stage else None
        out["display_name"] = f"{out.get('project_number')} - {out['name']}" if out.get("project_number") else out["name"]
        out["company"] = self.company_ref()

    def _line_ref(self, item: dict[str, Any], sent: frozenset[str] | None = LINE_ITEM_SENT) -> dict[str, Any]:
        item = self._coded(item)
        item["total_amount"] = item.get("amount")
        item["extended_amount"] = item.get("amount")
        return {k: v for k, v in item.items() if sent is None or k in sent}

    def direct_cost_line(self, direct_cost: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        """A direct cost line as the line items sync answers it (RestV10ProjectsProjectIdDirectCostsLineItemsSyncPatch
        entities[]: no ``ref``; its direct cost is the ``holder``)."""
        line = self._line_ref(item, sent=LINE_ITEM_SENT - {"ref"})
        line["holder"] = {"id": direct_cost["id"], "holder_type": "DirectCost"}
        line["project"] = self._project_ref(direct_cost["project_id"])
        return line

    def cco_line(self, item: dict[str, Any]) -> dict[str, Any]:
        """A change order line as v2.0 answers it: the cost shows as its WBS code only."""
        coded = self._coded(item)
        return {k: v for k, v in coded.items() if k in CCO_LINE_SENT}

    def _coded(self, item: dict[str, Any]) -> dict[str, Any]:
        """A line with its cost code, cost type and WBS code rendered as objects (from their ids)."""
        item = dict(item)
        cost_code = self.get("project_cost_code", item.get("cost_code_id")) if item.get("cost_code_id") else None
        lit = self.get("line_item_type", item.get("line_item_type_id")) if item.get("line_item_type_id") else None
        item["cost_code"] = ({k: cost_code.get(k) for k in ("id", "code", "name", "origin_id")} | {
            "full_code": cost_code.get("code")}) if cost_code else None
        item["line_item_type"] = {k: lit.get(k) for k in ("id", "name", "code", "base_type", "origin_id",
                                                          "origin_data")} if lit else None
        flat = ".".join(x for x in ((cost_code or {}).get("code"), (lit or {}).get("code")) if x)
        item["wbs_code"] = {"id": item.get("wbs_code_id"), "flat_code": flat or None,
                            "description": (cost_code or {}).get("name")}
        return item

    @staticmethod
    def currency_configuration(contract: dict[str, Any], *, rate_as_text: bool = False) -> dict[str, Any]:
        """BOOK-7: a contract's currency_configuration, and its invoices' (a requisition or payment
        application is in its contract's currency): currency_iso_code, currency_exchange_rate (to the
        project's currency) and base_currency_iso_code (the project's), as RestV11RequisitionsGet and
        RestV10PrimeContractsPrimeContractIdPaymentApplicationsGet describe it (the payment
        application's rate is a string there, the requisition's a number)."""
        code = contract.get("currency_iso_code") or COMPANY_CURRENCY
        rate = contract.get("currency_exchange_rate") or 1
        return {"currency_iso_code": code, "base_currency_iso_code": COMPANY_CURRENCY,
                "currency_exchange_rate": str(rate) if rate_as_text else float(rate)}

    def _commitment_common(self, out: dict[str, Any], kind_name: str) -> None:
        out["currency_configuration"] = self.currency_configuration(out)
        out.pop("currency_iso_code", None)
        out.pop("currency_exchange_rate", None)
        vendor = self.get("vendor", out.get("vendor_id")) if out.get("vendor_id") else None
        out["vendor"] = {"id": vendor["id"], "company": vendor["name"], "origin_id": vendor.get("origin_id"),
                         "origin_data": vendor.get("origin_data")} if vendor else None
        out["project"] = self._project_ref(out["project_id"])
        lines = out.get("line_items") or []
        out["line_items"] = [self._line_ref(li) for li in lines]
        total = sum((dec(li.get("amount")) for li in lines), Decimal("0"))
        approved = sum(
            (dec(li.get("amount")) for co in self.records["commitment_change_order"].values()
             if co["contract_id"] == out["id"] and co.get("status") == "approved" for li in co.get("line_items") or []),
            Decimal("0"),
        )
        payments = [p for p in self.records["contract_payment"].values() if p["contract_id"] == out["id"]]
        paid = sum((dec(p.get("amount")) for p in payments), Decimal("0"))
        out["grand_total"] = money(total, "grand_total")
        out["approved_change_orders"] = money(approved, "approved_change_orders")
        out["revised_contract"] = money(total + approved, "revised_contract")
        out["total_payments"] = money(paid, "total_payments")
        out["remaining_balance_outstanding"] = money(total + approved - paid, "remaining_balance_outstanding")
        out["payments_issued"] = [{k: p.get(k) for k in ("id", "amount", "check_number", "created_at", "date",
                                                         "draw_request_number", "invoice_number", "notes",
                                                         "payment_number", "origin_id", "origin_data")}
                                  for p in payments]

    def _render_work_order_contract(self, out: dict[str, Any], view: str) -> None:
        self._commitment_common(out, "work_order_contract")
        self._commitment_list_view(out, view)

    def _render_purchase_order_contract(self, out: dict[str, Any], view: str) -> None:
        self._commitment_common(out, "purchase_order_contract")
        self._commitment_list_view(out, view)

    @staticmethod
    def _commitment_list_view(out: dict[str, Any], view: str) -> None:
        # RestV10PurchaseOrderContractsGet: a listed commitment has vendor {id, company} and no
        # payments_issued (the show, RestV10WorkOrderContractsIdGet, has both in full). The work order
        # list's schema is empty in the extract; the sandbox answers it as the purchase order list.
        if view in ("list", "sync"):
            out.pop("payments_issued", None)
            if out.get("vendor"):
                out["vendor"] = {"id": out["vendor"]["id"], "company": out["vendor"]["company"]}

    def _render_commitment_change_order(self, out: dict[str, Any], view: str) -> None:
        lines = out.get("line_items") or []
        out["grand_total"] = money(sum((dec(li.get("amount")) for li in lines), Decimal("0")), "grand_total")
        # The v1.0 show's schema is empty in the extract: its lines are sent whole (see cco_line for v2.0).
        out["line_items"] = [self._line_ref(li, sent=None) for li in lines]
        found = self.find_commitment(out["contract_id"])
        out["contract"] = {"id": out["contract_id"], "title": found[1].get("title") if found else None,
                           "type": COMMITMENT_TYPES[found[0]] if found else None}

    def _render_requisition(self, out: dict[str, Any], view: str) -> None:
        found = self.find_commitment(out["commitment_id"])
        commitment = found[1] if found else {}
        vendor = self.get("vendor", commitment.get("vendor_id")) if commitment.get("vendor_id") else None
        out["commitment_type"] = COMMITMENT_TYPES[found[0]] if found else None
        out["currency_configuration"] = self.currency_configuration(commitment)
        out["contract_name"] = commitment.get("title")
        out["vendor_id"] = vendor["id"] if vendor else None
        out["vendor_name"] = vendor["name"] if vendor else None
        siblings = sorted((r for r in self.records["requisition"].values()
                           if r["commitment_id"] == out["commitment_id"]), key=lambda r: r["id"])
        ids = [r["id"] for r in siblings]
        out["number"] = ids.index(out["id"]) + 1 if out["id"] in ids else None
        out["previous_requisition_id"], progress = requisition_progress(siblings, out["id"])
        lines = {li["id"]: li for li in commitment.get("line_items") or []}
        items, gross_total, retained = [], Decimal("0"), Decimal("0")
        for item in out.get("items") or []:
            item = dict(item)
            line = lines.get(item.get("line_item_id")) or {}
            item.update(progress.get(item["id"], {}))
            item["cost_code_id"] = line.get("cost_code_id")
            item["description_of_work"] = line.get("description")
            item["scheduled_value"] = line.get("amount")
            ref = self._line_ref(line) if line else {}
            item["wbs_code"] = ref.get("wbs_code")
            items.append(item)
            gross_total += dec(item.get("gross_amount"))
            retained += dec(item.get("gross_amount")) - dec(item.get("net_amount"))
        out["items"] = items
        contract_sum = sum((dec(li.get("amount")) for li in lines.values()), Decimal("0"))
        out["total_claimed_amount"] = money(gross_total, "total_claimed_amount")
        out["summary"] = {
            "original_contract_sum": money(contract_sum, "x"),
            "total_completed_and_stored_to_date": money(gross_total, "x"),
            "total_retainage": money(retained, "x"),
            "total_earned_less_retainage": money(gross_total - retained, "x"),
            "current_payment_due": money(gross_total - retained, "x"),
        }
        out.setdefault("attachments", [])  # OAS:RestV11RequisitionsGet lists them on every view
        if view == "list":
            out.pop("items", None)

    def _render_direct_cost(self, out: dict[str, Any], view: str) -> None:
        # RestV11ProjectsProjectIdDirectCostsGet: the list's vendor is the vendor's name and it has
        # amount; RestV11ProjectsProjectIdDirectCostsIdGet: the show's vendor is {id, name}, with
        # line_items_count and project instead of amount.
        vendor = self.get("vendor", out.get("vendor_id")) if out.get("vendor_id") else None
        out["vendor_name"] = vendor["name"] if vendor else None
        lines = out.get("line_items") or []
        total = money(sum((dec(li.get("amount")) for li in lines), Decimal("0")), "grand_total")
        out["grand_total"] = total
        if view == "list":
            out["vendor"] = vendor["name"] if vendor else None
            out["amount"] = total
        else:
            out["vendor"] = {"id": vendor["id"], "name": vendor["name"]} if vendor else None
            out["line_items_count"] = len(lines)
            out["project"] = self._project_ref(out["project_id"])
        out["line_items"] = [self._line_ref(li) for li in lines]

    def _render_vendor(self, out: dict[str, Any], view: str) -> None:
        out["company"] = self.company_ref()

    def _render_prime_contract(self, out: dict[str, Any], view: str) -> None:
        # RestV10PrimeContractIdGet / RestV10PrimeContractsGet: the owner is the nested vendor (its
        # fields are not described by the extract; the sandbox sends id and company as commitments do).
        vendor = self.get("vendor", out.get("vendor_id")) if out.get("vendor_id") else None
        out["vendor"] = {"id": vendor["id"], "company": vendor["name"]} if vendor else None
        out.pop("currency_iso_code", None)
        out.pop("currency_exchange_rate", None)
        # RestV10PrimeContractIdGet sends the schedule of values (line_items[], each with its tax_code_id);
        # RestV10PrimeContractsGet lists none.
        lines = out.pop("line_items", None) or []
        if view == "show":
            out["line_items"] = [self._line_ref(li) for li in lines]

    def _render_payment_application(self, out: dict[str, Any], view: str) -> None:
        prime = self.get("prime_contract", out["prime_contract_id"]) or {}
        out["currency_configuration"] = self.currency_configuration(prime, rate_as_text=True)
        out["contract"] = {"id": out["prime_contract_id"], "type": "PrimeContract", "title": prime.get("title")}
        lines = out.pop("line_items", None) or []
        if not lines:
            out["line_items"] = []
        else:  # Procore computes the period's figures from the lines (a user's figure is kept without lines)
            rendered, accrued = [], Decimal("0")
            for line in lines:
                item = self._coded(line)
                this_period = dec(item.get("work_completed_this_period")) + dec(item.get("materials_presently_stored"))
                to_date = dec(item.get("work_completed_from_previous_application")) + this_period
                item["total_completed_and_stored_to_date"] = money(to_date, "x")
                item["balance_to_finish"] = money(dec(item.get("scheduled_value")) - to_date, "x")
                rendered.append(item)
                accrued += this_period
            out["line_items"] = rendered
            out["total_amount_accrued_this_period"] = money(accrued, "total_amount_accrued_this_period")
        if view == "list":  # headers only: the lines come with the show answer (UNCONFIRMED, §12)
            out.pop("line_items", None)
            out.pop("attachments", None)  # not in RestV10PrimeContractsPrimeContractIdPaymentApplicationsGet
        else:
            out.setdefault("attachments", [])
