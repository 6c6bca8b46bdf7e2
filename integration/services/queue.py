"""The approval queue (SYNC-2..5, SYNC-7): send, retrieve, resend, accept, reject, lock, unlock, unlink.

Accepting and rejecting is the accounting approver's privilege (SYNC-3): the check is here, in the
service, so no admin action, crafted POST or other URL can get around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from integration.models import ErpStatus
from integration.selectors import validate_record
from integration.services.audit import audit_record, person_name
from integration.services.status import TransitionRefused, apply_transition, lock_record

PUSH_PERMISSION = "integration.push_to_accounting"
SEND_PERMISSION = "integration.send_to_erp"
MANAGE_PERMISSION = "integration.manage_erp"


class ValidationRefused(TransitionRefused):
    """The record fails its export rules (SYNC-5); nothing was changed."""

    def __init__(self, record, failures):
        self.failures = failures
        reasons = "; ".join(str(f) for f in failures)
        super().__init__(f"{record.erp_type_label.capitalize()} '{record}' cannot be queued or accepted: {reasons}")


# Who may do what (integration/roles.py), as the refusal names it.
ROLES_FOR = {
    PUSH_PERMISSION: "only Accounting Approvers",
    SEND_PERMISSION: "the Standard, Accounting Approver and ERP Admin roles",
    MANAGE_PERMISSION: "only ERP Admins",
}


def _require(actor, permission: str, what: str):
    if actor is None or isinstance(actor, str):
        return  # the system itself (pull, export task) acts with its own authority
    if not actor.has_perm(permission):
        raise PermissionDenied(f"{person_name(actor)} is not allowed to {what}: {ROLES_FOR[permission]} can.")


def _ensure_valid(record):
    failures = validate_record(record)
    if failures:
        raise ValidationRefused(record, failures)


def _after_accept(record):
    """Enqueue the export of the record's link once the transaction commits."""
    from integration.services.dispatch import enqueue_export

    link_id = record.link_id
    transaction.on_commit(lambda: enqueue_export(link_id=link_id))


def record_send(*, record, actor, auto: bool = False):
    """Send a record to the approval queue (SYNC-2); with direct export on, it is accepted at once."""
    _require(actor, SEND_PERMISSION, "send records to the ERP queue")
    with transaction.atomic():
        record = lock_record(record)
        action = "send" if record.erp_status == ErpStatus.NOT_SENT else "resend"
        _ensure_valid(record)
        apply_transition(
            record, action, actor=actor, message="Queued automatically: it qualifies in Procore." if auto else "",
            update_fields={"erp_message": "", "sent_by": None if actor is None or isinstance(actor, str) else actor},
        )
        if record.link.direct_export:
            apply_transition(record, "accept", actor="system: direct export", message="Direct export is on: approval skipped.")
            _after_accept(record)
    return record


def record_resend(*, record, actor):
    """Resend after a rejection, a retrieval, a failure or an unlink (SYNC-4)."""
    if record.erp_status == ErpStatus.NOT_SENT:
        raise TransitionRefused(f"{record.erp_type_label.capitalize()} '{record}' was never sent; send it instead.")
    return record_send(record=record, actor=actor)


def record_retrieve(*, record, actor):
    """Take a record back while it awaits an approver (SYNC-4)."""
    _require(actor, SEND_PERMISSION, "retrieve records from the ERP queue")
    with transaction.atomic():
        record = lock_record(record)
        return apply_transition(record, "retrieve", actor=actor)


class EditedInXero(TransitionRefused):
    """The record's Xero document was edited in Xero since its last export (DRIFT-3): accepting the update
    would overwrite that edit, so it takes an explicit "overwrite Xero's edit"."""


def record_accept(*, record, actor, overwrite_xero_edit: bool = False):
    """An approver accepts a record for export (SYNC-3, SYNC-5). A record already in Xero whose document
    was edited there since (the reconcile's ``xero_drift``) is only accepted with ``overwrite_xero_edit``
    (DRIFT-3): the accountant's edit is never overwritten silently."""
    _require(actor, PUSH_PERMISSION, "accept records for export to Xero")
    with transaction.atomic():
        record = lock_record(record)
        if record.xero_id and record.xero_drift and not overwrite_xero_edit:
            raise EditedInXero(
                f"{record.erp_type_label.capitalize()} '{record}' was edited in Xero since its last export "
                f"({record.xero_drift}); open it to compare the three versions and accept with \"overwrite Xero's edit\".")
        _ensure_valid(record)
        apply_transition(
            record, "accept", actor=actor,
            message=f"Overwriting Xero's edit: {record.xero_drift}" if record.xero_id and record.xero_drift else "",
            update_fields={"erp_message": "", "accepted_by": None if isinstance(actor, str) else actor, "retry_after": None,
                           "xero_drift": ""},
        )
        _after_accept(record)
    return record


def record_reject(*, record, actor, reason: str):
    """An approver rejects a record, with a reason the sender will read (SYNC-3)."""
    _require(actor, PUSH_PERMISSION, "reject records")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused("A rejection needs a reason.")
    with transaction.atomic():
        record = lock_record(record)
        apply_transition(record, "reject", actor=actor, message=reason, update_fields={"erp_message": reason})
        from integration.services.notifications import notify_rejection

        sender_id = record.sent_by_id
        record_ref = (type(record), record.pk)
        transaction.on_commit(lambda: notify_rejection(record_ref=record_ref, sender_id=sender_id, reason=reason))
    return record


