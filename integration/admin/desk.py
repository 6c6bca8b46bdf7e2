"""What the approver reads on a record's page: its summary, the decisions their role allows, and the
history, in words rather than field names."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from integration.models import AuditEvent, ErpStatus
from integration.services.audit import person_name

# The record's own facts first (what, who, project, amounts, dates), by type; each an attribute path
# and the label an accountant reads.
SUMMARY_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "project": (("project_number", "Job number"), ("name", "Name"), ("stage_name", "Stage in Procore"),
                ("city", "City"), ("link", "Company link")),
    "vendor": (("name", "Company"), ("email_address", "Email"), ("business_phone", "Phone"),
               ("tax_number", "Tax number"), ("city", "City"), ("link", "Company link")),
    "costitem": (("item_code", "Item code"), ("description", "Description"), ("cost_code", "Cost code"),
                 ("cost_type", "Cost type"), ("link", "Company link")),
    "commitment": (("number", "Number"), ("title", "Title"), ("vendor", "Company"), ("project", "Project"),
                   ("get_kind_display", "Kind"), ("status", "Status in Procore"), ("grand_total", "Amount"),
                   ("delivery_date", "Delivery date")),
    "changeorder": (("number", "Number"), ("title", "Title"), ("commitment", "Commitment"),
                    ("commitment.vendor", "Company"), ("project", "Project"), ("status", "Status in Procore"),
                    ("grand_total", "Amount")),
    "subcontractorinvoice": (("invoice_number", "Invoice number"), ("vendor", "Company"), ("project", "Project"),
                             ("commitment", "Commitment"), ("status", "Status in Procore"), ("total", "Amount"),
                             ("billing_date", "Billing date"), ("period_end", "Period end"),
                             ("payment_date", "Payment date")),
    "ownerinvoice": (("invoice_number", "Invoice number"), ("prime_contract.owner", "Owner"), ("project", "Project"),
                     ("prime_contract", "Prime contract"), ("status", "Status in Procore"), ("total", "Amount"),
                     ("billing_date", "Billing date"), ("due_date", "Due date")),
}


def person(user) -> str:
    """A user as people know them: the full name, else the username exactly as typed."""
    return "" if user is None else person_name(user)


def _value(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
        if callable(obj):
            obj = obj()
    return obj


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def summary(obj) -> list[tuple[str, str]]:
    """The record's summary rows: its own facts, then who sent and accepted it and when."""
    rows = []
    for path, label in SUMMARY_FIELDS.get(obj._meta.model_name, ()):
        value = _value(obj, path)
        rows.append((label, _shown(value)))
    if obj.sent_by_id:
        rows.append(("Sent by", person(obj.sent_by)))
    if obj.accepted_by_id:
        rows.append(("Accepted by", person(obj.accepted_by)))
    if obj.erp_status_changed_at:
        rows.append(("In this status since", _shown(obj.erp_status_changed_at)))
    if obj.xero_id:
        rows.append(("In Xero since", _shown(obj.xero_synced_at)))
    return rows


def locked_in_words(obj) -> str:
    if not obj.xero_id:
        return "No: not in Xero, so Procore allows edits"
    return "Yes: Procore refuses edits (its origin_id is set)" if obj.locked else "No: unlocked, Procore allows edits"


def writeback_in_words(obj) -> str:
    if not obj.xero_id:
        return "Not yet: the record is not in Xero"
    if obj.writeback_pending:
        return "Pending: in Xero, Procore's origin_id still to be written"
    return "Done: Procore holds the Xero ID as its origin_id"


def removed_in_words(obj) -> str:
    return "Yes: deleted in Procore after it was read" if obj.removed_in_procore else "No"


ACTION_WORDS = {
    "send": "sent", "resend": "resent", "retrieve": "retrieved", "accept": "accepted", "reject": "rejected",
    "export_succeeded": "exported to Xero", "export_failed": "export failed", "changed_in_procore": "changed in Procore",
    "link_existing": "linked to the Xero document", "unlink": "unlinked", "lock": "locked in Procore",
    "unlock": "unlocked in Procore",
}


def status_label(value: str) -> str:
    return ErpStatus(value).label if value in ErpStatus.values else (value or "")


def history(obj, limit: int = 100) -> list[dict]:
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor").order_by("-created_at", "-id")[:limit]
    return [{
        "when": e.created_at, "who": person(e.actor) if e.actor_id else e.shown_actor, "what": ACTION_WORDS.get(e.action, e.action.replace("_", " ")),
        "from": status_label(e.from_status), "to": status_label(e.to_status), "message": e.message,
    } for e in events]
