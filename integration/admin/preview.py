"""The approver's preview (SYNC-10): the exact Xero document a record will become, built by the
same mapping the export uses (`integration.mapping.to_xero.document_for`), and every export check
of its type, passed or failed (SYNC-5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from integration.mapping.to_xero import XERO_RESOURCE, document_for, is_credit_note
from integration.selectors import record_lines, sells, tax_types_for, validate_record

# The checks of each type, by the field its failures name (integration/validation.py).
CHECKS: dict[str, list[tuple[str, str, str]]] = {
    "costitem": [
        ("item_code", "Item code present, at most 30 characters; at most 4000 items per link", "WBS-1, WBS-2"),
        ("description", "Description present, at most 50 characters (the Item name)", "WBS-1"),
    ],
    "project": [
        ("project_number", "Job number present", "PRJ-1"),
        ("name", "Name present", "PRJ-1"),
        ("uses_standard_cost_code_list", "Uses the standard cost code list", "PRJ-1"),
        ("cost_code_count", "At least one cost code", "PRJ-1"),
        ("active", "Active", "PRJ-1"),
    ],
    "vendor": [("name", "Name present, at most 41 characters, no other company with the same name", "CO-1, CO-3")],
    "commitment": [
        ("commitment_sync", "Commitment sync is on for the link", "CMT-2"),
        ("vendor", "Contract company linked to a Xero contact", "CMT-2"),
        ("status", "Status Approved", "CMT-2"),
        ("project", "Project in Xero", "CMT-2"),
        ("number", "Number present, at most 255 characters", "CMT-2"),
        ("title", "Title at most 255 characters", "CMT-2"),
        ("lines", "Schedule-of-values lines with cost codes, all in Xero", "CMT-2"),
        ("currency", "Currency enabled in the Xero organisation", "BOOK-7"),
    ],
    "changeorder": [
        ("commitment_sync", "Commitment sync is on for the link", "CCO-2"),
        ("vendor", "Contract company linked to a Xero contact", "CCO-2"),
        ("status", "Status Approved", "CCO-2"),
        ("commitment", "The commitment is a Xero purchase order", "CCO-2"),
        ("number", "Number present, at most 255 characters", "CCO-2"),
        ("title", "Title at most 255 characters", "CCO-2"),
        ("lines", "Lines with cost codes, all in Xero", "CCO-2"),
    ],
    "subcontractorinvoice": [
        ("vendor", "Contract company linked to a Xero contact", "INV-2"),
        ("invoice_number", "Invoice number present, at most 255 characters", "INV-2"),
        ("billing_date", "Billing date present", "INV-2"),
        ("period_start", "Period start present", "INV-2"),
        ("period_end", "Period end present", "INV-2"),
        ("payment_date", "Payment date present", "INV-2"),
        ("status", "Status Approved", "INV-2"),
        ("project", "Project in Xero", "INV-2"),
        ("lines", "Schedule-of-values lines with cost codes, all in Xero", "INV-2"),
        ("total", "Total not negative, or exported as a credit note (negative invoices: credit_note)", "INV-3, CRED-1"),
        ("currency", "Currency enabled in the Xero organisation", "BOOK-7"),
    ],
    "ownerinvoice": [
        ("owner", "Owner linked to a Xero contact", "INV-5"),
        ("invoice_number", "Invoice number present, at most 255 characters", "INV-5"),
        ("billing_date", "Billing date present", "INV-5"),
        ("status", "Status Approved", "INV-5"),
        ("project", "Project in Xero", "INV-5"),
        ("lines", "Lines with cost codes, all in Xero", "INV-5"),
        ("total", "Total not negative, or exported as a credit note (negative invoices: credit_note)", "INV-3, CRED-1"),
        ("currency", "Currency enabled in the Xero organisation", "BOOK-7"),
    ],
}
# Every document whose lines can carry a Procore tax code (BOOK-3).
for _model in ("commitment", "changeorder", "subcontractorinvoice", "ownerinvoice"):
    CHECKS[_model].append(("tax", "Tax codes mapped to active tax rates of the Xero organisation", "BOOK-3"))

DOCUMENT_NAMES = {
    "costitem": "Item",
    "project": "Tracking option",
    "vendor": "Contact",
    "commitment": "Purchase order",
    "changeorder": "Lines appended to purchase order",
    "subcontractorinvoice": "Bill (ACCPAY)",
    "ownerinvoice": "Sales invoice (ACCREC)",
}
# CRED-1: what a negative invoice becomes.
CREDIT_NOTE_NAMES = {"ACCPAYCREDIT": "Supplier credit note (ACCPAYCREDIT)", "ACCRECCREDIT": "Credit note (ACCRECCREDIT)"}
HEADER_FIELDS = (
    ("Type", "Type"), ("Date", "Date"), ("DueDate", "Due date"), ("InvoiceNumber", "Invoice number"),
    ("CreditNoteNumber", "Credit note number"),
    ("PurchaseOrderNumber", "Order number"), ("Reference", "Reference"), ("DeliveryDate", "Delivery date"),
    ("DeliveryInstructions", "Delivery instructions"), ("Status", "Status"), ("CurrencyCode", "Currency"), ("LineAmountTypes", "Amounts are"),
    ("Url", "Link back to Procore"), ("Code", "Item code"), ("Name", "Name"), ("ContactNumber", "Contact number"),
    ("EmailAddress", "Email"), ("TaxNumber", "Tax number"),
)


@dataclass
class Check:
    label: str
    rule: str
    passed: bool
    messages: list[str]


def checks_for(record) -> list[Check]:
    """Every check of the record's type, passed or failed, and any failure no check names."""
    failures = validate_record(record)
    out, seen = [], set()
    for field_name, label, rule in CHECKS.get(record._meta.model_name, []):
        mine = [f.message for f in failures if f.field == field_name]
        seen.add(field_name)
        out.append(Check(label, rule, not mine, mine))
    for f in failures:
        if f.field not in seen:
            out.append(Check(f.field, f.rule, False, [f.message]))
    return out


