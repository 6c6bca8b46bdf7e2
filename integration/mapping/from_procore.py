"""Procore answers → connector model fields, one function per record type (the "import" half of 003_*.txt).

Pure: no I/O, no ORM queries. The input is what ``procore_client`` returns, already parsed once by
``procore_client.parsing`` (money as ``Decimal``, ``*_at`` as aware datetimes, dates, ids as ``int``);
the readers here check each value's type and take the few fields the client's schema leaves as text
through the same parser. A value of the wrong shape raises ``BadRecord`` with a message naming the
field (REL-6); the pull reports it as one error of the run.

Related records (vendor, commitment, prime contract, cost items) are looked up by the pull: the
``*_id`` functions read their Procore references, and each line carries a ``CostRef`` to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from integration.models import Commitment
from procore_client.enums import (
    CCO_STATUSES,
    COMMITMENT_STATUSES,
    PAY_APP_STATUSES,
    PRIME_STATUSES,
    PURCHASE_ORDER_CONTRACT,
    REQUISITION_STATUSES,
    WORK_ORDER_CONTRACT,
)
from procore_client.errors import MalformedResponse
from procore_client.parsing import parse_date, parse_datetime, parse_decimal

ZERO = Decimal("0")

#: Procore's commitment kinds → the connector's, and back (writing origin_id to Procore).
COMMITMENT_KIND = {WORK_ORDER_CONTRACT: Commitment.Kind.SUBCONTRACT, PURCHASE_ORDER_CONTRACT: Commitment.Kind.PURCHASE_ORDER}
PROCORE_COMMITMENT_KIND = {kind: procore for procore, kind in COMMITMENT_KIND.items()}

#: Retainage on a progress-billing line (RET-1). Procore's figures come in two kinds, and only this
#: period's may be billed (a balance billed every period counts the same money twice):
#: - for this period, by their OAS descriptions: ``work_completed_this_period``, ``*_retained_this_period``
#:   ("...amount retained this period") and ``*_released_this_period`` ("...amount released this period");
#: - balances to date: ``materials_presently_stored`` (AIA G703 column F: "covers both materials newly
#:   stored ... and 'Materials Previously Stored' which are not yet incorporated"; "any value currently in
#:   Column F ... will still be in Column F in the new invoice", Procore support, "How do I bill for stored
#:   materials in Procore?") and ``materials_stored_retainage_currently_retained`` ("...amount currently
#:   retained", listed beside ``..._from_previous_application`` and ``..._retained_this_period`` in
#:   OAS:RestV10RequisitionsRequisitionIdDetailGet and the payment application line item schema, so a
#:   running balance). Their period figures are derived below.
WORK_RETAINED = "work_completed_retainage_retained_this_period"
RELEASED = ("work_completed_retainage_released_this_period", "materials_stored_retainage_released_this_period")
PAY_APP_RETAINED = (WORK_RETAINED, "materials_stored_retainage_retained_this_period")


class BadRecord(Exception):
    """Procore sent a record the connector cannot take as it is; the message says why (REL-6)."""


@dataclass(frozen=True)
class CostRef:
    """A line's cost code and cost type as Procore names them: nested objects, or only their ids."""

    cost_code: Any = None
    cost_type: Any = None
    project_cost_code_id: Any = None
    cost_type_id: Any = None

    @classmethod
    def of_line(cls, line: dict) -> CostRef:
        return cls(line.get("cost_code"), line.get("line_item_type"), line.get("cost_code_id"),
                   line.get("line_item_type_id"))


# -- readers of one value -------------------------------------------------------------------------
def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise BadRecord(f"expected text, got {type(value).__name__}")
    return str(value).strip()


def _parsed(parse, value: Any, name: str):
    try:
        return parse(value, field=name)
    except MalformedResponse as exc:
        raise BadRecord(exc.message) from None


