"""Resolving drift (DRIFT-2) and never overwriting an accountant's edit silently (DRIFT-3).

On an ``out_of_sync`` record an accounting approver chooses one of three moves, each a transition of the
status machine, atomic and audited:

- ``record_accept_xero``: what Xero holds becomes the baseline the next reconcile compares with; the record
  is ``synced`` again and the accepted differences are in the audit event. Refused for a voided or deleted
  document (unlink it instead).
- ``record_reexport``: Procore's version goes to Xero again (``exporting``; the export updates the
  document). Only where Xero allows the change: a bill or invoice that is draft, submitted, or authorised
  without payments (api/xero.md §5, §10.8: "Payments must be deleted before voiding or editing"), a purchase
  order that is not deleted or billed, an existing contact, Item or tracking option. ``reexport_preview``
  gives the exact change first, field by field, for the approver to read before confirming.
- ``record_unlink`` (``integration.services.queue``): for a voided or deleted document, the existing unlink
  rule (Xero is asked at that moment); approvers may unlink an out-of-sync record, ERP admins any.

``xero_versions`` gives the three versions a record's page shows side by side: what Xero holds now (as the
last reconcile read it), what the connector last sent, and what it would send now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from integration.mapping.to_xero import document_for
from integration.models import ErpStatus, XeroDocument
from integration.selectors import record_lines, sells, tax_types_for
from integration.services.drift import GONE, LINE_FIELDS, canonical
from integration.services.queue import PUSH_PERMISSION, _after_accept, _require
from integration.services.reconcile import baselines_for, resource_of
from integration.services.status import TransitionRefused, apply_transition, lock_record

EDITABLE = {
    # api/xero.md §5: DRAFT→SUBMITTED/AUTHORISED, AUTHORISED editable until payments are applied; PAID,
    # VOIDED and DELETED documents cannot be modified ("Invoice not of valid status for modification").
    "Invoices": {"DRAFT", "SUBMITTED", "AUTHORISED"},
    "CreditNotes": {"DRAFT", "SUBMITTED", "AUTHORISED"},  # the same statuses (spec CreditNote.Status)
    # §7 PurchaseOrders: a deleted order cannot change; a BILLED one is closed by its bill.
    "PurchaseOrders": {"DRAFT", "SUBMITTED", "AUTHORISED"},
}


def xero_holds(record) -> dict | None:
    """The record's document as the last reconcile read it (None when never read or gone from Xero)."""
    if not record.xero_id:
        return None
    row = XeroDocument.objects.filter(link_id=record.link_id, resource=resource_of(record),
                                      xero_id=record.xero_id.lower()).only("data", "status").first()
    if row is None:
        return None
    return row.data or None


def last_sent(record) -> dict | None:
    return baselines_for(resource_of(record), [record]).get(record.xero_id.lower()) if record.xero_id else None


def would_send(record) -> dict:
    document = document_for(record, record_lines(record), link=record.link, web_url=settings.PROCORE_WEB_URL,
                            tax_types=tax_types_for(record.link, sales=sells(record)))
    if record._meta.model_name == "commitment":
        # An approved commitment's update sends its header only; its lines stay as Xero holds them (export).
        document.pop("LineItems", None)
    return document


def _gone(resource: str, xero: dict | None) -> str | None:
    if xero is None:
        return "deleted"
    status = str(xero.get("ContactStatus" if resource == "Contacts" else "Status") or "")
    return GONE.get(status)


@dataclass
class Versions:
    """Rows of (field, what Xero holds now, what the connector last sent, what it would send)."""

    rows: list[tuple[str, str, str, str]]

    @property
    def edited_in_xero(self) -> list[tuple[str, str, str, str]]:
        return [r for r in self.rows if r[2] not in ("", r[1])]


def xero_versions(record) -> Versions:
    resource = resource_of(record)
    now, sent, new = (canonical(resource, d) for d in (xero_holds(record), last_sent(record), would_send(record)))
    rows = []
    keys = list(dict.fromkeys([*now["header"], *sent["header"], *new["header"]]))
    for key in keys:
        rows.append((key, now["header"].get(key) or "", sent["header"].get(key) or "", new["header"].get(key) or ""))
    rows.append(("Status", now["status"] or "", sent["status"] or "", new["status"] or ""))
    for index in range(max(len(now["lines"]), len(sent["lines"]), len(new["lines"]))):
        for key, label in LINE_FIELDS:
            cells = [(v["lines"][index].get(key) or "") if index < len(v["lines"]) else "" for v in (now, sent, new)]
            if any(cells):
                rows.append((f"line {index + 1} {label}", *cells))
    return Versions(rows)