def _contact_name(record) -> str:
    model = record._meta.model_name
    if model in ("commitment", "subcontractorinvoice"):
        return str(record.vendor) if record.vendor_id else ""
    if model == "changeorder":
        return str(record.commitment.vendor) if record.commitment.vendor_id else ""
    if model == "ownerinvoice":
        return str(record.prime_contract.owner) if record.prime_contract.owner_id else ""
    return ""


def _line_amount(line: dict) -> Decimal:
    if line.get("LineAmount") is not None:
        return Decimal(line["LineAmount"])
    return (Decimal(line.get("Quantity") or 0) * Decimal(line.get("UnitAmount") or 0)).quantize(Decimal("0.01"))


def build_preview(record) -> dict:
    """What the preview shows: the document (or why it cannot be built yet) and the checks."""
    model = record._meta.model_name
    lines = record_lines(record)
    context = {"checks": checks_for(record), "document_name": DOCUMENT_NAMES.get(model, model),
               "resource": XERO_RESOURCE.get(model, ""), "error": "", "document": None}
    try:
        document = document_for(record, lines, link=record.link, web_url=settings.PROCORE_WEB_URL,
                                tax_types=tax_types_for(record.link, sales=sells(record)))
    except (AttributeError, TypeError, ValueError) as exc:
        # A missing dependency (no vendor, no owner...): the checks say which.
        context["error"] = f"The document cannot be built yet ({exc.__class__.__name__}: {exc}); see the failed checks."
        return context
    if is_credit_note(document):
        # The credit note's amounts are positive (as Xero keeps them); the export allocates it to the open
        # bill (sales invoice) of the commitment (prime contract), or leaves it as an open credit.
        context.update(document_name=CREDIT_NOTE_NAMES[document["Type"]], resource="CreditNotes",
                       credit_note_note="The invoice's total is negative: it exports as a credit note, allocated to "
                                        "the open bill of its commitment in Xero (an owner invoice: the open sales "
                                        "invoice of its prime contract) up to what that bill owes; any rest stays "
                                        "an open credit.")
    contact = document.get("Contact") or {}
    header = [(label, document[key]) for key, label in HEADER_FIELDS if document.get(key) not in (None, "")]
    if contact:
        header.insert(0, ("Contact", f"{_contact_name(record)} (ContactID {contact.get('ContactID') or 'not yet in Xero'})"))
    if getattr(record, "credit_allocation", ""):
        header.append(("Credit", record.credit_allocation))
    if model == "subcontractorinvoice" and "DueDate" not in document:
        header.append(("Due date", "None: the payment date is empty in Procore (INV-2 requires it)."))
    rows = []
    for line in document.get("LineItems", []):
        tracking = "; ".join(f"{t.get('Name')}: {t.get('Option')}" for t in line.get("Tracking") or [])
        rows.append({
            "description": line.get("Description", ""),
            "item": line.get("ItemCode", ""),
            # BOOK-2: a line with an Item and no AccountCode posts to the account the Item carries in Xero.
            "account": line.get("AccountCode") or ("The Item's account in Xero" if line.get("ItemCode") else ""),
            "tracking": tracking,
            "tax": line.get("TaxType") or "The account's default tax rate",
            "quantity": line.get("Quantity"),
            "unit": line.get("UnitAmount"),
            "amount": _line_amount(line),
            "retainage": line.get("ItemCode") == record.link.retainage_item_code,  # withheld or released (RET-1)
        })
    context.update(document=document, document_json=json.dumps(document, indent=2, cls=DjangoJSONEncoder),
                   header=header, lines=rows,
                   total=sum((r["amount"] for r in rows), Decimal("0.00")) if rows else None)
    return context


def render_checks(checks: list[Check]) -> str:
    return render_to_string("admin/integration/export_checks.html",
                            {"checks": checks, "failed": [c for c in checks if not c.passed],
                             "passed": [c for c in checks if c.passed]})


def render_preview(record, context: dict | None = None) -> str:
    """The Xero document alone (the checks are rendered apart, above it, by `render_checks`)."""
    context = context if context is not None else build_preview(record)
    return render_to_string("admin/integration/xero_preview.html", {**context, "synced": record.erp_status == "synced"})
