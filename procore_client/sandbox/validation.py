"""How the Procore sandbox checks a write before it is stored: permitted fields, types, required fields,
enums, references and the line items of each kind (sources cited per rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from procore_client.enums import COMMITMENT_KINDS, REQUISITION_ITEM_TYPES

from .records import (
    LINE_ITEM_FIELDS,
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


class StoreValidation:
    """The checks and coercions of a record's fields and its lines."""

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
        # A prime contract's schedule of values (OAS:RestV10PrimeContractIdGet line_items[]) is kept like a
        # commitment's: each line may carry its Procore tax code (tax_code_id).
        lined = (*COMMITMENT_KINDS, "commitment_change_order", "direct_cost", "prime_contract")
        if "line_items" in data and kind.name in lined:
            record["line_items"] = self._line_items(kind.name, record, data["line_items"])
        elif creating and kind.name in lined:
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
            # A code appears once among its siblings of a list, as on Procore's cost code import
            # (UNCONFIRMED: Procore's exact message; the Rails uniqueness wording is used).
            for other in self.records["standard_cost_code"].values():
                if other["id"] != record["id"] and (other.get("standard_cost_code_list_id"), other.get("parent_id"),
                                                    str(other.get("code"))) == (
                        record.get("standard_cost_code_list_id"), record.get("parent_id"), str(record.get("code"))):
                    raise ValidationFailed({"code": ["has already been taken"]})
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

    def _matched_lines(self, record: dict[str, Any], items: Any, field: str, *,
                       limit: int | None = None) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        """The one way every kind's lines are matched: each line written, with its position and the stored
        line it updates (by id; a line without an id, or with one the record lacks, is a new line with a
        new id). The list written replaces the stored one, so a stored line left out is removed."""
        if not isinstance(items, list):
            raise ValidationFailed({field: ["must be an array"]})
        if limit is not None and len(items) > limit:
            raise ValidationFailed({field: [f"is too long (maximum is {limit} line items)"]})
        existing = {item["id"]: item for item in record.get(field) or []}
        matched = []
        for position, raw in enumerate(items, start=1):
            if not isinstance(raw, dict):
                raise ValidationFailed({field: ["must be objects"]})
            item = dict(existing.get(to_int(raw.get("id"), "id"), {})) if raw.get("id") is not None else {}
            item.setdefault("id", self.new_id())
            matched.append((position, raw, item))
        return matched

    def _line_items(self, kind_name: str, record: dict[str, Any], items: Any) -> list[dict[str, Any]]:
        # OAS:RestV11ProjectsProjectIdDirectCostsPost: at most 100 line items per request.
        limit = 100 if kind_name == "direct_cost" else None
        result = []
        for position, raw, item in self._matched_lines(record, items, "line_items", limit=limit):
            for key, value in raw.items():
                if key not in LINE_ITEM_FIELDS:
                    continue
                if key in ("amount", "unit_cost", "quantity", "manual_amount"):
                    item[key] = money(value, f"line_items.{key}")
                elif key.endswith("_id") and key not in ("origin_id",):
                    item[key] = to_int(value, f"line_items.{key}")
                else:
                    item[key] = value
            if kind_name == "direct_cost" and item.get("quantity") is not None and item.get("unit_cost") is not None \
                    and "manual_amount" not in raw:
                # A direct cost line's amount is calculated: quantity × unit cost (OAS
                # RestV11ProjectsProjectIdDirectCostsPost: its line items have quantity, unit_cost and
                # manual_amount, no amount; RestV10...DirectCostIdLineItemsPost: extended_type "calculated"
                # amount from quantity and unit cost, or "manual"). Whether Procore ignores a disagreeing
                # `amount` or refuses it is UNCONFIRMED: the sandbox refuses it, so a line that would book
                # another amount than the one sent cannot pass unseen.
                calculated = money(dec(item["quantity"]) * dec(item["unit_cost"]), "amount")
                if item.get("amount") is not None and dec(item["amount"]) != dec(calculated):
                    raise ValidationFailed({"line_items.amount": [
                        f"must be quantity × unit_cost ({item['quantity']} × {item['unit_cost']} = {calculated}), "
                        f"not {item['amount']}"]})
                item["amount"] = calculated
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
            for ref, target in (("cost_code_id", "project_cost_code"), ("line_item_type_id", "line_item_type"),
                                ("tax_code_id", "tax_code")):
                if item.get(ref) is not None and self.get(target, item[ref]) is None:
                    raise ValidationFailed({f"line_items.{ref}": ["must exist"]})
            item.setdefault("position", position)
            item.setdefault("created_at", self.now())
            item["updated_at"] = self.now()
            result.append(item)
        return result

    def _requisition_items(self, record: dict[str, Any], items: Any) -> list[dict[str, Any]]:
        matched = self._matched_lines(record, items, "items")
        found = self.find_commitment(record["commitment_id"])
        lines = {li["id"]: li for li in (found[1].get("line_items") or [])} if found else {}
        result = []
        for _position, raw, item in matched:
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
        """Owner invoice lines: their own fields, matched as every other kind's lines."""
        result = []
        for position, raw, item in self._matched_lines(record, items, "line_items"):
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
