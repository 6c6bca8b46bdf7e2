"""Shared pieces of the Xero → Procore imports: clients, cursors, runs, and reading Xero documents safely.

Rules every import follows (architecture.md, REL-6):
- no network call inside a database transaction: read Xero, write Procore, then one short
  ``transaction.atomic`` per record to store the outcome and its audit row;
- a malformed Xero document is one error on the run and changes nothing else;
- Procore POSTs are never retried blindly: after ``TransientError(committed_unknown=True)`` the
  record is looked up by ``origin_id`` first (``create_once``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from integration.models import CompanyLink, Connection, SyncRun
from integration.services.connections import (
    NotConnected,
    connection_mark_needs_reconnect,
    procore_client_for,
    xero_client_for,
)
from integration.services.runs import RunTracker

log = logging.getLogger(__name__)

#: Re-read this much before the stored high-water mark (api/xero.md §4: "overlap by a few minutes").
CURSOR_OVERLAP = dt.timedelta(minutes=5)
ZERO = Decimal("0")


class BadDocument(ValueError):
    """A Xero document that is not what the API promises (REL-6): reported, nothing changed."""


# ---------------------------------------------------------------------------------- cursors
def cursor_get(link: CompanyLink, key: str) -> dt.datetime | None:
    """The high-water mark of `key` less the overlap, or None (a full read)."""
    value = (link.sync_cursors or {}).get(key)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment - CURSOR_OVERLAP


def cursor_set(link: CompanyLink, key: str, moment: dt.datetime | None) -> None:
    """Store one cursor under a row lock, merging with the others (the pull stores its own keys)."""
    if moment is None:
        return
    with transaction.atomic():
        locked = CompanyLink.objects.select_for_update().get(pk=link.pk)
        cursors = dict(locked.sync_cursors or {})
        previous = cursors.get(key)
        if previous and previous >= moment.isoformat():
            return
        cursors[key] = moment.astimezone(dt.UTC).isoformat()
        CompanyLink.objects.filter(pk=link.pk).update(sync_cursors=cursors)
    link.sync_cursors = cursors


def later(a: dt.datetime | None, b: Any) -> dt.datetime | None:
    if not isinstance(b, dt.datetime):
        return a
    return b if a is None or b > a else a


# ---------------------------------------------------------------------------------- reading documents
def text(value: Any, name: str, *, required: bool = False, limit: int | None = None) -> str:
    if value is None or value == "":
        if required:
            raise BadDocument(f"{name} is missing")
        return ""
    if not isinstance(value, str):
        raise BadDocument(f"{name} is not text")
    value = value.strip()
    return value[:limit] if limit else value


def amount(value: Any, name: str, *, required: bool = True) -> Decimal:
    if value is None:
        if required:
            raise BadDocument(f"{name} is missing")
        return ZERO
    if isinstance(value, bool):
        raise BadDocument(f"{name} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BadDocument(f"{name} is not a number: {str(value)[:30]!r}") from None
    if not number.is_finite():
        raise BadDocument(f"{name} is not a number")
    return number


def day(value: Any, name: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None and not required:
        return None
    raise BadDocument(f"{name} is not a date")


def stamp(value: Any) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def obj(value: Any, name: str, *, required: bool = True) -> dict:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise BadDocument(f"{name} is missing or not an object")
    return value


def rows(value: Any, name: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadDocument(f"{name} is not a list of objects")
    return value


# ---------------------------------------------------------------------------------- runs and clients
def start_run(*, link: CompanyLink, kind: str, trigger: str, actor=None, parameters: dict | None = None) -> RunTracker:
    return RunTracker.start(link=link, kind=kind, trigger=trigger, actor=actor, parameters=parameters or {})


def clients_for(link: CompanyLink):
    return xero_client_for(link), procore_client_for(link)


def run_guarded(tracker: RunTracker, link: CompanyLink, body: Callable[[], str | None]) -> SyncRun:
    """Run `body`; a lost connection, a spent limit or any client error fails the run with its message
    (the records already done stay done: each one is its own transaction)."""
    from procore_client.errors import InvalidGrant as ProcoreInvalidGrant
    from procore_client.errors import ProcoreError
    from xero_client.errors import DailyLimitReached, XeroError
    from xero_client.errors import InvalidGrant as XeroInvalidGrant

    try:
        message = body() or ""
    except NotConnected as exc:
        return tracker.finish(status=SyncRun.Status.FAILED, message=str(exc) or "The link is not connected.")
    except XeroInvalidGrant as exc:
        connection_mark_needs_reconnect(link=link, provider=Connection.Provider.XERO, message=str(exc))
        return tracker.finish(status=SyncRun.Status.FAILED, message="Xero needs a reconnect.")
    except ProcoreInvalidGrant as exc:
        connection_mark_needs_reconnect(link=link, provider=Connection.Provider.PROCORE, message=str(exc))
        return tracker.finish(status=SyncRun.Status.FAILED, message="Procore needs a reconnect.")
    except DailyLimitReached as exc:
        retry_at = getattr(exc, "retry_at", None)
        tracker.run.deferred_until = retry_at if isinstance(retry_at, dt.datetime) else None
        return tracker.finish(status=SyncRun.Status.DEFERRED,
                              message=f"Xero's daily call limit is spent; the import resumes later. {exc}")
    except (XeroError, ProcoreError, BadDocument) as exc:
        log.warning("import run %s failed: %s", tracker.run.pk, type(exc).__name__)
        tracker.error(None, str(exc))
        return tracker.finish(status=SyncRun.Status.FAILED, message=str(exc)[:500])
    return tracker.finish(message=message)


def create_once(create: Callable[[], dict], find: Callable[[], dict | None], *, check_first: bool = False) -> dict:
    """POST once; after an unknown outcome (the answer was lost) look the record up by origin_id and
    only POST again when Procore does not have it (exactly once, PAY-5). `check_first`: an earlier
    attempt may have landed (the record was left pending), so look before the first POST too."""
    from procore_client.errors import TransientError

    if check_first:
        existing = find()
        if existing is not None:
            return existing
    try:
        return create()
    except TransientError as exc:
        if not getattr(exc, "committed_unknown", False):
            raise
        found = find()
        if found is not None:
            return found
        return create()
