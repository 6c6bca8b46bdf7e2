"""Sync runs (RPT-4): progress while a run works, then its counts and errors."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integration.models import SyncRun

COUNT_KEYS = ("read", "created", "updated", "skipped", "failed")
# A running run saves as it goes; one silent this long lost its worker (killed, restarted).
STALE_AFTER = timedelta(minutes=30)


class RunTracker:
    """Counts and errors of one SyncRun, saved as the run goes so the admin can watch it."""

    def __init__(self, run: SyncRun):
        self.run = run
        run.counts = {key: run.counts.get(key, 0) for key in COUNT_KEYS} | run.counts

    @classmethod
    def start(cls, *, link, kind: str, trigger: str, actor=None, parameters: dict | None = None) -> RunTracker:
        user = actor if actor is not None and not isinstance(actor, str) else None
        close_stale_runs(link=link, kind=kind)
        return cls(SyncRun.objects.create(link=link, kind=kind, trigger=trigger, triggered_by=user, parameters=parameters or {}))

    def count(self, key: str, n: int = 1) -> None:
        self.run.counts[key] = self.run.counts.get(key, 0) + n

    def error(self, record, message: str) -> None:
        """An error tied to a record (linked from the run's page) or to the run itself (record None)."""
        self.run.errors.append({
            "model": record._meta.label_lower if record is not None else "",
            "id": record.pk if record is not None else None,
            "label": str(record)[:200] if record is not None else "",
            "message": message,
        })

    def total(self, n: int) -> None:
        self.run.progress_total = n
        self.save()

    def advance(self, n: int = 1) -> None:
        self.run.progress_done += n
        self.save()

    def save(self) -> None:
        self.run.save(update_fields=["counts", "errors", "progress_total", "progress_done", "message", "deferred_until", "status",
                                     "updated_at"])

    def finish(self, *, status: str | None = None, message: str = "") -> SyncRun:
        run = self.run
        if status is None:
            status = SyncRun.Status.PARTIAL if (run.errors or run.counts.get("failed")) else SyncRun.Status.SUCCEEDED
        run.status = status
        if message:
            run.message = message
        run.finished_at = timezone.now()
        run.save()
        return run


def close_stale_runs(*, link, kind: str) -> int:
    """Runs of this kind whose worker died show as failed rather than running for ever (RPT-4)."""
    now = timezone.now()
    return SyncRun.objects.filter(link=link, kind=kind, status=SyncRun.Status.RUNNING, updated_at__lt=now - STALE_AFTER).update(
        status=SyncRun.Status.FAILED, finished_at=now,
        message=f"The worker stopped without finishing (no progress for {int(STALE_AFTER.total_seconds() // 60)} minutes); "
                "a later run took over its work.")
