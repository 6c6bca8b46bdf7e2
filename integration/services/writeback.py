"""Write the Xero id back to Procore as `origin_id`: that is how a record shows as synced there, and
what locks it against edits (SYNC-6, api/procore.md §13). Clearing it unlocks or unlinks.

The export marks a record synced as soon as Xero answers, and flags it `writeback_pending`; the
origin_id is written afterwards, apart from the Xero work, so Procore's budget never holds back an
export (PERF-4):
- vendors, projects and commitments go through Procore's `/sync` endpoints, up to 1000 per call
  (`DOC:tutorials/using_sync_actions.md`: `{id, origin_id}` is the documented way to set an origin_id;
  each refused element comes back in `errors` echoing its input with an `errors` object, HTTP 200);
- subcontractor invoices (requisitions) and owner invoices (payment applications) have no batch
  endpoint: the public OAS (`../shared/specs/procore/endpoints-index.tsv`) lists only
  `PATCH /rest/v1.1/requisitions/{id}` and `PATCH /rest/v1.0/prime_contracts/{pc}/payment_applications/{id}`
  for them (`requisitions/{id}/bulk_item_update` changes one requisition's items, not its origin_id), and
  the ERP platform's `external_data/sync` is a restricted partner API (api/procore.md §14.4). They are
  written one call each, only while Procore's `X-Rate-Limit-*` window has more than RESERVE_FRACTION
  left; the rest waits for the next window, drained by the `writeback_link` task.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from integration.mapping.from_procore import PROCORE_COMMITMENT_KIND
from integration.models import (
    Commitment,
    CompanyLink,
    ErpStatus,
    OwnerInvoice,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.services.connections import NotConnected, procore_client_for
from procore_client.answers import SyncResult
from procore_client.errors import AuthError, ProcoreError, TransientError

#: The share of Procore's window the write-back leaves to pulls, imports and people (the client
#: itself slows down at 10 %, so stopping at 25 % never makes it sleep).
RESERVE_FRACTION = 0.25
#: A `/sync` call takes at most 1000 updates (DOC:tutorials/using_sync_actions.md, api/procore.md §6).
SYNC_CHUNK = 1000
#: How long a drain started by the export may wait for Procore's window: not at all, the rest is
#: the task's. The task waits out a spike window (10 s) but not the hourly one.
TASK_MAX_WAIT_SECONDS = 60
BATCHED = (Project, Vendor, Commitment)
ONE_BY_ONE = (SubcontractorInvoice, OwnerInvoice)
RELATED = {Project: (), Vendor: (), Commitment: ("project",), SubcontractorInvoice: ("project", "commitment"),
           OwnerInvoice: ("project", "prime_contract")}
PENDING_MESSAGE = "in Xero; Procore marking pending"


def _writer(record):
    model = record._meta.model_name
    if model == "vendor":
        return lambda client, origin: client.set_vendor_origin_id(record.procore_id, origin)
    if model == "project":
        return lambda client, origin: client.set_project_origin_id(record.procore_id, origin)
    if model == "commitment":
        kind = PROCORE_COMMITMENT_KIND[record.kind]
        return lambda client, origin: client.set_commitment_origin_id(record.project.procore_id, kind, record.procore_id, origin)
    if model == "subcontractorinvoice":
        return lambda client, origin: client.set_requisition_origin_id(
            record.project.procore_id, record.procore_id, origin,
            **({"commitment_id": record.commitment.procore_id} if record.commitment_id else {}),
        )
    if model == "ownerinvoice":
        return lambda client, origin: client.set_payment_application_origin_id(
            record.project.procore_id, record.prime_contract.procore_id, record.procore_id, origin)
    # Cost items and change orders: Procore's public API has no origin_id to write for them (api/procore.md
    # §8, unconfirmed for commitment change orders), so they show as synced here only.
    return None


def has_procore_origin(record) -> bool:
    return _writer(record) is not None and bool(record.procore_id)


def set_procore_origin(*, record, origin_id: str | None, client=None) -> bool:
    """Set (or clear, with None) the record's origin_id in Procore. Returns False when the type has none."""
    writer = _writer(record)
    if writer is None or not record.procore_id:
        return False
    writer(client or procore_client_for(record.link), origin_id)
    return True


@dataclass
class Drained:
    """What one drain did: origin_ids written, refused by Procore, and still waiting (and from when)."""

    written: int = 0
    refused: int = 0
    waiting: int = 0
    resume_at: datetime | None = None

    def summary(self) -> str:
        if not self.waiting:
            return ""
        when = f" (from {self.resume_at:%H:%M} UTC)" if self.resume_at else ""
        return (f"{self.waiting} record{'s' if self.waiting != 1 else ''} {'are' if self.waiting != 1 else 'is'} "
                f"{PENDING_MESSAGE}: the origin_id waits for Procore's next rate-limit window{when}.")


def pending(model, link: CompanyLink):
    return model.objects.filter(link=link, writeback_pending=True, erp_status=ErpStatus.SYNCED).exclude(
        Q(procore_id__isnull=True) | Q(xero_id=""))


def pending_count(link: CompanyLink) -> int:
    return sum(pending(model, link).count() for model in (*BATCHED, *ONE_BY_ONE))


def _chunks(model, link: CompanyLink, size: int):
    """The pending records of `model` in pk order, `size` at a time (memory stays flat in N)."""
    last = 0
    while chunk := list(pending(model, link).select_related(*RELATED[model]).filter(pk__gt=last).order_by("pk")[:size]):
        last = chunk[-1].pk
        yield chunk


