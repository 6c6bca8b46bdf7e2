"""Sync runs (RPT-4): the one way every run (pull, export, imports, reconcile) opens, reports and closes.

``RunTracker.start`` opens a ``SyncRun``; the tracker keeps its counts and errors and saves them as the
run goes, so the admin can watch it; ``finish`` closes it. A run that saves nothing for ``STALE_AFTER``
lost its worker (killed, restarted): ``close_stale_runs`` ends it failed, with the reason, from the
every-few-minutes schedule, the dashboard and the next run of its kind. A run whose task raised ends
failed at once (``fail_open_runs``). An ``exclusive`` run (the pull) does nothing, and says so, while
another live run of its kind works on the same link. ``StopRun`` ends a run early with a status and a
message (a dead grant, a spent rate limit).
"""

from __future__ import annotations

import copy
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integration.models import CompanyLink, SyncRun

COUNT_KEYS = ("read", "created", "updated", "skipped", "failed")
# A running run saves as it goes (at least every HEARTBEAT_SECONDS while busy). django-q2 stops any task
# that runs longer than its timeout (Q_TIMEOUT), so a run silent that long has no worker left: it died,
# was killed or restarted. This is the one staleness rule: the dashboard names such a run, and the sweep
# ends it failed.
STALE_AFTER = timedelta(seconds=settings.Q_CLUSTER.get("timeout") or 600)
#: Every how many minutes the "Close stale sync runs" schedule sweeps (a migration creates it).
SWEEP_MINUTES = 2
#: The start of the message of a run the sweep ended; the dashboard names these runs.
WORKER_GONE = "The worker stopped without finishing"
#: The start of the message of a run whose task raised; the dashboard names these runs.
STOPPED_BY_ERROR = "Stopped by an error"
#: A busy run saves its counts at least this often (seconds), which also shows it is alive.
HEARTBEAT_SECONDS = 30


class StopRun(Exception):
    """The whole run must stop (dead grant, spent rate limit): ``status`` and ``message`` say how."""

    def __init__(self, status: str, message: str, deferred_until: datetime | None = None):
        self.status, self.message, self.deferred_until = status, message, deferred_until
        super().__init__(message)


class RunTracker:
    """Counts and errors of one SyncRun, saved as the run goes so the admin can watch it."""

    def __init__(self, run: SyncRun, *, counts: dict[str, Any] | None = None):
        self.run = run
        run.counts = {key: run.counts.get(key, 0) for key in COUNT_KEYS} | copy.deepcopy(counts or {}) | run.counts
        self._saved_at = time.monotonic()

    @classmethod
    def start(cls, *, link, kind: str, trigger: str, actor=None, parameters: dict | None = None,
              counts: dict[str, Any] | None = None, exclusive: bool = False) -> RunTracker:
        """Open a run. ``exclusive``: while another live run of this kind works on the link, the new
        one is closed at once as deferred (``tracker.running`` is False) and does nothing."""
        user = actor if actor is not None and not isinstance(actor, str) else None
        trigger = trigger if trigger in SyncRun.Trigger.values else SyncRun.Trigger.ON_DEMAND
        with transaction.atomic():
            if exclusive:
                CompanyLink.objects.select_for_update().get(pk=link.pk)
            close_stale_runs(link=link, kind=kind)
            busy = exclusive and SyncRun.objects.filter(link=link, kind=kind, status=SyncRun.Status.RUNNING).exists()
            run = SyncRun.objects.create(link=link, kind=kind, trigger=trigger, triggered_by=user,
                                         parameters=parameters or {})
            if busy:
                run.status, run.finished_at = SyncRun.Status.DEFERRED, timezone.now()
                run.message = f"Another {kind.replace('_', ' ')} of this link is running; this one did nothing."
                run.save(update_fields=["status", "finished_at", "message"])
        return cls(run, counts=counts)

    @property
    def running(self) -> bool:
        return self.run.status == SyncRun.Status.RUNNING

    def count(self, key: str, n: int = 1, *, model: str | None = None) -> None:
        """Add to a count of the run, and to the same count of ``model`` (``counts["by_model"]``)."""
        self.run.counts[key] = self.run.counts.get(key, 0) + n
        if model is not None:
            per = self.run.counts.setdefault("by_model", {}).setdefault(model, {})
            per[key] = per.get(key, 0) + n
        if time.monotonic() - self._saved_at > HEARTBEAT_SECONDS:
            self.save()

    def error(self, record, message: str) -> None:
        """An error tied to a record (linked from the run's page) or to the run itself (record None)."""
        self.report(model=record._meta.label_lower if record is not None else "",
                    id=record.pk if record is not None else None,
                    label=str(record)[:200] if record is not None else "", message=message)

    def report(self, *, model: str, id: Any, label: str, message: str, held: bool = False) -> None:  # noqa: A002 - the error's key
        """An error about something the connector does not store (yet): a Procore record by its id.
        ``held``: not a failure but a record held back until what it depends on is in Xero; listed
        on the run's page, it does not make the run "finished with errors"."""
        entry = {"model": model, "id": id, "label": label, "message": message}
        if held:
            entry["held"] = True
        self.run.errors.append(entry)

    def total(self, n: int) -> None:
        self.run.progress_total = n
        self.save()

    def advance(self, n: int = 1) -> None:
        self.run.progress_done += n
        self.save()

    def progress(self, done: int | None = None, total: int | None = None) -> None:
        if done is not None:
            self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        self.save()

    def save(self) -> None:
        self._saved_at = time.monotonic()
        self.run.save(update_fields=["counts", "errors", "progress_total", "progress_done", "message", "deferred_until", "status",
                                     "updated_at"])

    def finish(self, *, status: str | None = None, message: str = "", deferred_until: datetime | None = None) -> SyncRun:
        run = self.run
        if status is None:
            failed = run.counts.get("failed") or any(not e.get("held") for e in run.errors)
            status = SyncRun.Status.PARTIAL if failed else SyncRun.Status.SUCCEEDED
        run.status = status
        if message:
            run.message = message
        if deferred_until is not None:
            run.deferred_until = deferred_until
        run.finished_at = timezone.now()
        run.save()
        return run


def stale_minutes() -> int:
    return int(STALE_AFTER.total_seconds() // 60)


def fail_open_runs(*, link_id: int | None, kind: str, since: datetime, reason: str) -> int:
    """Runs of this kind opened since ``since`` and still running end as failed with ``reason``: the
    task that ran them raised (a database error, a bug), so no one else would ever close them."""
    return SyncRun.objects.filter(link_id=link_id, kind=kind, status=SyncRun.Status.RUNNING, started_at__gte=since).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), message=reason[:2000])


def close_stale_runs(*, link=None, kind: str | None = None, now: datetime | None = None) -> int:
    """Running runs silent for ``STALE_AFTER`` end as failed, saying so (RPT-4, REL-5): of one link and
    kind when the next run of that kind starts, of every link and kind from the sweep. ``updated_at``
    keeps the time of the last progress (an ``update`` leaves it alone), which the dashboard shows.
    A worker that was only slow and saves again puts its run back to running (the tracker saves its
    status)."""
    now = now or timezone.now()
    runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
    if link is not None:
        runs = runs.filter(link=link)
    if kind is not None:
        runs = runs.filter(kind=kind)
    return runs.update(
        status=SyncRun.Status.FAILED, finished_at=now,
        message=f"{WORKER_GONE} (no progress for {stale_minutes()} minutes: it died, was killed or restarted); "
                "the next run of its kind picks up its work.")
