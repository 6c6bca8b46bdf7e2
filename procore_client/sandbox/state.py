"""The sandbox's data: one company, its records, the validation and rendering of each kind."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from procore_client.enums import COMMITMENT_KINDS, REQUISITION_ITEM_TYPES

from .records import (
    COMMITMENT_TYPES,
    KINDS,
    LINE_ITEM_FIELDS,
    ORIGIN_FIELDS,
    PAY_APP_LINE_FIELDS,
    PAY_APP_LINE_MONEY,
    REQUISITION_ITEM_FIELDS,
    REQUISITION_ITEM_MONEY,
    Kind,
    ValidationFailed,
    dec,
    money,
    to_int,
)

ID_FIELDS = ("vendor_id", "project_stage_id", "standard_cost_code_list_id", "parent_id", "standard_cost_code_id",
             "contract_id", "commitment_id", "requisition_id", "prime_contract_id", "employee_id", "period_id",
             "batch_id", "assignee_id", "contractor_id", "architect_id", "payment_number", "draw_request_number")


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
    "work_order_contract": ("vendor_id", "project_id", "type"),
    "purchase_order_contract": ("vendor_id", "project_id", "type"),
    "prime_contract": ("vendor_id", "project_id"),
    "payment_application": ("prime_contract_id", "project_id"),
    "direct_cost": ("project_id",),
}
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


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10] if not isinstance(value, datetime) else value.isoformat()
    text = str(value)
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationFailed({name: ["is not a valid date"]}) from None
    return text


class Store:
    """Records by kind; ids are 64-bit-sized integers shared by all kinds (§4: store ids as int64)."""

    def __init__(self, clock, company_id: int, company_name: str):
        self.clock = clock
        self.company_id = company_id
        self.company_name = company_name
        self.records: dict[str, dict[int, dict[str, Any]]] = {k: {} for k in KINDS}
        self._next_id = company_id + 1000

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def now(self) -> str:
        return iso(self.clock())

    # -- lookups ----------------------------------------------------------------------------------
    def get(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        try:
            return self.records[kind].get(int(record_id))
        except (TypeError, ValueError):
            return None

    def find_commitment(self, record_id: Any) -> tuple[str, dict[str, Any]] | None:
        for kind in COMMITMENT_KINDS:
            record = self.get(kind, record_id)
            if record is not None:
                return kind, record
        return None

    def by_origin_id(self, kind: str, origin_id: str) -> dict[str, Any] | None:
        for record in self.records[kind].values():
            if record.get("origin_id") == origin_id:
                return record
        return None

    # -- writes -----------------------------------------------------------------------------------
    def create(self, kind_name: str, data: dict[str, Any], *, project_id: int | None = None) -> dict[str, Any]:
        kind = KINDS[kind_name]
        if not isinstance(data, dict):
            raise ValidationFailed(f"param is missing or the value is empty: {kind_name}", status=400)
        record: dict[str, Any] = {"id": self.new_id(), **copy.deepcopy(kind.defaults)}
        if kind.scope == "project":
            project_id = project_id if project_id is not None else data.get("project_id")
            if project_id is None or self.get("project", project_id) is None:
                raise ValidationFailed({"project_id": ["must exist"]}, status=404 if project_id else 400)
            record["project_id"] = int(project_id)
        else:
            record["company_id"] = self.company_id
        self._assign(kind, record, data, creating=True)
        now = self.now()
        record["created_at"] = record["updated_at"] = now
        self.records[kind_name][record["id"]] = record
        return record

    def update(self, kind_name: str, record: dict[str, Any], data: dict[str, Any], *, force: bool = False) -> bool:
        """Apply a partial update; return True when something changed (updated_at is bumped then)."""
        kind = KINDS[kind_name]
        if not isinstance(data, dict):
            raise ValidationFailed(f"param is missing or the value is empty: {kind_name}", status=400)
        before = copy.deepcopy(record)
        candidate = copy.deepcopy(record)
        self._assign(kind, candidate, data, creating=False)
        changed = {k for k in set(candidate) | set(before) if candidate.get(k) != before.get(k)}
        if kind.locked_by_origin_id and before.get("origin_id") and not force:
            # §13 / OAS:RestV10ContractPaymentsIdPatch: "All attributes other than 'attachments',
            # 'origin_id', and 'origin_data' will be locked if ... synced with an ERP system."
            locked = sorted(changed - set(ORIGIN_FIELDS))
            if locked:
                raise ValidationFailed({"base": [
                    f"This {kind_name.replace('_', ' ')} is synced with an ERP system and cannot be edited "
                    f"({', '.join(locked)})"]})
        if changed:
            candidate["updated_at"] = self.now()
            record.clear()
            record.update(candidate)
        return bool(changed)

    def delete(self, kind_name: str, record: dict[str, Any]) -> None:
        kind = KINDS[kind_name]
        if kind.locked_by_origin_id and record.get("origin_id"):
            raise ValidationFailed({"base": ["A record synced with an ERP system cannot be deleted"]})
        self.records[kind_name].pop(record["id"], None)

    # -- validation -------------------------------------------------------------------------------
    def _assign(self, kind: Kind, record: dict[str, Any], data: dict[str, Any], *, creating: bool) -> None:
        errors: dict[str, list[str]] = {}
        for key, value in data.items():
            if key not in kind.fields:
                continue  # Rails strong parameters drop unpermitted keys silently
            try:
                record[key] = self._coerce(kind, key, value)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        for name in kind.required:
            if record.get(name) in (None, ""):
                errors.setdefault(name, []).append("can't be blank")
        for name, allowed in kind.enums.items():
            if record.get(name) is not None and record[name] not in allowed:
                errors.setdefault(name, []).append("is not included in the list")
        if errors:
            raise ValidationFailed(errors)
        self._check_references(kind, record)
        if "line_items" in data and kind.name in (*COMMITMENT_KINDS, "commitment_change_order", "direct_cost"):
            record["line_items"] = self._line_items(kind.name, record, data["line_items"])
        elif creating and kind.name in (*COMMITMENT_KINDS, "commitment_change_order", "direct_cost"):
            record["line_items"] = []
        if kind.name == "requisition" and ("items" in data or creating):
            record["items"] = self._requisition_items(record, data.get("items") or [])
        if kind.name == "payment_application" and ("line_items" in data or creating):
            record["line_items"] = self._payment_application_items(record, data.get("line_items") or [])
        if kind.name == "direct_cost" and record.get("direct_cost_type") == "invoice" and not record.get(
            "invoice_number"
        ):
            # OAS:RestV11ProjectsProjectIdDirectCostsPost: invoice_number "required when type=invoice" (§11).
            raise ValidationFailed({"invoice_number": ["can't be blank"]})
        if kind.has_origin_id and record.get("origin_id"):
            # §13: origin_id unique per object type per company (422 on a clash).
            for other in self.records[kind.name].values():
                if other["id"] != record["id"] and other.get("origin_id") == record["origin_id"]:
                    raise ValidationFailed({"origin_id": ["has already been taken"]})

    def _coerce(self, kind: Kind, key: str, value: Any) -> Any:
        if key in kind.money or key == "amount":
            return money(value, key)
        if key in ID_FIELDS:
            return to_int(value, key)
        if key.endswith("_date") or key in ("date", "period_start", "period_end", "requisition_start",
                                            "requisition_end"):
            return _date(value, key)
        if key == "origin_id":
            return None if value in (None, "") else str(value)
        return value

    def _check_references(self, kind: Kind, record: dict[str, Any]) -> None:
        def need(field: str, target: str, *, optional: bool = True) -> None:
            value = record.get(field)
            if value is None:
                if not optional:
                    raise ValidationFailed({field: ["can't be blank"]})
                return
            if self.get(target, value) is None:
                raise ValidationFailed({field: ["must exist"]})

        if kind.name in ("vendor",):
            need("parent_id", "vendor")
        if kind.name == "project":
            need("project_stage_id", "project_stage")
        if kind.name == "standard_cost_code":
            need("standard_cost_code_list_id", "standard_cost_code_list", optional=False)
        if kind.name in (*COMMITMENT_KINDS, "direct_cost", "prime_contract"):
            need("vendor_id", "vendor")
        if kind.name == "project_cost_code":
            need("standard_cost_code_id", "standard_cost_code")
        if kind.name in ("commitment_change_order", "contract_payment"):
            found = self.find_commitment(record.get("contract_id"))
            if kind.name == "contract_payment" and found is None:
                found = ("prime_contract", self.get("prime_contract", record.get("contract_id")))
                found = found if found[1] else None  # payments received on prime contracts (§12)
            if found is None or found[1]["project_id"] != record["project_id"]:
                raise ValidationFailed({"contract_id": ["must exist"]})
        if kind.name == "requisition":
            found = self.find_commitment(record.get("commitment_id"))
            if found is None or found[1]["project_id"] != record["project_id"]:
                raise ValidationFailed({"commitment_id": ["must exist"]})
        if kind.name == "contract_payment" and record.get("requisition_id") is not None:
            need("requisition_id", "requisition")
        if kind.name == "payment_application":
            prime = self.get("prime_contract", record.get("prime_contract_id"))
            if prime is None or prime["project_id"] != record["project_id"]:
                raise ValidationFailed({"prime_contract_id": ["must exist"]})

    def _line_items(self, kind_name: str, record: dict[str, Any], items: Any) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise ValidationFailed({"line_items": ["must be an array"]})
        if kind_name == "direct_cost" and len(items) > 100:
            # OAS:RestV11ProjectsProjectIdDirectCostsPost: at most 100 line items per request.
            raise ValidationFailed({"line_items": ["is too long (maximum is 100 line items)"]})
        existing = {item["id"]: item for item in record.get("line_items") or []}
        result = []
        for position, raw in enumerate(items, start=1):
            if not isinstance(raw, dict):
                raise ValidationFailed({"line_items": ["must be objects"]})
            item = dict(existing.get(to_int(raw.get("id"), "id"), {})) if raw.get("id") is not None else {}
            item.setdefault("id", self.new_id())
            for key, value in raw.items():
                if key not in LINE_ITEM_FIELDS:
                    continue
                if key in ("amount", "unit_cost", "quantity", "manual_amount"):
                    item[key] = money(value, f"line_items.{key}")
                elif key.endswith("_id") and key not in ("origin_id",):
                    item[key] = to_int(value, f"line_items.{key}")
                else:
                    item[key] = value
            if "manual_amount" in item and item.get("amount") is None:
                item["amount"] = item.pop("manual_amount")
            if item.get("amount") is None and item.get("quantity") is not None and item.get("unit_cost") is not None:
                item["amount"] = money(dec(item["quantity"]) * dec(item["unit_cost"]), "amount")
            if item.get("amount") is None:
                raise ValidationFailed({"line_items.amount": ["can't be blank"]})
            if kind_name == "direct_cost" and item.get("wbs_code_id") is None and (
                item.get("cost_code_id") is None or item.get("line_item_type_id") is None
            ):
                # v1.1 wants wbs_code_id; the legacy cost_code_id + line_item_type_id pair is still accepted
                # on many endpoints (§7 WBS, DOC:tutorials/tutorial_wbs.md) — the sandbox takes either.
                raise ValidationFailed({"line_items.wbs_code_id": ["can't be blank"]})
            for ref, target in (("cost_code_id", "project_cost_code"), ("line_item_type_id", "line_item_type")):
                if item.get(ref) is not None and self.get(target, item[ref]) is None:
                    raise ValidationFailed({f"line_items.{ref}": ["must exist"]})
            item.setdefault("position", position)
            item.setdefault("created_at", self.now())
            item["updated_at"] = self.now()
            result.append(item)
        return result

    def _requisition_items(self, record: dict[str, Any], items: Any) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise ValidationFailed({"items": ["must be an array"]})
        found = self.find_commitment(record["commitment_id"])
        lines = {li["id"]: li for li in (found[1].get("line_items") or [])} if found else {}
        existing = {item["id"]: item for item in record.get("items") or []}
        result = []
        for raw in items:
            if not isinstance(raw, dict):
                raise ValidationFailed({"items": ["must be objects"]})
            item = dict(existing.get(to_int(raw.get("id"), "id"), {})) if raw.get("id") is not None else {}
            item.setdefault("id", self.new_id())
            for key, value in raw.items():
                if key in REQUISITION_ITEM_MONEY:
                    item[key] = money(value, f"items.{key}")
                elif key in ("line_item_id", "detail_line_item_id"):
                    item[key] = to_int(value, f"items.{key}")
                elif key in REQUISITION_ITEM_FIELDS:
                    item[key] = value
            # OAS:RestV11RequisitionsPost: items[].item_type required.
            if item.get("item_type") not in REQUISITION_ITEM_TYPES:
                raise ValidationFailed({"items.item_type": ["is not included in the list"]})
            if item["item_type"] == "contract_item":
                if item.get("line_item_id") not in lines:
                    raise ValidationFailed({"items.line_item_id": ["must be a line item of the commitment"]})
            result.append(item)
        return result

    def _payment_application_items(self, record: dict[str, Any], items: Any) -> list[dict[str, Any]]:
        """Owner invoice lines, matched by id like other line items (an omitted line is removed)."""
        if not isinstance(items, list):
            raise ValidationFailed({"line_items": ["must be an array"]})
        existing = {item["id"]: item for item in record.get("line_items") or []}
        result = []
        for position, raw in enumerate(items, start=1):
            if not isinstance(raw, dict):
                raise ValidationFailed({"line_items": ["must be objects"]})
            item = dict(existing.get(to_int(raw.get("id"), "id"), {})) if raw.get("id") is not None else {}
            item.setdefault("id", self.new_id())
            for key, value in raw.items():
                if key in PAY_APP_LINE_MONEY:
                    item[key] = money(value, f"line_items.{key}")
                elif key in ("item_number", "cost_code_id", "line_item_type_id", "wbs_code_id"):
                    item[key] = to_int(value, f"line_items.{key}")
                elif key in PAY_APP_LINE_FIELDS:
                    item[key] = value
            item.setdefault("item_number", position)
            cost_code = self.get("project_cost_code", item.get("cost_code_id")) if item.get("cost_code_id") else None
            if item.get("cost_code_id") is not None and (cost_code is None
                                                         or cost_code["project_id"] != record["project_id"]):
                raise ValidationFailed({"line_items.cost_code_id": ["must exist"]})
            if item.get("line_item_type_id") is not None and self.get("line_item_type", item["line_item_type_id"]) is None:
                raise ValidationFailed({"line_items.line_item_type_id": ["must exist"]})
            result.append(item)
        return result

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
        if kind_name in (*COMMITMENT_KINDS, "direct_cost", "commitment_change_order") and view == "list":
            out.pop("line_items", None)
        for name in UNSENT.get(kind_name, ()):
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

    def _commitment_common(self, out: dict[str, Any], kind_name: str) -> None:
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
        if view == "list":
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
        out["contract_name"] = commitment.get("title")
        out["vendor_id"] = vendor["id"] if vendor else None
        out["vendor_name"] = vendor["name"] if vendor else None
        siblings = sorted(r["id"] for r in self.records["requisition"].values()
                          if r["commitment_id"] == out["commitment_id"])
        out["number"] = siblings.index(out["id"]) + 1 if out["id"] in siblings else None
        lines = {li["id"]: li for li in commitment.get("line_items") or []}
        items, gross_total, retained = [], Decimal("0"), Decimal("0")
        for item in out.get("items") or []:
            item = dict(item)
            line = lines.get(item.get("line_item_id")) or {}
            work = dec(item.get("work_completed_this_period"))
            stored = dec(item.get("materials_presently_stored"))
            ret = dec(item.get("work_completed_retainage_retained_this_period")) + dec(
                item.get("materials_stored_retainage_currently_retained"))
            item["cost_code_id"] = line.get("cost_code_id")
            item["description_of_work"] = line.get("description")
            item["scheduled_value"] = line.get("amount")
            item["gross_amount"] = money(work + stored, "gross_amount")
            item["net_amount"] = money(work + stored - ret, "net_amount")
            ref = self._line_ref(line) if line else {}
            item["wbs_code"] = ref.get("wbs_code")
            items.append(item)
            gross_total += work + stored
            retained += ret
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

    def _render_payment_application(self, out: dict[str, Any], view: str) -> None:
        prime = self.get("prime_contract", out["prime_contract_id"]) or {}
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

    def snapshot(self) -> dict[str, Any]:
        return {kind: [copy.deepcopy(r) for r in records.values()] for kind, records in self.records.items()}
