"""What Xero answers: documents, error messages, and the outcome of each element of a batch write.

Sources: api/xero.md §3 (``summarizeErrors=false`` answers: each element with ``HasErrors``,
``ValidationErrors`` and ``Warnings``, a failed one with the zero GUID) and §5 (error bodies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from . import parsing
from .errors import MalformedResponse

ZERO_ID = "00000000-0000-0000-0000-000000000000"
ID_KEYS = {
    "Contacts": "ContactID", "ContactGroups": "ContactGroupID", "Items": "ItemID",
    "TrackingCategories": "TrackingCategoryID", "Options": "TrackingOptionID",
    "PurchaseOrders": "PurchaseOrderID", "Invoices": "InvoiceID", "CreditNotes": "CreditNoteID",
    "BankTransactions": "BankTransactionID", "Payments": "PaymentID", "ManualJournals": "ManualJournalID",
    "Accounts": "AccountID",
}


@dataclass
class ElementResult:
    """The outcome of one element of a batch write, in request order (REL-3)."""

    ok: bool
    document: dict
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    id_key: str | None = None

    @property
    def id(self) -> str | None:
        """The document's Xero id; None when Xero gave the zero GUID (a failed element)."""
        keys = [self.id_key] if self.id_key else [k for k in self.document if k.endswith("ID")]
        for key in keys:
            value = self.document.get(key)
            if isinstance(value, str) and value and value != ZERO_ID:
                return value
        return None


def messages_of(items: Any) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, dict) and item.get("Message"):
            out.append(str(item["Message"]))
        elif isinstance(item, str):
            out.append(item)
    return out


def element_result(resource: str, document: dict) -> ElementResult:
    """One element of a write's answer, failed when Xero flagged it or gave validation errors."""
    errors = messages_of(document.get("ValidationErrors"))
    failed = bool(document.get("HasErrors") or document.get("HasValidationErrors") or errors
                  or document.get("StatusAttributeString") == "ERROR")
    return ElementResult(ok=not failed, document=document, errors=errors,
                         warnings=messages_of(document.get("Warnings")), id_key=ID_KEYS.get(resource))


def documents_of(body: Any, key: str, what: str) -> list[dict]:
    """The ``key`` list of an answer (``{"Invoices": [...]}``); anything else is a MalformedResponse."""
    if not isinstance(body, dict):
        raise MalformedResponse(f"Xero answered {what} without a JSON object")
    documents = body.get(key)
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise MalformedResponse(f"Xero answered {what} without a list of {key}")
    return documents


def json_or_none(response: requests.Response) -> Any:
    try:
        return parsing.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def error_message(response: requests.Response) -> str | None:
    """Xero's own message from an error body, or None."""
    body = json_or_none(response)
    if isinstance(body, dict):
        for key in ("Message", "Detail", "Title", "message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def retry_after_seconds(value: str | None) -> float:
    """The seconds a 429's ``Retry-After`` asks for; a minute when it says nothing usable."""
    try:
        seconds = float(value) if value is not None else 60.0
    except ValueError:
        seconds = 60.0
    return max(seconds, 0.0)
