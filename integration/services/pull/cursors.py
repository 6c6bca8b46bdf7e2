"""Where each incremental read of the pull resumes (PERF-2).

``link.sync_cursors`` holds, per resource and scope, when the last complete read of it started (the
Procore client's clock, the one its ``filters[updated_at]`` ranges end on): ``"vendors"``,
``"projects"``, and ``"<resource>@<project id>"`` for ``work_order_contracts``,
``purchase_order_contracts``, ``change_orders``, ``requisitions`` and ``prime_contracts`` (ISO 8601
strings). A read asks for ``filters[updated_at]`` from that cursor less ``CURSOR_OVERLAP``. A scope whose
read failed keeps its old cursor; a record that failed holds the cursor back to its own ``updated_at``,
so it is read again next time. ``"full_read_at"`` is the time of the last full read: every
``FULL_READ_INTERVAL`` (and on the first run, or when asked) everything is read without a filter, which is
when records deleted in Procore are found. Emptying ``sync_cursors`` forces a full read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from integration.models import CompanyLink

#: Re-read this much before the cursor: a record saved while the last run was reading is not missed.
CURSOR_OVERLAP = timedelta(minutes=5)
#: How often a pull reads everything (and so finds records deleted in Procore).
FULL_READ_INTERVAL = timedelta(hours=24)
FULL_READ_KEY = "full_read_at"


def full_read_due(link: CompanyLink) -> bool:
    """True on the first pull, and when the last full read is older than ``FULL_READ_INTERVAL``."""
    last_full = (link.sync_cursors or {}).get(FULL_READ_KEY)
    try:
        return last_full is None or timezone.now() - datetime.fromisoformat(last_full) > FULL_READ_INTERVAL
    except (TypeError, ValueError):
        return True


class Cursors:
    """The cursors of one pull: read from the link when it starts, saved back when it ends."""

    def __init__(self, link: CompanyLink, *, clock, full: bool):
        self.link = link
        self.clock = clock
        self.full = full
        self.values: dict[str, Any] = dict(link.sync_cursors or {})

    def since(self, key: str) -> datetime | None:
        """Where a read of ``key`` starts; None reads everything (a full read, or no cursor yet)."""
        if self.full:
            return None
        value = self.values.get(key)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value) - CURSOR_OVERLAP
        except (TypeError, ValueError):
            return None

    def now(self) -> datetime:
        """The client's clock (the one its ``filters[updated_at]`` ranges end on)."""
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def advance(self, key: str, started: datetime, held_back: list[datetime]) -> None:
        """Move a scope's cursor after a complete read: to when the read started, or back to the
        oldest failed record, so that record is read again next time."""
        self.values[key] = (min([started, *held_back])).isoformat()

    def save(self, *, full_read_done: bool = False) -> None:
        if full_read_done:
            self.values[FULL_READ_KEY] = timezone.now().isoformat()
        CompanyLink.objects.filter(pk=self.link.pk).update(sync_cursors=self.values)
        self.link.sync_cursors = self.values
