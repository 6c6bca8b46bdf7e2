"""Read-side queries of the approver's desk: the dashboard and the reports (RPT-1..4, JC-4, JC-6, PAY-3,
CO-3). Pure selectors: they read, they never change anything, and each runs a fixed number of queries
whatever the data size (the reconciliation, integration/reconciliation.py, sums and pages in SQL)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from integration.models import (
    EXPORTABLE_MODELS,
    AuditEvent,
    CompanyLink,
    Connection,
    ErpStatus,
    JobCostSummary,
    Payment,
    SyncRun,
    UnsyncableTransaction,
    Vendor,
)

ZERO = Decimal("0.00")
AWAITING = (ErpStatus.READY_TO_EXPORT, ErpStatus.READY_TO_UPDATE)
# The age buckets of the queue's "age in status" filter (integration/admin/filters.py AgeFilter).
AGE_BUCKETS = (("today", "< 1 day"), ("week", "1–7 days"), ("month", "7–30 days"), ("older", "> 30 days"))
APPROVED = {"approved", "approved_as_noted"}


def _model_label(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


# ---------------------------------------------------------------- awaiting approval (dashboard, RPT-1)


@dataclass
class AwaitingRow:
    link_id: int
    link_name: str
    model: type
    type_label: str
    today: int = 0
    week: int = 0
    month: int = 0
    older: int = 0
    total: int = 0
    oldest: datetime.datetime | None = None

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    def by_age(self) -> list[tuple[str, str, int]]:
        return [(key, label, getattr(self, key)) for key, label in AGE_BUCKETS]


def awaiting_approval(*, link_id: int | None = None, models=EXPORTABLE_MODELS, now=None) -> list[AwaitingRow]:
    """What waits for an approver, per link and type, by age in status (one query per type)."""
    now = now or timezone.now()
    day, week, month = (now - datetime.timedelta(days=d) for d in (1, 7, 30))
    names = dict(CompanyLink.objects.values_list("id", "name"))
    rows = []
    for model in models:
        qs = model.objects.filter(erp_status__in=AWAITING)
        if link_id:
            qs = qs.filter(link_id=link_id)
        changed = "erp_status_changed_at"
        aggregates = (
            qs.values("link_id")
            .annotate(
                total=Count("id"),
                today=Count("id", filter=Q(**{f"{changed}__gt": day})),
                week=Count("id", filter=Q(**{f"{changed}__lte": day, f"{changed}__gt": week})),
                month=Count("id", filter=Q(**{f"{changed}__lte": week, f"{changed}__gt": month})),
                older=Count("id", filter=Q(**{f"{changed}__lte": month}) | Q(**{f"{changed}__isnull": True})),
                oldest=Min(changed),
            )
            .order_by("link_id")
        )
        for a in aggregates:
            rows.append(AwaitingRow(link_id=a["link_id"], link_name=names.get(a["link_id"], ""), model=model,
                                    type_label=_model_label(model), today=a["today"], week=a["week"],
                                    month=a["month"], older=a["older"], total=a["total"], oldest=a["oldest"]))
    rows.sort(key=lambda r: (r.link_name, r.type_label))
    return rows


# ---------------------------------------------------------------- RPT-1 accountant report


@dataclass
class ApproverRow:
    user: object
    accepted: int = 0
    rejected: int = 0
    last_decision: datetime.datetime | None = None
    awaiting: list[AwaitingRow] = field(default_factory=list)

    @property
    def awaiting_total(self) -> int:
        return sum(r.total for r in self.awaiting)


def approvers():
    """The accounting approvers: active users granted "can push to accounting" through a group or
    directly (superusers are not counted as approvers unless they are granted it too)."""
    perm = Permission.objects.get(content_type__app_label="integration", codename="push_to_accounting")
    return (
        get_user_model().objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True)
        .distinct().order_by("username")
    )


def accountant_report(*, link_id: int | None = None, model_name: str = "", date_from=None, date_to=None,
                      now=None) -> list[ApproverRow]:
    """RPT-1: each accounting approver, the decisions they made in the period, and what awaits them
    by type and age (every approver sees every link's queue, so what awaits is the same for all)."""
    models = [m for m in EXPORTABLE_MODELS if not model_name or m._meta.model_name == model_name]
    awaiting = awaiting_approval(link_id=link_id, models=models, now=now)
    people = list(approvers())
    events = AuditEvent.objects.filter(actor__in=people, action__in=("accept", "reject"))
    if link_id:
        events = events.filter(link_id=link_id)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    stats = {
        s["actor_id"]: s
        for s in events.values("actor_id").annotate(
            accepted=Count("id", filter=Q(action="accept")), rejected=Count("id", filter=Q(action="reject")),
            last=Max("created_at"),
        ).order_by()
    }
    out = []
    for user in people:
        s = stats.get(user.pk, {})
        out.append(ApproverRow(user=user, accepted=s.get("accepted", 0), rejected=s.get("rejected", 0),
                               last_decision=s.get("last"), awaiting=awaiting))
    return out


# ---------------------------------------------------------------- dashboard


@dataclass
class LinkDashboard:
    link: CompanyLink
    awaiting: list[AwaitingRow]
    failures: list[tuple[str, str, int]]  # (model name, type label, count)
    last_export: SyncRun | None
    exporting: int
    xero: Connection | None
    procore: Connection | None
    out_of_sync: list[tuple[str, str, int]] = field(default_factory=list)  # (model name, type label, count), DRIFT-1
    last_reconcile: SyncRun | None = None

    @property
    def awaiting_total(self) -> int:
        return sum(r.total for r in self.awaiting)


def dashboard(*, now=None) -> list[LinkDashboard]:
    """Per link: what awaits approval by type and age, the failures since the last export run, the
    records accepted and not yet exported, the Xero calls left today and the connections' state."""
    links = list(CompanyLink.objects.filter(is_active=True).prefetch_related("connections"))
    awaiting = awaiting_approval(now=now)
    latest_ids = SyncRun.objects.filter(kind=SyncRun.Kind.EXPORT).values("link_id").annotate(last=Max("id")).values("last")
    last_runs = {run.link_id: run for run in SyncRun.objects.filter(pk__in=latest_ids)}
    # One aggregate per type (PERF-8): failures since each link's last export run, records exporting
    # and, for DRIFT-1, the records the reconcile found changed in Xero, counted in SQL.
    recent = Q(erp_status_changed_at__isnull=True) | ~Q(link_id__in=list(last_runs))
    for run in last_runs.values():
        recent |= Q(link_id=run.link_id, erp_status_changed_at__gte=run.started_at)
    failures: dict[tuple, int] = {}
    exporting: dict[int, int] = defaultdict(int)
    drifted: dict[tuple, int] = {}
    for model in EXPORTABLE_MODELS:
        counts = (model.objects.filter(erp_status__in=(ErpStatus.FAILED, ErpStatus.EXPORTING, ErpStatus.OUT_OF_SYNC))
                  .values("link_id").annotate(
                      failed=Count("id", filter=Q(erp_status=ErpStatus.FAILED) & recent),
                      exporting=Count("id", filter=Q(erp_status=ErpStatus.EXPORTING)),
                      drifted=Count("id", filter=Q(erp_status=ErpStatus.OUT_OF_SYNC))).order_by())
        for row in counts:
            failures[(row["link_id"], model)] = row["failed"]
            exporting[row["link_id"]] += row["exporting"]
            drifted[(row["link_id"], model)] = row["drifted"]
    reconcile_ids = SyncRun.objects.filter(kind=SyncRun.Kind.RECONCILE).values("link_id").annotate(last=Max("id")).values("last")
    last_reconciles = {run.link_id: run for run in SyncRun.objects.filter(pk__in=reconcile_ids)}
    out = []
    for link in links:
        out.append(LinkDashboard(
            link=link,
            awaiting=[r for r in awaiting if r.link_id == link.pk],
            failures=[(m._meta.model_name, _model_label(m), failures[(link.pk, m)]) for m in EXPORTABLE_MODELS
                      if failures.get((link.pk, m))],
            last_export=last_runs.get(link.pk),
            exporting=exporting.get(link.pk, 0),
            xero=link.connection(Connection.Provider.XERO),
            procore=link.connection(Connection.Provider.PROCORE),
            out_of_sync=[(m._meta.model_name, _model_label(m), drifted[(link.pk, m)]) for m in EXPORTABLE_MODELS
                         if drifted.get((link.pk, m))],
            last_reconcile=last_reconciles.get(link.pk),
        ))
    return out


def connections_needing_reconnect() -> list[Connection]:
    """Connections whose refresh token died, and those no key of FIELD_ENCRYPTION_KEY decrypts (SEC-1)."""
    return [c for c in Connection.objects.select_related("link").order_by("link__name", "provider") if c.needs_reconnect]


@dataclass
class ScheduleRow:
    schedule: object
    last_run: datetime.datetime | None
    last_success: bool | None


def schedules() -> list[ScheduleRow]:
    """Every django-q2 schedule with its next run and its last run (two queries)."""
    from django_q.models import Schedule, Task

    items = list(Schedule.objects.order_by("name", "id"))
    tasks = {t.id: t for t in Task.objects.filter(id__in=[s.task for s in items if s.task]).only("id", "stopped", "success")}
    out = []
    for s in items:
        task = tasks.get(s.task)
        out.append(ScheduleRow(schedule=s, last_run=task.stopped if task else None, last_success=task.success if task else None))
    return out


# ---------------------------------------------------------------- JC-4 ERP job costs


@dataclass
class JobCostTotals:
    job_to_date_cost: Decimal = ZERO
    commitment_invoiced: Decimal = ZERO
    direct_costs: Decimal = ZERO

    def add(self, row):
        self.job_to_date_cost += row.job_to_date_cost
        self.commitment_invoiced += row.commitment_invoiced
        self.direct_costs += row.direct_costs


def _job_cost_rows(link_id: int | None, project_id: int | None):
    qs = JobCostSummary.objects.all()
    if link_id:
        qs = qs.filter(link_id=link_id)
    if project_id:
        qs = qs.filter(project_id=project_id)
    return qs


def _totals(values: dict) -> JobCostTotals:
    return JobCostTotals(job_to_date_cost=values["jtd"] or ZERO, commitment_invoiced=values["invoiced"] or ZERO,
                         direct_costs=values["direct"] or ZERO)


JOB_COST_SUMS = {"jtd": Sum("job_to_date_cost"), "invoiced": Sum("commitment_invoiced"), "direct": Sum("direct_costs")}


def job_costs(*, link_id: int | None = None, project_id: int | None = None):
    """JC-4: per project and cost code, job-to-date cost, commitment invoiced and direct costs, with
    a subtotal per project and a grand total. Returns (rows, subtotals by project id, total): every
    row, for the CSV; the page reads ``job_costs_page``."""
    rows = list(_job_cost_rows(link_id, project_id).select_related("project", "cost_item", "link").order_by(
        "link__name", "project__project_number", "project__name", "cost_item__item_code"))
    subtotals: dict[int, JobCostTotals] = defaultdict(JobCostTotals)
    total = JobCostTotals()
    for row in rows:
        subtotals[row.project_id].add(row)
        total.add(row)
    return rows, dict(subtotals), total


def job_costs_page(*, link_id: int | None = None, project_id: int | None = None, page: int = 1,
                   per_page: int = 20):
    """JC-4, PERF-8: one page of projects (``per_page`` of them) with their rows, the projects' subtotals
    and the grand total summed in SQL: four queries whatever the number of rows. Returns (rows,
    subtotals by project id, total, number of projects)."""
    qs = _job_cost_rows(link_id, project_id)
    projects = (qs.values("project_id").annotate(**JOB_COST_SUMS)
                .order_by("link__name", "project__project_number", "project__name", "project_id"))
    count = projects.count()
    page = min(max(1, page), max(1, -(-count // per_page)))  # past the last page: the last one
    start = (page - 1) * per_page
    subtotals = {p["project_id"]: _totals(p) for p in projects[start:start + per_page]}
    rows = list(qs.filter(project_id__in=list(subtotals)).select_related("project", "cost_item", "link").order_by(
        "link__name", "project__project_number", "project__name", "project_id", "cost_item__item_code"))
    return rows, subtotals, _totals(qs.aggregate(**JOB_COST_SUMS)), count


# ---------------------------------------------------------------- JC-6, CO-3, PAY-3 lists


def unsyncable_transactions(*, link_id=None, document_type="", search="", date_from=None, date_to=None):
    """JC-6: every Xero transaction that could not become a direct cost, and why."""
    qs = UnsyncableTransaction.objects.select_related("link").order_by("-date", "-id")
    if link_id:
        qs = qs.filter(link_id=link_id)
    if document_type:
        qs = qs.filter(document_type=document_type)
    if search:
        qs = qs.filter(Q(reason__icontains=search) | Q(reference__icontains=search) | Q(contact_name__icontains=search))
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


def archived_companies(*, link_id=None, search=""):
    """CO-3: companies archived in the ERP."""
    qs = Vendor.objects.filter(archived_in_erp=True).select_related("link").order_by("name")
    if link_id:
        qs = qs.filter(link_id=link_id)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs


def deleted_in_xero_payments(*, link_id=None, include_resolved: bool = False):
    """PAY-3: payments deleted or voided in Xero after import, listed for an admin to resolve."""
    qs = Payment.objects.filter(status=Payment.Status.VOIDED, deleted_in_xero_at__isnull=False).select_related(
        "link", "commitment", "subcontractor_invoice__vendor", "owner_invoice__prime_contract", "prime_contract"
    ).order_by("-deleted_in_xero_at", "-id")
    if link_id:
        qs = qs.filter(link_id=link_id)
    if not include_resolved:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


# ---------------------------------------------------------------- RPT-3 reconciliation (from Xero: its own module)

from integration.reconciliation import FIGURES, reconciliation  # noqa: E402

__all__ = ["FIGURES", "reconciliation"]
