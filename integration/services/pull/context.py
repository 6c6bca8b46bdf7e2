"""The state of one pull: the link, the Procore client, the run's tracker, the cursors, and what changed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from integration.models import CompanyLink, Connection, CostCode, SyncRun
from integration.services.connections import connection_mark_needs_reconnect
from integration.services.pull.cursors import Cursors
from integration.services.runs import RunTracker, StopRun
from procore_client.errors import Forbidden, InvalidGrant, NotFound, RateLimited

logger = logging.getLogger("integration.services.pull")

ACTOR = "system: procore pull"
#: The counts of a pull, besides the tracker's own (read, created, updated, skipped, failed).
COUNTS = {"removed": 0, "queued": 0, "not_queued": 0, "ready_to_update": 0, "by_model": {}}


class PullRun:
    """One pull of a link: every resource module reads and stores through it.

    ``touched`` holds the (model name, pk) of the records this run created or changed;
    ``changed_projects`` the pks of the projects whose cost codes need reading again."""


    def __init__(self, *, link: CompanyLink, tracker: RunTracker, client, full: bool):
        self.link = link
        self.tracker = tracker
        self.client = client
        self.full = full
        self.cursors = Cursors(link, clock=client.clock, full=full)
        self.touched: set[tuple[str, int]] = set()
        self.changed_projects: set[int] = set()
        #: Procore's project cost code id → the connector's cost code (``cost_items.py`` fills it).
        self.cost_code_by_project_code: dict[int, CostCode] = {}
        #: The Procore ids of the standard list's cost codes, once this run read the list.
        self.standard_code_ids: set[int] | None = None
        #: Each prime contract's schedule of values as this run read it (its lines' tax codes, BOOK-3).
        self.prime_lines: dict[int, list[dict]] = {}

    # -- the run's report -----------------------------------------------------------------------------
    def count(self, model: str, what: str, n: int = 1) -> None:
        self.tracker.count(what, n, model=model)

    def read(self, n: int = 1) -> None:
        """Records read from Procore (counted for the run, not per model)."""
        self.tracker.count("read", n)

    def error(self, model: str, procore_id: Any, label: str, message: str) -> None:
        self.tracker.report(model=model, id=procore_id, label=str(label)[:300], message=str(message))
        logger.warning("procore pull of link %s: %s %s: %s", self.link.pk, model, procore_id, message)

    def hold(self, model: str, procore_id: Any, label: str, message: str) -> None:
        """A record that qualifies but waits for what it depends on (its company, project or cost codes
        in Xero): listed on the run's page, not a failure, and not a warning in the log."""
        self.tracker.report(model=model, id=procore_id, label=str(label)[:300], message=str(message), held=True)
        logger.info("procore pull of link %s: %s %s: %s", self.link.pk, model, procore_id, message)

    # -- API calls ------------------------------------------------------------------------------------
    def call(self, what: str, fn, *args, **kwargs):
        """One client call; dead grants and spent limits stop the run, anything else is the caller's."""
        try:
            return fn(*args, **kwargs)
        except InvalidGrant as exc:
            message = f"Procore refused the connection's grant ({exc.message}); reconnect Procore in the admin."
            connection_mark_needs_reconnect(link=self.link, provider=Connection.Provider.PROCORE, message=message)
            raise StopRun(SyncRun.Status.FAILED, message) from None
        except RateLimited as exc:
            until = datetime.fromtimestamp(exc.reset_at, tz=UTC) if exc.reset_at else None
            raise StopRun(SyncRun.Status.DEFERRED, f"Procore's rate limit is spent while reading {what}; "
                                                   "the rest waits for the next run.", until) from None

    def scope_failed(self, model: str, scope_id: Any, label: str, exc: Exception) -> None:
        """A list Procore would not give: one error; the records already stored stay as they are."""
        if isinstance(exc, NotFound | Forbidden):
            message = f"Procore refused to list it ({exc}): is the connector's user on this project?"
        else:
            message = f"the list could not be read: {exc}"
        self.count(model, "failed")
        self.error(model, scope_id, label, message)