def reexport_preview(record) -> list[str]:
    """The exact change a re-export makes in Xero: each field from what Xero holds now to what is sent."""
    resource = resource_of(record)
    now, new = canonical(resource, xero_holds(record)), canonical(resource, would_send(record))
    out = []
    for key, value in new["header"].items():
        if value is not None and now["header"].get(key) not in (None, value):
            out.append(f"{key} {now['header'][key]} → {value}")
    for index, (was, will) in enumerate(zip(now["lines"], new["lines"], strict=False), start=1):
        for key, label in LINE_FIELDS:
            if will.get(key) is not None and was.get(key) != will.get(key):
                out.append(f"line {index} {label} {was.get(key) or '(none)'} → {will.get(key)}")
    if new["lines"] and len(new["lines"]) != len(now["lines"]):
        out.append(f"{len(now['lines'])} line(s) → {len(new['lines'])} line(s)")
    return out


def _refuse_unless_out_of_sync(record, what: str) -> None:
    if record.erp_status != ErpStatus.OUT_OF_SYNC:
        raise TransitionRefused(f"Cannot {what} {record.erp_type_label} '{record}': it is "
                                f"{record.get_erp_status_display().lower()}, not out of sync.")


def record_accept_xero(*, record, actor):
    """DRIFT-2: keep what Xero holds; the differences are accepted and audited."""
    _require(actor, PUSH_PERMISSION, "resolve drift (only accounting approvers can)")
    _refuse_unless_out_of_sync(record, "accept Xero's version of")
    xero = xero_holds(record)
    gone = _gone(resource_of(record), xero)
    if gone:
        raise TransitionRefused(f"Cannot accept Xero's version of {record.erp_type_label} '{record}': its document is "
                                f"{gone} in Xero. Unlink it instead.")
    with transaction.atomic():
        record = lock_record(record)
        accepted = record.xero_drift or record.erp_message
        apply_transition(record, "accept_xero", actor=actor, message=f"Accepted Xero's version: {accepted}",
                         payload=last_sent(record), response=xero,
                         update_fields={"xero_drift": "", "erp_message": ""})
    return record


def record_reexport(*, record, actor):
    """DRIFT-2: send Procore's version to Xero again, where Xero allows the change (see the module)."""
    _require(actor, PUSH_PERMISSION, "resolve drift (only accounting approvers can)")
    _refuse_unless_out_of_sync(record, "re-export")
    resource = resource_of(record)
    xero = xero_holds(record)
    gone = _gone(resource, xero)
    if gone:
        raise TransitionRefused(f"Cannot re-export {record.erp_type_label} '{record}': its document is {gone} in Xero, "
                                "and Xero cannot change it. Unlink it, then resend it to create a new one.")
    status = str(xero.get("Status") or "")
    if resource in EDITABLE and status not in EDITABLE[resource]:
        raise TransitionRefused(f"Cannot re-export {record.erp_type_label} '{record}': Xero does not allow changing a "
                                f"{status.lower()} document. Accept Xero's version instead.")
    if (resource == "Invoices" and (xero.get("Payments") or str(xero.get("AmountPaid") or "0") not in ("0", "0.00"))) or (
            resource == "CreditNotes" and (xero.get("Payments") or xero.get("Allocations"))):
        raise TransitionRefused(f"Cannot re-export {record.erp_type_label} '{record}': it has payments applied in Xero, "
                                "and Xero refuses edits until they are deleted. Accept Xero's version instead.")
    change = reexport_preview(record)
    with transaction.atomic():
        record = lock_record(record)
        apply_transition(record, "reexport", actor=actor,
                         message="Re-export from Procore, overwriting Xero's edit: " + ("; ".join(change) or "no field changes"),
                         payload=would_send(record), response=xero,
                         update_fields={"xero_drift": "", "erp_message": "", "idempotency_key": "",
                                        "accepted_by": None if isinstance(actor, str) else actor,
                                        "export_version": record.export_version + 1})
        _after_accept(record)
    return record