def money(value: Any, name: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return _parsed(parse_decimal, value, name) or ZERO


def calendar_date(value: Any, name: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) > 10:
        value = value.strip()[:10]
    return _parsed(parse_date, value, name)


def timestamp(value: Any, name: str) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return _parsed(parse_datetime, value, name)


def currency(data: dict) -> str:
    """BOOK-7: a commitment's, requisition's or payment application's currency, Procore's
    ``currency_configuration.currency_iso_code`` (OAS RestV11RequisitionsGet, RestV10PrimeContracts...
    PaymentApplicationsGet, RestV10WorkOrderContractsIdGet); "" when Procore sends none."""
    config = data.get("currency_configuration")
    if config in (None, ""):
        return ""
    if not isinstance(config, dict):
        raise BadRecord("currency_configuration is not an object")
    code = text(config.get("currency_iso_code")).upper()
    if code and not (len(code) == 3 and code.isalpha()):
        raise BadRecord(f"currency_configuration.currency_iso_code {code[:10]!r} is not an ISO 4217 code")
    return code


def reference(value: Any, name: str = "id") -> int | None:
    """A Procore id, given as the id or as the nested object that carries it."""
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        value = value.get("id")
        if value in (None, ""):
            return None
    if isinstance(value, bool):
        raise BadRecord(f"{name} should be an id, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{name} should be an id, got {str(value)[:40]!r}") from None


def status(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """Procore's status as Procore spells it; an unknown one is refused (it cannot be mapped faithfully)."""
    given = text(value)
    for known in allowed:
        if given.lower().replace("_", " ") == known.lower().replace("_", " "):
            return known
    raise BadRecord(f"unknown {what} status {given[:40]!r} (known: {', '.join(allowed)})")


def object_list(value: Any, name: str) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadRecord(f"{name} should be a list of objects")
    return value


def updated_at(data: Any) -> datetime | None:
    """A record's ``updated_at``, or None when it has none or an unreadable one (never raises)."""
    try:
        return timestamp(data.get("updated_at"), "updated_at") if isinstance(data, dict) else None
    except BadRecord:
        return None


def label(kind: str, data: Any, number_key: str = "number") -> str:
    """How a record is named in the run's errors: its kind, number and title."""
    if not isinstance(data, dict):
        return kind
    number = data.get(number_key) or data.get("number") or data.get("id")
    title = data.get("title") or data.get("vendor_name") or ""
    return f"{kind} {number} {title}".strip()[:300]


def _position(line: dict, default: int) -> int:
    try:
        value = int(line.get("position") or default)
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default


def _sum(item: dict, names: tuple[str, ...]) -> Decimal:
    return sum((money(item.get(name), name) for name in names), ZERO)


def requisition_amount(item: dict) -> Decimal:
    """A requisition item's amount billed this period (RET-1): Procore's total completed and stored to date
    less the same total on the previous invoice (OAS:RestV11RequisitionsIdPatch
    ``total_completed_and_stored_to_date`` and ``..._from_previous``), which holds whether or not stored
    materials were moved into previous work completed; without those, the work completed this period plus
    the change in materials presently stored (``materials_presently_stored`` less
    ``materials_presently_stored_from_previous_progress``)."""
    to_date, before = item.get("total_completed_and_stored_to_date"), item.get("total_completed_and_stored_to_date_from_previous")
    if to_date not in (None, "") and before not in (None, ""):
        return money(to_date, "total_completed_and_stored_to_date") - money(before, "total_completed_and_stored_to_date_from_previous")
    return (money(item.get("work_completed_this_period"), "work_completed_this_period")
            + money(item.get("materials_presently_stored"), "materials_presently_stored")
            - money(item.get("materials_presently_stored_from_previous_progress"), "materials_presently_stored_from_previous_progress"))


def requisition_retainage(item: dict, held_before: Decimal) -> tuple[Decimal, Decimal]:
    """A requisition item's (retainage withheld this period, retainage released this period) (RET-1).
    Procore gives the work's retainage for the period but the stored materials' as a balance
    (``materials_stored_retainage_currently_retained``), so the materials' part is that balance less
    ``held_before`` (the previous invoice's balance on the line) plus what left the balance this period:
    released (``materials_stored_retainage_released_this_period``) or moved into work retainage with the
    materials (``materials_retainage_retained_moved``)."""
    held = money(item.get("materials_stored_retainage_currently_retained"), "materials_stored_retainage_currently_retained")
    materials = (held - held_before + money(item.get("materials_stored_retainage_released_this_period"), RELEASED[1])
                 + money(item.get("materials_retainage_retained_moved"), "materials_retainage_retained_moved"))
    return money(item.get(WORK_RETAINED), WORK_RETAINED) + materials, _sum(item, RELEASED)


def _total_or_lines(grand_total: Any, lines: list[dict]) -> Decimal:
    if grand_total not in (None, ""):
        return money(grand_total, "grand_total")
    return sum((line["amount"] for line in lines), ZERO)


# -- company-level records ------------------------------------------------------------------------
VENDOR_OPTIONAL = ("abbreviated_name", "address", "city", "state_code", "zip", "country_code", "business_phone",
                   "fax_number", "email_address")


def vendor(data: dict) -> dict[str, Any]:
    """CO-1: a directory company. Fields Procore left out of the answer are not touched."""
    name = text(data.get("name"))
    if not name:
        raise BadRecord("the company has no name")
    values = {"name": name, "is_active": data.get("is_active") is not False,
              "procore_updated_at": timestamp(data.get("updated_at"), "updated_at")}
    values.update({key: text(data.get(key)) for key in VENDOR_OPTIONAL if key in data})
    return values


def project(data: dict) -> dict[str, Any]:
    """PRJ-1: a project, with its stage (the nested ``project_stage`` of v1.1, or v1.0's ``stage``)."""
    name = text(data.get("name"))
    if not name:
        raise BadRecord("the project has no name")
    stage = data.get("project_stage")
    stage_name = text(stage.get("name")) if isinstance(stage, dict) else text(data.get("stage"))
    values = {"name": name, "project_number": text(data.get("project_number")),
              "active": data.get("active") is not False, "stage_name": stage_name,
              "procore_updated_at": timestamp(data.get("updated_at"), "updated_at")}
    values.update({key: text(data.get(key)) for key in ("address", "city", "state_code", "zip") if key in data})
    return values


def cost_type(data: dict) -> dict[str, Any]:
    """WBS-1: a line item type (cost type)."""
    code, name = text(data.get("code")), text(data.get("name"))
    if not code:
        raise BadRecord("the cost type has no code")
    return {"code": code, "name": name or code, "base_type": text(data.get("base_type")), "active": True,
            "procore_updated_at": timestamp(data.get("updated_at"), "updated_at")}


def cost_code(data: dict) -> dict[str, Any]:
    """WBS-1: a standard cost code, known by its full code."""
    code = text(data.get("full_code")) or text(data.get("code"))
    if not code:
        raise BadRecord("the cost code has no code")
    return {"code": code, "name": text(data.get("name")) or code, "active": True,
            "procore_updated_at": timestamp(data.get("updated_at"), "updated_at")}


def cost_item_description(cost_code_name: str, cost_type_name: str) -> str:
    """WBS-1: a cost item's description is its cost code's name and its cost type's."""
    return f"{cost_code_name} - {cost_type_name}"[:255]


# -- project-level records ------------------------------------------------------------------------
# A record with lines maps in two steps, lines first: the pull resolves each line's cost item and
# commitment line, then maps the header, whose totals add up the lines.
def commitment_lines(data: dict) -> list[dict]:
    """CMT-2: a commitment's schedule of values."""
    lines = []
    for position, line in enumerate(object_list(data.get("line_items"), "line_items"), start=1):
        lines.append({
            "procore_id": reference(line.get("id")),
            "position": _position(line, position),
            "cost": CostRef.of_line(line),
            "description": text(line.get("description")),
            "quantity": money(line.get("quantity"), "quantity"),
            "unit_cost": money(line.get("unit_cost"), "unit_cost"),
            "amount": money(line.get("amount"), "amount"),
            "uom": text(line.get("uom")),
            "procore_tax_code_id": reference(line.get("tax_code_id")),
        })
    return lines


def commitment(kind: str, data: dict, lines: list[dict]) -> dict[str, Any]:
    """CMT-1: a work order or purchase order contract; without a grand total, its lines' sum."""
    method = text(data.get("accounting_method")) or Commitment.AccountingMethod.AMOUNT
    if method not in Commitment.AccountingMethod.values:
        raise BadRecord(f"unknown accounting method {method[:40]!r}")
    return {
        "kind": COMMITMENT_KIND[kind],
        "number": text(data.get("number")), "title": text(data.get("title")),
        "status": status(data.get("status"), COMMITMENT_STATUSES[kind], "commitment"),
        "accounting_method": method, "description": text(data.get("description")),
        "ship_via": text(data.get("ship_via")),
        "delivery_date": calendar_date(data.get("delivery_date"), "delivery_date"),
        "procore_created_at": timestamp(data.get("created_at"), "created_at"),
        "retainage_percent": money(data.get("retainage_percent"), "retainage_percent"),
        "currency": currency(data),
        "grand_total": _total_or_lines(data.get("grand_total"), lines),
        "procore_updated_at": timestamp(data.get("updated_at"), "updated_at"),
    }


def commitment_vendor_id(data: dict) -> int | None:
    """A commitment's vendor, nested as Procore sends it (vendor: {id, company}; no vendor_id)."""
    return reference(data.get("vendor"), "vendor.id")


def change_order_commitment_id(data: dict) -> int | None:
    return reference(data.get("contract_id") or data.get("contract"), "contract_id")


def change_order_lines(data: dict) -> list[dict]:
    """CCO-1: a change order's lines; each names the commitment line it changes."""
    lines = []
    for position, line in enumerate(object_list(data.get("line_items"), "line_items"), start=1):
        lines.append({
            "procore_id": reference(line.get("id")), "position": _position(line, position),
            "commitment_line_id": reference(line.get("commitment_line_item_id")),
            "cost": CostRef.of_line(line),
            "description": text(line.get("description")),
            "quantity": money(line.get("quantity"), "quantity"),
            "unit_cost": money(line.get("unit_cost"), "unit_cost"),
            "amount": money(line.get("amount"), "amount"),
        })
    return lines


def change_order(data: dict, lines: list[dict]) -> dict[str, Any]:
    """CCO-1: a commitment change order; without a grand total, its lines' sum."""
    return {
        "number": text(data.get("number")), "title": text(data.get("title")),
        "status": status(data.get("status"), CCO_STATUSES, "change order"),
        "description": text(data.get("description")),
        "procore_created_at": timestamp(data.get("created_at"), "created_at"),
        "grand_total": _total_or_lines(data.get("grand_total"), lines),
        "procore_updated_at": timestamp(data.get("updated_at"), "updated_at"),
    }


def requisition_commitment_id(data: dict) -> int | None:
    return reference(data.get("commitment_id"), "commitment_id")


def requisition_vendor_id(data: dict) -> int | None:
    return reference(data.get("vendor_id"), "vendor_id")


def requisition_previous_items(data: dict) -> list[int]:
    """The ids of the previous invoice's items this requisition's items follow (``previous_progress_id``)."""
    return [pid for item in object_list(data.get("items"), "items")
            if (pid := reference(item.get("previous_progress_id"), "previous_progress_id")) is not None]


def requisition_items(data: dict, held_before: dict[int, Decimal] | None = None) -> list[dict]:
    """INV-2, RET-1: a subcontractor invoice's items, each with this period's amount, retainage withheld
    and released (see ``requisition_amount`` and ``requisition_retainage``). ``held_before``: the
    materials retainage balance of the previous invoice's items by their Procore id, as the connector
    stored them; an item whose previous one is not known (the first invoice, or one before the connector)
    counts its whole balance as this period's. ``description`` and ``unit_price`` are None when Procore
    gave none: the pull takes the commitment line's."""
    held_before = held_before or {}
    lines = []
    for position, item in enumerate(object_list(data.get("items"), "items"), start=1):
        previous = reference(item.get("previous_progress_id"), "previous_progress_id")
        retained, released = requisition_retainage(item, held_before.get(previous, ZERO))
        described = item.get("description_of_work") or item.get("description")
        unit_price = item.get("scheduled_unit_price")
        lines.append({
            "procore_id": reference(item.get("id")), "position": position,
            "item_type": text(item.get("item_type")),
            "commitment_line_id": reference(item.get("line_item_id"), "line_item_id"),
            "cost": CostRef.of_line(item),
            "description": text(described) if described else None,
            "scheduled_value": money(item.get("scheduled_value"), "scheduled_value"),
            "quantity": money(item.get("work_completed_this_period_quantity"), "quantity"),
            "unit_price": money(unit_price, "scheduled_unit_price") if unit_price not in (None, "") else None,
            "amount": requisition_amount(item),
            "retainage_this_period": retained,
            "retainage_released": released,
            "materials_retainage_held": money(item.get("materials_stored_retainage_currently_retained"),
                                              "materials_stored_retainage_currently_retained"),
        })
    return lines


def requisition(data: dict, lines: list[dict]) -> dict[str, Any]:
    """INV-1, RET-1: a subcontractor invoice; its total is the items' amounts less the retainage withheld
    plus the retainage released this period."""
    retained = sum((line["retainage_this_period"] for line in lines), ZERO)
    released = sum((line["retainage_released"] for line in lines), ZERO)
    return {
        "number": text(data.get("number")), "invoice_number": text(data.get("invoice_number")),
        "status": status(data.get("status"), REQUISITION_STATUSES, "subcontractor invoice"),
        "billing_date": calendar_date(data.get("billing_date"), "billing_date"),
        "period_start": calendar_date(data.get("requisition_start") or data.get("period_start"), "period start"),
        "period_end": calendar_date(data.get("requisition_end") or data.get("period_end"), "period end"),
        # v1.1 requisitions have billing_date and payment_date, no due date (OAS RestV11RequisitionsGet);
        # seed 003 maps "Payment Date → Due Date" (BOOK-1).
        "payment_date": calendar_date(data.get("payment_date"), "payment_date"),
        "currency": currency(data),
        "retainage_this_period": retained,
        "retainage_released": released,
        "total": sum((line["amount"] for line in lines), ZERO) - retained + released,
        "procore_updated_at": timestamp(data.get("updated_at"), "updated_at"),
    }


def attachments(data: dict) -> list[dict]:
    """ATT-1: the files on an invoice (OAS:RestV11RequisitionsIdGet ``attachments[]{id, url, filename,
    content_type}``; a payment application's are read the same way, UNCONFIRMED). A file without an
    id, a name or a link cannot be attached and is left out."""
    files = []
    for item in object_list(data.get("attachments"), "attachments"):
        procore_id, filename, url = reference(item.get("id"), "attachments.id"), text(item.get("filename")), text(item.get("url"))
        if procore_id is None or not filename or not url:
            continue
        files.append({"procore_id": procore_id, "filename": filename[:255], "url": url,
                      "content_type": text(item.get("content_type"))[:255]})
    return files


def prime_contract_owner_id(data: dict) -> int | None:
    """A prime contract's owner, the nested vendor (Procore sends no vendor_id on prime contracts)."""
    return reference(data.get("vendor"), "vendor.id")


def prime_contract(data: dict) -> dict[str, Any]:
    """INV-5: the owner contract whose payment applications are owner invoices."""
    return {"number": text(data.get("number")), "title": text(data.get("title")),
            "status": status(data.get("status"), PRIME_STATUSES, "prime contract"),
            "procore_updated_at": timestamp(data.get("updated_at"), "updated_at")}


def payment_application_prime_id(data: dict) -> int | None:
    """A payment application's prime contract, the nested contract: {id, type, title}."""
    return reference(data.get("contract"), "contract.id")


def _cost_ids(line: dict) -> tuple[int | None, int | None]:
    """A line's (project cost code id, cost type id), from the nested objects or the bare ids."""
    return (reference(line.get("cost_code") or line.get("cost_code_id"), "cost_code"),
            reference(line.get("line_item_type") or line.get("line_item_type_id"), "line_item_type"))


def prime_line_tax_code(prime_lines: list[dict], item: dict, position: int) -> int | None:
    """BOOK-3: the Procore tax code of an owner invoice line: its prime contract line's ``tax_code_id``
    (OAS:RestV10PrimeContractsPrimeContractIdLineItemsGet), since a payment application line carries none
    (OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch) and no id of the line it
    bills. The prime line is the one of the same cost code and cost type; among several, the one whose
    ``position`` is the line's ``item_number`` (the G703 item number is the schedule-of-values line's
    number; UNCONFIRMED, no Procore page says so). None when no prime line matches: the line then takes
    its account's default tax."""
    code_id, kind_id = _cost_ids(item)
    same = [line for line in prime_lines if _cost_ids(line) == (code_id, kind_id)] if code_id is not None else prime_lines
    if len(same) > 1 or code_id is None:
        same = [line for line in same if reference(line.get("position"), "position") == position]
    return reference(same[0].get("tax_code_id"), "tax_code_id") if len(same) == 1 else None


def payment_application_lines(data: dict, stored_before: dict[int, Decimal] | None = None,
                              prime_lines: list[dict] | None = None) -> list[dict] | None:
    """INV-5, RET-1: an owner invoice's lines, each with its own cost code + cost type; amount = work
    completed this period + the materials newly stored: ``materials_presently_stored`` is a balance (see
    above) and a payment application line carries no previous figure for it, so ``stored_before`` gives
    the previous claim's balance by line position (item number), as the connector stored it. Retainage
    withheld and released are the period's fields; ``prime_lines``, the prime contract's schedule of
    values, gives each line its tax code (``prime_line_tax_code``). None when the answer has no
    ``line_items`` (UNCONFIRMED shape, see ``get_payment_application``): the stored lines stay as they are."""
    if "line_items" not in data:
        return None
    stored_before = stored_before or {}
    lines = []
    for index, item in enumerate(object_list(data.get("line_items"), "line_items"), start=1):
        position = _position({"position": item.get("item_number")}, index)
        stored = money(item.get("materials_presently_stored"), "materials_presently_stored")
        amount = (money(item.get("work_completed_this_period"), "work_completed_this_period") + stored
                  - stored_before.get(position, ZERO))
        lines.append({
            "procore_id": reference(item.get("id")),
            "position": position,
            "cost": CostRef.of_line(item),
            "description": text(item.get("description_of_work") or item.get("description")),
            "quantity": money(item.get("work_completed_this_period_quantity"), "quantity"),
            "unit_price": money(item.get("scheduled_unit_price"), "scheduled_unit_price"),
            "amount": amount, "materials_stored": stored,
            "retainage": _sum(item, PAY_APP_RETAINED), "released": _sum(item, RELEASED),
            "procore_tax_code_id": prime_line_tax_code(prime_lines or [], item, position),
        })
    return lines


def payment_application(data: dict, lines: list[dict] | None) -> dict[str, Any]:
    """INV-5, RET-1: the owner invoice's retainage this period = its lines' retained amounts and its
    retainage released = their released amounts (popped from the lines: the line model keeps neither),
    its total = the lines' amounts − retainage withheld + retainage released; without lines the figures
    are the header's."""
    g702 = data.get("g702") if isinstance(data.get("g702"), dict) else {}
    period = data.get("billing_period") if isinstance(data.get("billing_period"), dict) else {}
    released = ZERO
    if lines:
        retainage = sum((line.pop("retainage") for line in lines), ZERO)
        released = sum((line.pop("released") for line in lines), ZERO)
        total = sum((line["amount"] for line in lines), ZERO) - retainage + released
    else:  # no lines to add up: Procore's own figures for the period
        retainage = money(g702.get("total_retainage_this_period") or g702.get("retainage_this_period"), "retainage")
        total = money(data.get("total_amount_accrued_this_period"), "total_amount_accrued_this_period") - retainage
    return {
        "number": text(data.get("number")), "invoice_number": text(data.get("invoice_number")),
        "status": status(data.get("status"), PAY_APP_STATUSES, "owner invoice"),
        "billing_date": calendar_date(data.get("billing_date"), "billing_date"),
        "period_start": calendar_date(data.get("period_start"), "period_start"),
        "period_end": calendar_date(data.get("period_end"), "period_end"),
        "due_date": calendar_date(period.get("due_date") or data.get("due_date"), "due_date"),
        "currency": currency(data),
        "retainage_this_period": retainage,
        "retainage_released": released,
        "total": total,
        "procore_updated_at": timestamp(data.get("updated_at"), "updated_at"),
    }
