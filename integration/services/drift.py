"""How a Xero document differs from what the connector last sent (DRIFT-1). Pure: no I/O, no ORM.

``canonical(resource, doc)`` reduces a document, as the Xero client decodes it (Decimals, dates) or as
an audit row stored it (JSON text), to the fields the connector sends and Xero could change: contact,
number, dates, lines (Item, account, tracking, tax, amounts), total, currency and status.
``differences(resource, sent, now)`` names each difference in the approver's words
("voided in Xero on 2026-11-30", "line 2 amount 500.00 → 55.00").

Only fields present in what was sent are compared: a baseline that is the request the connector sent
(not Xero's answer to it) has no total or tax, and Xero filling them in is no drift. Payments applied
in Xero are not drift either: AmountPaid and AmountDue are never compared, and a bill that became PAID
compares as the AUTHORISED bill it was (api/xero.md §5: "PAID is reached by applying payments").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

GONE = {"VOIDED": "voided", "DELETED": "deleted", "ARCHIVED": "archived"}
# PAID is AUTHORISED with payments applied (api/xero.md §5); BILLED is a purchase order a bill was raised
# from in Xero (§7 PurchaseOrders): neither changes what the connector sent.
SAME_STATUS = {"PAID": "AUTHORISED", "BILLED": "AUTHORISED"}

LINE_FIELDS = (
    ("ItemCode", "Item"),
    ("AccountCode", "account"),
    ("Tracking", "tracking"),
    ("TaxType", "tax"),
    ("Quantity", "quantity"),
    ("UnitAmount", "unit price"),
    ("LineAmount", "amount"),
    ("Description", "description"),
)
HEADER_FIELDS = {
    "Invoices": (("Contact", "contact"), ("InvoiceNumber", "number"), ("Date", "date"), ("DueDate", "due date"),
                 ("CurrencyCode", "currency"), ("Total", "total")),
    "CreditNotes": (("Contact", "contact"), ("CreditNoteNumber", "number"), ("Date", "date"), ("DueDate", "due date"),
                    ("CurrencyCode", "currency"), ("Total", "total")),
    "PurchaseOrders": (("Contact", "contact"), ("PurchaseOrderNumber", "number"), ("Date", "date"),
                       ("DeliveryDate", "delivery date"), ("Reference", "reference"), ("CurrencyCode", "currency"),
                       ("Total", "total")),
    "Contacts": (("Name", "name"), ("ContactNumber", "contact number"), ("EmailAddress", "email"),
                 ("TaxNumber", "tax number")),
    "Items": (("Code", "code"), ("Name", "name"), ("PurchaseAccount", "purchase account"),
              ("SalesAccount", "sales account")),
    "TrackingOptions": (("Name", "name"),),
}
MONEY = {"Total", "LineAmount", "UnitAmount"}
DATES = {"Date", "DueDate", "DeliveryDate"}
STATUS_KEY = {"Contacts": "ContactStatus"}
# Audit rows scrub keys that look like secrets ("Code" among them, REL-7): such a stored value is unknown.
REDACTED = "[redacted]"


def _money(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except (InvalidOperation, ValueError):
        return str(value)


def _quantity(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _text(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return str(value).strip()


def _tracking(value: Any) -> str | None:
    if not value:
        return None
    pairs = sorted(f"{t.get('Name')}: {t.get('Option')}" for t in value if isinstance(t, dict))
    return ", ".join(pairs) or None


def _value(key: str, raw: Any) -> str | None:
    if key in MONEY:
        return _money(raw)
    if key == "Quantity":
        return _quantity(raw)
    if key in DATES:
        return _date(raw)
    if key == "Tracking":
        return _tracking(raw)
    if key == "Contact":
        return _text((raw or {}).get("ContactID")).lower() if isinstance(raw, dict) and raw.get("ContactID") else None
    return _text(raw)


def canonical(resource: str, doc: dict | None) -> dict:
    """The comparable fields of a document: {"header": {...}, "lines": [{...}], "status": "..."}."""
    if not doc:
        return {"header": {}, "lines": [], "status": None}
    source = dict(doc)
    if resource == "Items":
        source["PurchaseAccount"] = (doc.get("PurchaseDetails") or {}).get("AccountCode")
        source["SalesAccount"] = (doc.get("SalesDetails") or {}).get("AccountCode")
    header = {key: _value(key, source.get(key)) for key, _ in HEADER_FIELDS.get(resource, ())}
    lines = []
    for line in doc.get("LineItems") or []:
        if not isinstance(line, dict):
            continue
        lines.append({key: _value(key, line.get(key)) for key, _ in LINE_FIELDS})
    status = _text(doc.get(STATUS_KEY.get(resource, "Status")))
    status = SAME_STATUS.get(status, status) if status else None
    return {"header": header, "lines": lines, "status": status}


def _show(value: str | None) -> str:
    return value if value not in (None, "") else "(none)"


def gone_message(status: str, when: Any) -> str:
    day = _date(when)
    return f"{GONE.get(status, status.lower())} in Xero" + (f" on {day}" if day else "")


def differences(resource: str, sent: dict | None, now: dict | None, *, now_updated: Any = None,
                names: dict[str, str] | None = None) -> list[str]:
    """Each difference between what was sent and what Xero holds now, in words. ``now`` None: the
    document no longer exists in Xero. ``names`` turns contact ids into names for the message."""
    if now is None:
        return ["deleted in Xero (it no longer exists there)"]
    names = names or {}
    before, after = canonical(resource, sent), canonical(resource, now)
    status = after["status"]
    if status in GONE and before["status"] != status:
        return [gone_message(status, now_updated or now.get("UpdatedDateUTC"))]
    out, total = [], []
    labels = dict(HEADER_FIELDS.get(resource, ()))
    for key, was in before["header"].items():
        if was is None or was == REDACTED:
            continue
        is_now = after["header"].get(key)
        if is_now != was:
            if key == "Contact":
                was, is_now = names.get(was, was), names.get(is_now or "", is_now)
            (total if key == "Total" else out).append(f"{labels[key]} {_show(was)} → {_show(is_now)}")
    if before["status"] and status and before["status"] != status:
        out.append(f"status {before['status'].lower()} → {status.lower()}")
    sent_lines, xero_lines = before["lines"], after["lines"]
    line_labels = dict(LINE_FIELDS)
    for index, (was_line, now_line) in enumerate(zip(sent_lines, xero_lines, strict=False), start=1):
        amount_changed = was_line.get("LineAmount") not in (None, now_line.get("LineAmount"))
        for key, was in was_line.items():
            if was is None or was == REDACTED or key == "Description":
                continue
            if amount_changed and key in ("Quantity", "UnitAmount"):
                continue  # the amount's own difference says it
            is_now = now_line.get(key)
            if is_now != was:
                out.append(f"line {index} {line_labels[key]} {_show(was)} → {_show(is_now)}")
    if len(xero_lines) > len(sent_lines):
        for index, line in enumerate(xero_lines[len(sent_lines):], start=len(sent_lines) + 1):
            out.append(f"line {index} added in Xero ({_show(line.get('LineAmount'))})")
    elif len(xero_lines) < len(sent_lines) and sent_lines:
        for index, line in enumerate(sent_lines[len(xero_lines):], start=len(xero_lines) + 1):
            out.append(f"line {index} removed in Xero (was {_show(line.get('LineAmount'))})")
    return out + total
