"""django-q2 entry points: thin, idempotent; each loads by id and calls one service."""

from __future__ import annotations


def export_link(link_id: int, trigger: str = "on_demand") -> dict:
    """Export everything accepted on a link (SYNC-8)."""
    from integration.services.export import export_link as run

    return run(link_id=link_id, trigger=trigger).counts


def pull_link(link_id: int, trigger: str = "schedule") -> dict:
    """Pull a link's Procore records into the connector (SYNC-2, PERF-2)."""
    from integration.services.pull import pull_link as run

    return run(link_id=link_id, trigger=trigger).counts


def send_daily_summary() -> int:
    """The "ERP Integrations Daily Summary" to the approvers (SYNC-9); scheduled daily by a migration."""
    from integration.services.notifications import send_daily_summary as run

    return run()
