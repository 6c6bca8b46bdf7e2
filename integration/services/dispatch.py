"""Enqueue background work on django-q2. Callers use these after their transaction commits."""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue_export(*, link_id: int) -> str:
    """Export what is accepted on a link (SYNC-8); the task is idempotent, so enqueueing twice is safe."""
    return async_task("integration.tasks.export_link", link_id, task_name=f"export-link-{link_id}", group="export")
