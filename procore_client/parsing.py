"""Turn Procore's JSON into plain Python values: Decimal money, aware datetimes, dates, int ids.

Procore sends amounts as strings ("1234.50"), v2.0 sends ids as strings
(api/procore.md §4, ``DOC:announcements/new_rest_v2_version.md``); the connector wants
``Decimal`` and ``int`` (architecture.md, "Rules of the house").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import MalformedResponse

#: Fields that hold money, quantities or percentages (from the OAS response schemas).
DECIMAL_KEYS = frozenset(
    {
        "amount", "grand_total", "total_amount", "extended_amount", "unit_cost", "quantity",
        "manual_amount", "retainage_percent", "approved_change_orders", "pending_change_orders",
        "draft_change_orders_amount", "revised_contract", "pending_revised_contract", "total_payments",
        "percentage_paid", "remaining_balance_outstanding", "total_requisitions_amount",
        "total_draw_requests_amount", "total_claimed_amount", "percent_complete", "scheduled_value",
        "net_amount", "gross_amount", "work_completed_from_previous_application",
        "work_completed_this_period", "materials_presently_stored",
        "materials_presently_stored_from_previous_progress", "total_completed_and_stored_to_date",
        "work_completed_retainage_from_previous_application", "work_completed_retainage_retained_this_period",
        "work_completed_retainage_released_this_period", "materials_stored_retainage_currently_retained",
        "materials_stored_retainage_released_this_period", "work_completed_retainage_percent_this_period",
        "materials_stored_retainage_percent_this_period", "scheduled_quantity", "scheduled_unit_price",
        "work_completed_this_period_quantity", "subcontractor_claimed_amount", "original_contract_sum",
        "net_change_by_change_orders", "contract_sum_to_date", "completed_work_retainage_percent",
        "completed_work_retainage_amount", "stored_materials_retainage_percent",
        "stored_materials_retainage_amount", "total_retainage", "total_earned_less_retainage",
        "less_previous_certificates_for_payment", "current_payment_due",
        "balance_to_finish_including_retainage", "tax_applicable_to_this_payment", "total_value",
        "total_amount_accrued_this_period", "total_amount_paid", "currency_exchange_rate",
        "retainage_released_payment_amount", "estimated_value", "cost_rom", "revenue_rom",
        "new_materials", "stored_materials", "retainage_this_period",
        # payment application (owner invoice) line items, OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch
        "balance_to_finish", "total_completed_and_stored_to_date_percent",
        "total_completed_and_stored_to_date_quantity", "work_completed_from_previous_application_quantity",
        "work_completed_retainage_currently_retained", "materials_stored_retainage_from_previous_application",
        "materials_stored_retainage_retained_this_period", "total_retainage_currently_retained",
        "total_retainage_from_previous_application",
        # requisition items' previous figures (RET-1), OAS:RestV11RequisitionsIdPatch
        "total_completed_and_stored_to_date_from_previous", "materials_moved", "materials_retainage_retained_moved",
    }
)  # fmt: skip

#: Keys ending in _id that are external strings, never Procore integers.
STRING_ID_KEYS = frozenset({"origin_id", "external_payment_id", "ulid", "source_operation_id", "erp_id"})

DATE_KEYS = frozenset(
    {"date", "period_start", "period_end", "requisition_start", "requisition_end", "due_date"}
)

_DIGITS = re.compile(r"^-?\d+$")


def parse_decimal(value: Any, *, field: str = "amount") -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedResponse(f"field {field!r} should be a number, got a boolean")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise MalformedResponse(f"field {field!r} should be a number, got {value[:40]!r}") from None
        if not result.is_finite():
            raise MalformedResponse(f"field {field!r} should be a finite number, got {value[:40]!r}")
        return result
    raise MalformedResponse(f"field {field!r} should be a number, got {type(value).__name__}")


def parse_datetime(value: Any, *, field: str = "updated_at") -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedResponse(f"field {field!r} should be an ISO 8601 timestamp, got {type(value).__name__}")
    try:
        result = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedResponse(f"field {field!r} should be an ISO 8601 timestamp, got {value[:40]!r}") from None
    return result if result.tzinfo else result.replace(tzinfo=UTC)


def parse_date(value: Any, *, field: str = "date") -> date | datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedResponse(f"field {field!r} should be a date, got {type(value).__name__}")
    if len(value.strip()) > 10:  # some "*_date" fields are full timestamps
        return parse_datetime(value, field=field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise MalformedResponse(f"field {field!r} should be a date (YYYY-MM-DD), got {value[:40]!r}") from None


def _is_id_key(key: str) -> bool:
    return key not in STRING_ID_KEYS and (key == "id" or key.endswith("_id"))


def normalise(value: Any, key: str | None = None) -> Any:
    """Recursively convert a decoded JSON value (see the module docstring)."""
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key is not None and key.endswith("_ids"):
            return [int(v) if isinstance(v, str) and _DIGITS.match(v) else v for v in value]
        return [normalise(v, key if key in DECIMAL_KEYS else None) for v in value]
    if key is None or value is None:
        return value
    if key in DECIMAL_KEYS:
        return parse_decimal(value, field=key)
    if key.endswith("_at") and isinstance(value, str):
        return parse_datetime(value, field=key)
    if (key in DATE_KEYS or key.endswith("_date")) and isinstance(value, str):
        return parse_date(value, field=key)
    if _is_id_key(key) and isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    return value
