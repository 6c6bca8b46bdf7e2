"""The ERP status machine (SYNC-1): the one piece of code every exportable type goes through.

Only the transitions below exist. A refused transition raises `TransitionRefused` with a clear
message and changes nothing; an allowed one updates the record and writes one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from integration.models import AuditEvent
from integration.models import ErpStatus as S
from integration.services.audit import audit_event, audit_record


class TransitionRefused(Exception):
    """The record is not in a state that allows the action; nothing was changed."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str  # "queue" means ready_to_update when already linked to Xero, else ready_to_export


QUEUE = "queue"

TRANSITIONS: dict[str, Transition] = {
    # A user sends the record for approval, or the pull queues it when it qualifies (SYNC-2).
    "send": Transition(frozenset({S.NOT_SENT}), QUEUE),
    # Resend after a rejection, a retrieval, a failure or an unlink (SYNC-4).
    "resend": Transition(frozenset({S.REJECTED, S.RETRIEVED, S.FAILED, S.UNLINKED}), QUEUE),
    # Take the record back while it awaits an approver (SYNC-4).
    "retrieve": Transition(frozenset({S.READY_TO_EXPORT, S.READY_TO_UPDATE}), S.RETRIEVED),
    # An approver accepts (SYNC-3); a failed record may be re-pushed ("refresh", SYNC-6).
    "accept": Transition(frozenset({S.READY_TO_EXPORT, S.READY_TO_UPDATE, S.FAILED}), S.EXPORTING),
    "reject": Transition(frozenset({S.READY_TO_EXPORT, S.READY_TO_UPDATE}), S.REJECTED),
    # The export's outcome (SYNC-8, REL-3).
    "export_succeeded": Transition(frozenset({S.EXPORTING}), S.SYNCED),
    "export_failed": Transition(frozenset({S.EXPORTING}), S.FAILED),
    # A synced record changed in Procore (SYNC-2, PRJ-3).
    "changed_in_procore": Transition(frozenset({S.SYNCED}), S.READY_TO_UPDATE),
    # A record is linked to the document Xero already holds: the approver's decision after the duplicate
    # guard (INV-4), or an existing contact linked to a company (CO-3). Never over an existing link.
    "link_existing": Transition(frozenset({S.NOT_SENT, S.READY_TO_EXPORT, S.REJECTED, S.RETRIEVED, S.FAILED, S.UNLINKED}), S.SYNCED),
    # Unlink, once the Xero document is gone (SYNC-7); for drift, the third resolution (DRIFT-2).
    "unlink": Transition(frozenset({S.SYNCED, S.READY_TO_UPDATE, S.FAILED, S.REJECTED, S.OUT_OF_SYNC}), S.UNLINKED),
    # The reconcile found the Xero document voided, deleted or edited since the connector sent it (DRIFT-1).
    "drift_found": Transition(frozenset({S.SYNCED}), S.OUT_OF_SYNC),
    # Resolving drift (DRIFT-2): keep what Xero holds as the new baseline, or send Procore's version again.
    "accept_xero": Transition(frozenset({S.OUT_OF_SYNC}), S.SYNCED),
    # A later reconcile finds Xero's document agreeing again with what was sent (someone undid the edit).
    "drift_cleared": Transition(frozenset({S.OUT_OF_SYNC}), S.SYNCED),
    "reexport": Transition(frozenset({S.OUT_OF_SYNC}), S.EXPORTING),
}


def allowed_actions(record) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if record.erp_status in t.sources]


def target_status(record, action: str) -> str:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"Unknown action '{action}'.")
    if record.erp_status not in transition.sources:
        current = S(record.erp_status).label if record.erp_status in S.values else record.erp_status
        allowed = ", ".join(sorted(S(s).label.lower() for s in transition.sources))
        raise TransitionRefused(
            f"Cannot {action.replace('_', ' ')} {record.erp_type_label} '{record}': it is "
            f"{current.lower()}; this is only possible when it is {allowed}."
        )
    if transition.target == QUEUE:
        return S.READY_TO_UPDATE if record.xero_id else S.READY_TO_EXPORT
    return transition.target


def lock_record(record):
    """Re-read the record under a row lock, so two requests cannot both move it."""
    return type(record).objects.select_for_update().get(pk=record.pk)


def apply_transition(
    record,
    action: str,
    *,
    actor=None,
    message: str = "",
    payload=None,
    response=None,
    update_fields: dict | None = None,
):
    """Move `record` (already locked by the caller's transaction) and audit it. Returns the record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_transition must run inside transaction.atomic")
    to_status = target_status(record, action)
    from_status = record.erp_status
    record.erp_status = to_status
    record.erp_status_changed_at = timezone.now()
    for field, value in (update_fields or {}).items():
        setattr(record, field, value)
    record.save()
    audit_record(
        record,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        message=message,
        payload=payload,
        response=response,
    )
    return record


def apply_transitions(model, moves: list[tuple], *, actor=None) -> list:
    """`apply_transition` for a batch of records of one model (PERF-6): each move is
    ``(record, action, update_fields, message, payload, response)``, the records already locked by the
    caller's transaction. Every move is checked as one would be; then one UPDATE per set of changed
    fields and one INSERT of all the audit rows. Returns the records moved."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_transitions must run inside transaction.atomic")
    now = timezone.now()
    groups: dict[tuple, list] = {}
    events = []
    for record, action, update_fields, message, payload, response in moves:
        to_status = target_status(record, action)
        from_status = record.erp_status
        record.erp_status, record.erp_status_changed_at, record.updated_at = to_status, now, now
        for field, value in (update_fields or {}).items():
            setattr(record, field, value)
        fields = ("erp_status", "erp_status_changed_at", "updated_at", *sorted(update_fields or {}))
        groups.setdefault(fields, []).append(record)
        events.append(audit_event(record, action=action, actor=actor, from_status=from_status, to_status=to_status,
                                  message=message, payload=payload, response=response))
    for fields, records in groups.items():
        model.objects.bulk_update(records, list(fields))
    AuditEvent.objects.bulk_create(events)
    return [move[0] for move in moves]
