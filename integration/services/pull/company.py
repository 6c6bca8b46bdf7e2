"""The company-level lists: vendors (the directory, CO-1) and projects (PRJ-1), read incrementally.

A project created or changed in this run has its cost codes read again (PRJ-3). A vendor a record
names but the pull has not seen yet (added since) is read alone (``ensure_vendor``).
"""

from __future__ import annotations

from integration.mapping import from_procore
from integration.mapping.from_procore import reference, text, updated_at
from integration.models import Project, Vendor
from integration.services.pull.context import PullRun
from integration.services.pull.upsert import (
    Outcome,
    existing,
    mark_removed,
    save_erp_record,
    store,
    unchanged,
)
from procore_client.errors import NotFound, ProcoreError


def _read_company_list(pull: PullRun, cursor: str, model, fetch, store_one, *, on_stored=None) -> None:
    """A company-level list read incrementally from its cursor: each record stored, the ones that could
    not be stored holding the cursor back, and on a full read what Procore no longer lists marked removed."""
    since, started = pull.cursors.since(cursor), pull.cursors.now()
    try:
        listed = pull.call(cursor, fetch, updated_since=since)
    except ProcoreError as exc:
        pull.scope_failed(model._meta.model_name, None, cursor, exc)
        return
    seen_pks, held_back = set(), []
    for data in listed:
        pull.read()
        stamp = updated_at(data)
        outcome = store_one(pull, data)
        if outcome is None:
            if stamp:
                held_back.append(stamp)
            continue
        seen_pks.add(outcome.record.pk)
        if on_stored is not None:
            on_stored(outcome)
    if since is None:
        mark_removed(pull, model, model.objects.filter(link=pull.link).exclude(pk__in=seen_pks))
    pull.cursors.advance(cursor, started, held_back)


def pull_vendors(pull: PullRun) -> None:
    _read_company_list(pull, "vendors", Vendor, pull.client.list_vendors, store_vendor)


def store_vendor(pull: PullRun, data: dict) -> Outcome | None:
    if unchanged(pull, Vendor, data):
        pull.count("vendor", "skipped")
        return Outcome(existing(pull, Vendor, reference(data.get("id"))))
    return store(pull, Vendor, data, text(data.get("name")) or "vendor",
                 lambda procore_id: save_erp_record(pull, Vendor, procore_id, from_procore.vendor(data)))


def ensure_vendor(pull: PullRun, vendor_id: int | None) -> Vendor | None:
    """A vendor a record names but the pull has not seen (e.g. added since): read it alone."""
    if vendor_id is None:
        return None
    vendor = existing(pull, Vendor, vendor_id)
    if vendor is not None:
        return vendor
    try:
        data = pull.call("a vendor", pull.client.get_vendor, vendor_id)
    except NotFound:
        return None
    except ProcoreError as exc:
        pull.error("vendor", vendor_id, f"vendor {vendor_id}", f"could not be read: {exc}")
        return None
    pull.read()
    outcome = store_vendor(pull, data)
    return outcome.record if outcome else None


def pull_projects(pull: PullRun) -> None:
    def note_change(outcome):
        if outcome.created or outcome.changed:
            pull.changed_projects.add(outcome.record.pk)

    _read_company_list(pull, "projects", Project, pull.client.list_projects, store_project, on_stored=note_change)


def store_project(pull: PullRun, data: dict) -> Outcome | None:
    if unchanged(pull, Project, data):
        pull.count("project", "skipped")
        return Outcome(existing(pull, Project, reference(data.get("id"))))
    return store(pull, Project, data, text(data.get("display_name")) or text(data.get("name")) or "project",
                 lambda procore_id: save_erp_record(pull, Project, procore_id, from_procore.project(data)))