def _sync_group(client, model, scope, records) -> dict[int, str | None]:
    """One `/sync` call for records of one scope; {procore_id: None when written, else Procore's reason}."""
    updates = [{"id": r.procore_id, "origin_id": r.xero_id} for r in records]
    if model is Vendor:
        result = client.sync_vendors(updates)
    elif model is Project:
        result = client.sync_projects(updates)
    else:
        project_id, kind = scope
        result = client.sync_commitments(project_id, kind, updates)
    outcome: dict[int, str | None] = {}
    for entity in result.entities:
        if isinstance(entity, dict) and entity.get("id") is not None:
            outcome[int(entity["id"])] = None
    for error in result.errors:
        if isinstance(error, dict) and error.get("id") is not None:
            outcome[int(error["id"])] = SyncResult.reason(error)
    return outcome


def _scope(record):
    if isinstance(record, Commitment):
        return record.project.procore_id, PROCORE_COMMITMENT_KIND[record.kind]
    return None


def drain(*, link: CompanyLink, client, tracker=None, max_wait: float = 0.0) -> Drained:
    """Write the pending origin_ids of a link: batched where Procore has `/sync`, one by one within
    Procore's budget where it has not. Never waits longer than `max_wait` for a window."""
    out = Drained()

    def refused(record, message: str) -> None:
        out.refused += 1
        if tracker is not None:
            tracker.error(record, f"Synced in Xero, but Procore refused the origin_id: {message}")

    for model in BATCHED:
        for chunk in _chunks(model, link, SYNC_CHUNK):
            groups = defaultdict(list)
            for record in chunk:
                groups[_scope(record)].append(record)
            for scope, records in groups.items():
                for start in range(0, len(records), SYNC_CHUNK):
                    part = records[start:start + SYNC_CHUNK]
                    outcome = _sync_group(client, model, scope, part)
                    written = [r.pk for r in part if r.procore_id in outcome and outcome[r.procore_id] is None]
                    model.objects.filter(pk__in=written).update(writeback_pending=False, locked=True)
                    out.written += len(written)
                    for r in part:
                        if outcome.get(r.procore_id):
                            refused(r, outcome[r.procore_id])
    for model in ONE_BY_ONE:
        for chunk in _chunks(model, link, 200):
            written = []
            try:
                for record in chunk:
                    wait = client.budget_wait(RESERVE_FRACTION)
                    if wait is not None:
                        if wait > max_wait:
                            out.resume_at = datetime.fromtimestamp(client.clock() + wait, tz=UTC)
                            raise _OutOfBudget
                        client.wait_for_window(wait)
                    try:
                        set_procore_origin(record=record, origin_id=record.xero_id, client=client)
                    except (AuthError, TransientError):
                        raise
                    except ProcoreError as exc:
                        refused(record, exc.message)
                        continue
                    written.append(record.pk)
            finally:
                model.objects.filter(pk__in=written).update(writeback_pending=False, locked=True)
                out.written += len(written)
    return out


class _OutOfBudget(Exception):
    """Procore's window has only its reserve left: the rest waits for the next one."""


def drain_within_budget(*, link: CompanyLink, tracker=None, client=None, max_wait: float = 0.0) -> Drained:
    """`drain`, turning a spent window, a Procore fault or a missing connection into a count of what
    waits, and scheduling the `writeback_link` task for when Procore has room again."""
    from integration.services.dispatch import schedule_writeback

    out = Drained()
    try:
        client = client or procore_client_for(link)
        out = drain(link=link, client=client, tracker=tracker, max_wait=max_wait)
    except NotConnected as exc:
        if tracker is not None:
            tracker.error(None, f"Synced in Xero, but Procore could not be updated: {exc}")
        out.waiting = pending_count(link)
        return out  # reconnecting Procore and running the export again writes them
    except _OutOfBudget:
        pass
    except (AuthError, TransientError) as exc:
        if tracker is not None:
            tracker.error(None, f"Synced in Xero, but Procore did not take the origin_id ({exc.message}); it is retried.")
        out.resume_at = out.resume_at or timezone.now() + timedelta(minutes=5)
        if isinstance(exc, AuthError):
            out.waiting = pending_count(link)
            return out
    out.waiting = pending_count(link) - out.refused
    if out.waiting > 0:
        out.resume_at = out.resume_at or timezone.now() + timedelta(minutes=5)
        schedule_writeback(link_id=link.pk, at=out.resume_at)
    return out


def writeback_link(*, link_id: int, trigger: str = SyncRun.Trigger.SCHEDULE) -> SyncRun:
    """The write-back task's run: drain what waits, within Procore's budget, and say what still does."""
    from integration.services.runs import RunTracker

    link = CompanyLink.objects.get(pk=link_id)
    tracker = RunTracker.start(link=link, kind=SyncRun.Kind.WRITEBACK, trigger=trigger, exclusive=True)
    if not tracker.running:
        return tracker.run
    tracker.total(pending_count(link))
    out = drain_within_budget(link=link, tracker=tracker, max_wait=TASK_MAX_WAIT_SECONDS)
    tracker.count("updated", out.written)
    tracker.count("failed", out.refused)
    tracker.run.counts["procore_marking_pending"] = out.waiting
    tracker.progress(done=out.written + out.refused)
    return tracker.finish(message=out.summary() or f"{out.written} origin_id{'s' if out.written != 1 else ''} written to Procore.")

