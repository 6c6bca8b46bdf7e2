"""Reading one project's list of a resource: from its cursor, then (for lists of headers) each new or
changed record again with its lines; what could not be read holds the cursor back."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from integration.mapping.from_procore import BadRecord, label, reference, updated_at
from integration.models import Project
from integration.services.pull.context import PullRun
from integration.services.pull.upsert import mark_removed, unchanged
from procore_client.errors import NotFound, ProcoreError


def projects_to_read(pull: PullRun, only: set[int] | None = None) -> list[Project]:
    """The projects whose records the pull reads: active ones, and inactive ones already in Xero."""
    projects = Project.objects.filter(link=pull.link, removed_in_procore=False).exclude(procore_id=None)
    projects = projects.filter(models.Q(active=True) | ~models.Q(xero_id=""))
    if only is not None:
        projects = projects.filter(pk__in=only)
    return list(projects.order_by("pk"))


def read_project_list(pull: PullRun, project: Project, cursor: str, model, what: str, fetch, *args,
                      filtered: bool = True, **kwargs) -> tuple[list[dict], datetime | None, datetime] | None:
    """``fetch(*args)`` from the cursor ``<cursor>@<project>``: (records, since, started), or None when
    Procore would not list them (one error of the run). ``filtered=False``: the list has no
    ``updated_at`` filter and is read whole."""
    since = pull.cursors.since(f"{cursor}@{project.procore_id}") if filtered else None
    started = pull.cursors.now()
    if filtered:
        kwargs["updated_since"] = since
    try:
        return pull.call(what, fetch, *args, **kwargs), since, started
    except ProcoreError as exc:
        pull.scope_failed(model._meta.model_name, project.procore_id, f"{project}: {what}", exc)
        return None


_GONE = object()


def store_listed(pull: PullRun, project: Project, listed, *, model, kind_label: str, cursor: str, store_one,
                 stored: models.QuerySet, read_detail=None) -> None:
    """Store a project's list (``read_project_list``): each new or changed record, read again with its
    lines (``read_detail(id)``) when the list carries headers only; records that could not be read or
    stored hold the cursor back; on a full read what Procore no longer lists (among ``stored``) is
    marked removed."""
    records, since, started = listed
    name = model._meta.model_name
    seen, held_back = set(), []
    for data in records:
        pull.read()
        stamp = updated_at(data)
        record_label = label(kind_label, data)
        if unchanged(pull, model, data):
            pull.count(name, "skipped")
            seen.add(reference(data.get("id")))
            continue
        if read_detail is None:
            outcome = store_one(data)
        else:
            outcome = _store_with_detail(pull, name, data, record_label, read_detail, store_one)
            if outcome is _GONE:
                continue  # deleted between the list and the read: the next full read marks it
        if outcome is None:
            if stamp:
                held_back.append(stamp)
            continue
        seen.add(outcome.record.procore_id)
    if since is None:
        mark_removed(pull, model, stored.exclude(procore_id__in=seen))
    pull.cursors.advance(f"{cursor}@{project.procore_id}", started, held_back)


def _store_with_detail(pull: PullRun, name: str, data: dict, record_label: str, read_detail, store_one):
    """Read one listed record again with its lines, then store it; None when either failed, ``_GONE``
    when Procore no longer has it."""
    try:
        detail = pull.call(record_label, read_detail, reference(data.get("id")))
    except NotFound:
        return _GONE
    except (ProcoreError, BadRecord) as exc:
        pull.count(name, "failed")
        pull.error(name, data.get("id"), record_label, f"could not be read: {exc}")
        return None
    return store_one({**data, **detail})
