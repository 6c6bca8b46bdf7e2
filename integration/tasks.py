"""django-q2 entry points: thin, idempotent; each loads by id and calls one service."""

from __future__ import annotations

import functools


def closes_its_runs(*kinds: str):
    """A task that raises (a database error such as SQLite's "database is locked", a bug) leaves the
    runs it opened "running" with nobody to close them: they end as failed with the reason, at once,
    rather than at the stale threshold; the task still fails in django-q2 with its traceback."""
    def wrap(task):
        @functools.wraps(task)
        def run(*args, **kwargs):
            from django.utils import timezone

            link_id = kwargs["link_id"] if "link_id" in kwargs else args[0]
            started = timezone.now()
            try:
                return task(*args, **kwargs)
            except Exception as exc:
                from integration.services.runs import STOPPED_BY_ERROR, fail_open_runs

                for kind in kinds:
                    fail_open_runs(link_id=link_id, kind=kind, since=started,
                                   reason=f"{STOPPED_BY_ERROR}: {exc.__class__.__name__}: {exc}")
                raise
        return run
    return wrap


def close_stale_runs() -> int:
    """Every few minutes: runs of any kind silent for the stale threshold end failed with the reason
    (RPT-4, REL-5); scheduled by a migration ("Close stale sync runs")."""
    from integration.services.runs import close_stale_runs as run

    return run()


@closes_its_runs("export")
def export_link(link_id: int, trigger: str = "on_demand") -> dict:
    """Export everything accepted on a link (SYNC-8). Every accept queues this task; when an earlier
    one already exported the records there is nothing to do, and no run is opened for nothing."""
    from integration.selectors import export_work_waiting
    from integration.services.export import export_link as run

    if not export_work_waiting(link_id):
        return {}
    return run(link_id=link_id, trigger=trigger).counts


@closes_its_runs("writeback")
def writeback_link(link_id: int, trigger: str = "schedule") -> dict:
    """Write the origin_ids still pending in Procore, within Procore's rate-limit budget (SYNC-6, PERF-4).
    An export that wrote them back itself leaves its scheduled write-back nothing: no run is opened then."""
    from integration.models import CompanyLink
    from integration.services.writeback import pending_count
    from integration.services.writeback import writeback_link as run

    if not pending_count(CompanyLink.objects.get(pk=link_id)):
        return {}
    return run(link_id=link_id, trigger=trigger).counts


@closes_its_runs("pull")
def pull_link(link_id: int, trigger: str = "schedule") -> dict:
    """Pull a link's Procore records into the connector (SYNC-2, PERF-2)."""
    from integration.services.pull import pull_link as run

    return run(link_id=link_id, trigger=trigger).counts


def send_daily_summary() -> int:
    """The "ERP Integrations Daily Summary" to the approvers (SYNC-9); scheduled daily by a migration."""
    from integration.services.notifications import send_daily_summary as run

    return run()


# -- imports from Xero (issue 6): each task loads the link by id and calls one service ------------------
def _link(link_id: int):
    from integration.models import CompanyLink

    return CompanyLink.objects.get(pk=link_id)


@closes_its_runs("payments")
def import_payments(link_id: int, trigger: str = "schedule") -> dict:
    """Xero payments → Procore contract payments (PAY-1..6)."""
    from integration.services.imports import import_payments as run

    counts = run(link=_link(link_id), trigger=trigger).counts
    if trigger == "schedule":  # the reconcile runs on the payments schedule (DRIFT-1)
        reconcile_link(link_id, trigger=trigger)
    return counts


@closes_its_runs("reconcile")
def reconcile_link(link_id: int, trigger: str = "schedule") -> dict:
    """Check every synced record of a link against Xero (DRIFT-1)."""
    from integration.services.reconcile import reconcile_link as run

    return run(link_id=link_id, trigger=trigger).counts


@closes_its_runs("job_costs")
def import_job_costs(link_id: int, trigger: str = "schedule", project_id: int | None = None,
                     contact_id: str | None = None) -> dict:
    """Xero cost documents → Procore direct costs, for the link, one project or one contact (JC-5, JC-9)."""
    from integration.models import Project
    from integration.services.imports import import_job_costs as run

    link = _link(link_id)
    project = Project.objects.get(pk=project_id, link=link) if project_id else None
    return run(link=link, trigger=trigger, project=project, contact_id=contact_id).counts


@closes_its_runs("contacts")
def import_contacts(link_id: int, trigger: str = "on_demand", contact_id: str | None = None) -> dict:
    """The "Procore" contact group → Procore vendors (CO-2)."""
    from integration.services.imports import import_contacts as run

    return run(link=_link(link_id), trigger=trigger, contact_id=contact_id).counts


@closes_its_runs("payments", "job_costs", "contacts", "reconcile")
def import_xero_document(link_id: int, category: str, resource_id: str, trigger: str = "webhook") -> dict:
    """A Xero webhook's targeted sync of one invoice, credit note or contact (REL-4)."""
    from integration.services.imports import import_xero_document as run
    from integration.services.reconcile import reconcile_xero_document

    run_ = run(link=_link(link_id), category=category, resource_id=resource_id, trigger=trigger)
    # The records linked to an invoice or contact Xero says changed are checked against it (DRIFT-1).
    reconcile_xero_document(link=_link(link_id), category=category, resource_id=resource_id, trigger=trigger)
    return run_.counts if run_ is not None else {}


@closes_its_runs("pull")
def pull_record(link_id: int, resource_name: str, resource_id: int, project_id: int | None = None,
                trigger: str = "webhook") -> dict:
    """A Procore webhook's targeted pull of one record (REL-4)."""
    from integration.services.pull import pull_record as run

    return run(link_id=link_id, resource_name=resource_name, resource_id=resource_id, project_id=project_id,
               trigger=trigger).counts