def _set_lock(record, *, actor, locked: bool):
    _require(actor, MANAGE_PERMISSION, "lock or unlock records")
    with transaction.atomic():
        record = lock_record(record)
        if not record.is_synced:
            raise TransitionRefused(f"{record.erp_type_label.capitalize()} '{record}' is not synced; only synced records can be locked or unlocked.")
        if record.locked == locked:
            raise TransitionRefused(f"{record.erp_type_label.capitalize()} '{record}' is already {'locked' if locked else 'unlocked'}.")
        from integration.services.writeback import set_procore_origin

        set_procore_origin(record=record, origin_id=record.xero_id if locked else None)
        record.locked = locked
        record.save(update_fields=["locked", "updated_at"])
        audit_record(record, action="lock" if locked else "unlock", actor=actor, from_status=record.erp_status, to_status=record.erp_status)
    return record


def record_lock(*, record, actor):
    """Lock a synced record in Procore (SYNC-6): its origin_id is set, so Procore refuses edits."""
    return _set_lock(record, actor=actor, locked=True)


def record_unlock(*, record, actor):
    """Unlock a synced record so it can be edited in Procore (SYNC-6): its origin_id is cleared."""
    return _set_lock(record, actor=actor, locked=False)


def record_unlink(*, record, actor, xero_document_removed: Callable | None = None):
    """Unlink a record from Xero (SYNC-7, CMT-3, CCO-2): only once its Xero document is deleted or
    voided, as Xero says at this moment; the link is cleared on both sides."""
    # An accounting approver may unlink an out-of-sync record (the third drift resolution, DRIFT-2);
    # any other unlink is an ERP admin's.
    if getattr(actor, "has_perm", None) is None or record.erp_status != ErpStatus.OUT_OF_SYNC or not actor.has_perm(PUSH_PERMISSION):
        _require(actor, MANAGE_PERMISSION, "unlink records")
    if xero_document_removed is None:
        from integration.services.xero_checks import xero_document_removed
    with transaction.atomic():
        record = lock_record(record)
        if not record.xero_id:
            raise TransitionRefused(f"{record.erp_type_label.capitalize()} '{record}' is not linked to Xero.")
        removed, detail = xero_document_removed(record)
        if not removed:
            raise TransitionRefused(
                f"Cannot unlink {record.erp_type_label} '{record}': {detail} Delete or void it in Xero first."
            )
        from integration.services.writeback import set_procore_origin

        set_procore_origin(record=record, origin_id=None)
        old_id = record.xero_id
        apply_transition(
            record, "unlink", actor=actor, message=f"Xero document {old_id}: {detail}",
            update_fields={"xero_id": "", "idempotency_key": "", "locked": False, "export_version": record.export_version + 1,
                           **({"xero_credit_note": False, "credit_allocation": ""} if hasattr(record, "xero_credit_note") else {})},
        )
    return record


def record_link_existing(*, record, actor, xero_id: str):
    """INV-4: the approver decides that the document Xero already holds is this record's, and links it
    instead of creating a second one. Xero is asked first that the document exists and is live."""
    _require(actor, PUSH_PERMISSION, "link records to existing Xero documents")
    xero_id = (xero_id or "").strip()
    if not xero_id:
        raise TransitionRefused("Give the id of the Xero document to link.")
    from integration.services.xero_checks import xero_document_live

    live, detail = xero_document_live(record, xero_id)
    if not live:
        raise TransitionRefused(f"Cannot link {record.erp_type_label} '{record}' to {xero_id}: {detail}")
    with transaction.atomic():
        record = lock_record(record)
        from integration.services.writeback import has_procore_origin

        fields = {"xero_id": xero_id, "erp_message": "", "idempotency_key": "", "writeback_pending": has_procore_origin(record)}
        if hasattr(record, "xero_credit_note"):
            from integration.services.xero_checks import is_credit_note_record

            fields["xero_credit_note"] = is_credit_note_record(record)  # CRED-1
        apply_transition(record, "link_existing", actor=actor, message=f"Linked to the existing Xero document {xero_id}: {detail}",
                         update_fields=fields)
    return record


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    refused: list[tuple[object, str]] = field(default_factory=list)

    def summary(self, verb: str) -> str:
        parts = [f"{len(self.done)} {verb}"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts)


def _bulk(records: Iterable, call) -> BulkResult:
    result = BulkResult()
    for record in records:
        try:
            result.done.append(call(record))
        except (TransitionRefused, PermissionDenied) as exc:
            result.refused.append((record, str(exc)))
    return result


def records_accept(*, records: Iterable, actor) -> BulkResult:
    """Accept many records: the valid ones are accepted, each refusal is reported by name (SYNC-3)."""
    _require(actor, PUSH_PERMISSION, "accept records for export to Xero")
    # Never overwrite: a record edited in Xero is held back and named (DRIFT-3).
    return _bulk(records, lambda r: record_accept(record=r, actor=actor))


def records_reject(*, records: Iterable, actor, reason: str) -> BulkResult:
    _require(actor, PUSH_PERMISSION, "reject records")
    if not (reason or "").strip():
        raise TransitionRefused("A rejection needs a reason.")
    return _bulk(records, lambda r: record_reject(record=r, actor=actor, reason=reason))


def records_send(*, records: Iterable, actor) -> BulkResult:
    _require(actor, SEND_PERMISSION, "send records to the ERP queue")
    return _bulk(records, lambda r: record_send(record=r, actor=actor))


def records_retrieve(*, records: Iterable, actor) -> BulkResult:
    _require(actor, SEND_PERMISSION, "retrieve records from the ERP queue")
    return _bulk(records, lambda r: record_retrieve(record=r, actor=actor))
