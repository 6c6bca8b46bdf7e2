"""django-q2 schedules per link, and on-demand enqueueing of the imports (PAY-5, JC-5, JC-9, RPT-4).

``link_schedules_sync(*, link)`` keeps three ``Schedule`` rows per link in line with its settings
(``update_or_create`` by name; called on every save of a link, see ``integration.apps``):

- ``link-<id>-payments`` → ``integration.tasks.import_payments`` at ``payment_sync_frequency``
  (every 5 minutes, hourly, every 2 or 4 hours, daily; "never" deletes the row);
- ``link-<id>-job-costs`` → ``integration.tasks.import_job_costs`` daily at ``job_cost_sync_time``
  (the server's TIME_ZONE);
- ``link-<id>-pull`` → ``integration.tasks.pull_link`` hourly.
An inactive link has no schedules. The next run only moves when the timing changed.

``enqueue_import(kind=, link=, ...)``: the admin's buttons and the webhooks: one django-q2 task,
queued when the current transaction commits.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from integration.models import CompanyLink, PaymentSyncFrequency

PAYMENT_TIMING = {
    PaymentSyncFrequency.FIVE_MINUTES: (Schedule.MINUTES, 5),
    PaymentSyncFrequency.HOURLY: (Schedule.HOURLY, None),
    PaymentSyncFrequency.TWO_HOURS: (Schedule.MINUTES, 120),
    PaymentSyncFrequency.FOUR_HOURS: (Schedule.MINUTES, 240),
    PaymentSyncFrequency.DAILY: (Schedule.DAILY, None),
}

TASKS = {
    "payments": "integration.tasks.import_payments",
    "job_costs": "integration.tasks.import_job_costs",
    "contacts": "integration.tasks.import_contacts",
    "xero_document": "integration.tasks.import_xero_document",
    "pull": "integration.tasks.pull_link",
    "pull_record": "integration.tasks.pull_record",
}


def schedule_name(link: CompanyLink, what: str) -> str:
    return f"link-{link.pk}-{what}"


def _next_daily(at: dt.time, now: dt.datetime | None = None) -> dt.datetime:
    """The next moment the wall clock (TIME_ZONE) shows `at`."""
    now = timezone.localtime(now or timezone.now())
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate


def _upsert(name: str, func: str, link: CompanyLink, schedule_type: str, minutes: int | None,
            next_run: dt.datetime) -> Schedule:
    current = Schedule.objects.filter(name=name).first()
    timing_changed = current is None or (current.schedule_type, current.minutes) != (schedule_type, minutes)
    defaults = {"func": func, "args": str(link.pk), "kwargs": "trigger='schedule'", "schedule_type": schedule_type,
                "minutes": minutes, "repeats": -1}
    if timing_changed or (current is not None and current.next_run != next_run and schedule_type == Schedule.DAILY
                          and func == TASKS["job_costs"]):
        defaults["next_run"] = next_run
    row, _ = Schedule.objects.update_or_create(name=name, defaults=defaults)
    return row


def link_schedules_sync(*, link: CompanyLink) -> dict[str, Schedule | None]:
    """Create, update or delete the link's schedule rows from its settings."""
    names = {what: schedule_name(link, what) for what in ("payments", "job-costs", "pull")}
    if not link.is_active or link.pk is None:
        Schedule.objects.filter(name__in=names.values()).delete()
        return dict.fromkeys(names)
    out: dict[str, Schedule | None] = {}
    with transaction.atomic():
        timing = PAYMENT_TIMING.get(link.payment_sync_frequency)
        if timing is None:  # never
            Schedule.objects.filter(name=names["payments"]).delete()
            out["payments"] = None
        else:
            kind, minutes = timing
            out["payments"] = _upsert(names["payments"], TASKS["payments"], link, kind, minutes,
                                      timezone.now() + dt.timedelta(minutes=minutes or 60))
        at = link.job_cost_sync_time
        if isinstance(at, str):
            at = dt.time.fromisoformat(at)
        out["job-costs"] = _upsert(names["job-costs"], TASKS["job_costs"], link, Schedule.DAILY, None,
                                   _next_daily(at))
        out["pull"] = _upsert(names["pull"], TASKS["pull"], link, Schedule.HOURLY, None,
                              timezone.now() + dt.timedelta(hours=1))
    return out


def enqueue_import(*, kind: str, link: CompanyLink, trigger: str = "on_demand", **kwargs) -> None:
    """Queue one import task (payments, job_costs, contacts, xero_document, pull_record) on commit."""
    from django_q.tasks import async_task

    func = TASKS[kind]
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if kind == "pull_record":
        transaction.on_commit(lambda: async_task(func, link_id=link.pk, trigger=trigger, **kwargs))
    else:
        transaction.on_commit(lambda: async_task(func, link.pk, trigger=trigger, **kwargs))


def _on_link_saved(sender, instance: CompanyLink, raw: bool = False, **kwargs) -> None:
    """post_save of CompanyLink: the schedule rows follow the settings once the save commits."""
    if raw:  # fixtures
        return
    transaction.on_commit(lambda: link_schedules_sync(link=instance))


def connect_signals() -> None:
    from django.db.models.signals import post_save

    post_save.connect(_on_link_saved, sender=CompanyLink, dispatch_uid="integration.link_schedules_sync")
