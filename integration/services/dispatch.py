"""Enqueue background work on django-q2. Callers use these after their transaction commits."""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue_export(*, link_id: int) -> str:
    """Export what is accepted on a link (SYNC-8); the task is idempotent, so enqueueing twice is safe."""
    return async_task("integration.tasks.export_link", link_id, task_name=f"export-link-{link_id}", group="export")


def schedule_export(*, link_id: int, at) -> None:
    """Run the link's export once at `at` (after a spent daily limit or an unavailable Xero).
    One pending retry per link: a later deferral moves it rather than adding another."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=f"export-retry-link-{link_id}",
        defaults={"func": "integration.tasks.export_link", "args": repr(link_id), "schedule_type": Schedule.ONCE,
                  "next_run": at, "repeats": 1},
    )


def schedule_writeback(*, link_id: int, at) -> None:
    """Write the link's pending Procore origin_ids once at `at`, when Procore's window has room again
    (PERF-4). One pending run per link: a later one moves it rather than adding another."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=f"writeback-link-{link_id}",
        defaults={"func": "integration.tasks.writeback_link", "args": repr(link_id), "schedule_type": Schedule.ONCE,
                  "next_run": at, "repeats": 1},
    )
