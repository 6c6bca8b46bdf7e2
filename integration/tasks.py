"""django-q2 entry points: thin, idempotent; each loads by id and calls one service."""

from __future__ import annotations


def export_link(link_id: int, trigger: str = "on_demand") -> dict:
    """Export everything accepted on a link (SYNC-8)."""
    from integration.services.export import export_link as run

    return run(link_id=link_id, trigger=trigger).counts
