"""What the Xero sandbox's faces share: Xero's error shapes, its JSON values, its path spelling and the
collections of the Accounting API (Kind)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.wrappers import Response

from .. import parsing
from .rules import (
    QueryError,
    UnknownField,
    check_fields,
)

log = logging.getLogger(__name__)


ZERO_ID = "00000000-0000-0000-0000-000000000000"


FOUR_DP_KEYS = frozenset({"UnitAmount", "Quantity", "CurrencyRate", "UnitPrice", "DiscountRate"})


@dataclass
class Kind:
    """How one collection of the API maps onto Books."""

    key: str  # JSON collection key, also the path segment
    store: str  # attribute of Books
    id_key: str
    schema: str
    error_flag: str | None  # HasErrors / HasValidationErrors on a failed element (§3)
    paged: bool
    line_key: str | None = None  # dropped from unpaged lists (§4)
    number_key: str | None = None


KINDS = {
    "Contacts": Kind("Contacts", "contacts", "ContactID", "Contact", "HasValidationErrors", True),
    "Items": Kind("Items", "items", "ItemID", "Item", None, False),
    "PurchaseOrders": Kind("PurchaseOrders", "purchase_orders", "PurchaseOrderID", "PurchaseOrder", None, True,
                           None, "PurchaseOrderNumber"),
    "Invoices": Kind("Invoices", "invoices", "InvoiceID", "Invoice", "HasErrors", True, "LineItems", "InvoiceNumber"),
    "CreditNotes": Kind("CreditNotes", "credit_notes", "CreditNoteID", "CreditNote", "HasErrors", True, "LineItems",
                        "CreditNoteNumber"),
    "BankTransactions": Kind("BankTransactions", "bank_transactions", "BankTransactionID", "BankTransaction", None,
                             True, "LineItems"),
    "Payments": Kind("Payments", "payments", "PaymentID", "Payment", "HasValidationErrors", True),
    "ManualJournals": Kind("ManualJournals", "manual_journals", "ManualJournalID", "ManualJournal", None, True,
                           "JournalLines"),
    "Accounts": Kind("Accounts", "accounts", "AccountID", "Account", None, False),
}


class ApiError(Exception):
    def __init__(self, status: int, body: Any, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def validation_exception(elements: list[dict], message: str = "A validation exception occurred") -> ApiError:
    # §3: HTTP 400 {"ErrorNumber":10,"Type":"ValidationException","Message":...,"Elements":[...]}
    return ApiError(400, {"ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": elements})


def bad_request(message: str) -> ApiError:
    return validation_exception([{"ValidationErrors": [{"Message": message}]}], message)


def query_error(exc: QueryError) -> ApiError:
    if isinstance(exc, UnknownField):
        # Xero refuses a where/order on a field the resource lacks; the ErrorNumber 16 and Type
        # "QueryParseException" follow Xero's error-code list, the exact wording is [UNCONFIRMED].
        return ApiError(400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(exc)})
    return bad_request(str(exc))


def problem(status: int, title: str, detail: str) -> ApiError:
    return ApiError(status, {"Type": None, "Title": title, "Status": status, "Detail": detail})


def render(value: Any, key: str | None = None) -> Any:
    """Python values -> Xero's JSON values: `/Date(ms+0000)/`, money with 2 dp (§9)."""
    if isinstance(value, dict):
        return {k: render(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, key) for v in value]
    if isinstance(value, datetime | date):
        return parsing.format_msdate(value)
    if isinstance(value, Decimal):
        places = 2
        if key in FOUR_DP_KEYS:
            exponent = value.normalize().as_tuple().exponent
            places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
        return value.quantize(Decimal(1).scaleb(-places))
    return value


# Xero routes its paths whatever their case: the SDK asks for /Connections (xero-identity.yaml spells it
# so) and GET /invoices works as /Invoices. Resource names are re-cased to the spec's spelling; ids and
# attachment file names keep theirs.
IDENTITY_PATHS = ("/identity/connect/authorize", "/connect/token", "/connect/revocation", "/connections",
                  "/_sandbox/state", "/_sandbox/reset")


RESOURCE_NAMES = {name.lower(): name for name in (
    "Organisation", "Accounts", "TaxRates", "Currencies", "Contacts", "ContactGroups", "Items", "TrackingCategories", "Options",
    "PurchaseOrders", "Invoices", "CreditNotes", "Allocations", "BankTransactions", "Payments", "ManualJournals",
    "Attachments")}


def canonical_path(path: str) -> str:
    lowered = path.lower()
    for known in IDENTITY_PATHS:
        if lowered == known or lowered.startswith(known + "/"):
            return known + path[len(known):]
    prefix = "/api.xro/2.0/"
    if not lowered.startswith(prefix):
        return path
    parts = path[len(prefix):].split("/")
    for index in (0, 2):  # /{Resource}/{id}/{SubResource}/{id or FileName}
        if index < len(parts):
            parts[index] = RESOURCE_NAMES.get(parts[index].lower(), parts[index])
    return prefix + "/".join(parts)


def _json_response(body: Any, status: int, headers: dict | None = None, *, no_store: bool = False) -> Response:
    response = Response(parsing.dumps(render(body)), status, headers=headers or {},
                        content_type="application/json; charset=utf-8")
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    return response


def _redirect(uri: str, params: dict) -> Response:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return Response(b"", 302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))})


def _iso(moment: datetime) -> str:
    # xero-identity.yaml declares these `format: date-time` (RFC 3339, zone required) though its example
    # has no zone; the sandbox follows the schema and writes UTC with a `Z`.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ceil_seconds(delta: timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 1)))


def _path(doc: dict, key: str) -> Any:
    value: Any = doc
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _sortable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, Decimal | int):
        return float(value)
    return str(value or "")


def _echo(schema: str, element: dict) -> dict:
    """The failed element as sent, minus fields the spec would not accept back."""
    return {k: v for k, v in element.items() if not check_fields(schema, {k: v})}
