"""The desk's pages outside the model lists: the dashboard (the admin's landing page), the reports
with their filters and CSV export (RPT-1..3, JC-4, JC-6, CO-3, PAY-3), and "Export accepted now".

Views only read through `integration.reports` or call a service; bad filter input gets a message
and an empty, unchanged page (REL-6)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst

from integration import reports
from integration.csv_safety import write_csv
from integration.models import EXPORTABLE_MODELS, CompanyLink, Project, UnsyncableTransaction, Vendor

from .charts import activity_days, job_cost_bars
from .reconciliation import PlainSelect, reconciliation_view
from .runs import stale_minutes, stuck_runs

REPORTS_PERMISSION = "integration.view_erp_reports"
MANAGE_PERMISSION = "integration.manage_erp"

REPORTS = [
    ("accountant", "Accountant report", "RPT-1", "Accounting approvers and what awaits each, by type and age."),
    ("job_costs", "ERP job costs", "JC-4", "Job-to-date cost, commitment invoiced and direct costs per project and cost code."),
    ("unsyncable", "Unsyncable direct costs", "JC-6", "Xero transactions that could not be imported, and why."),
    ("archived_companies", "Archived companies", "CO-3", "Companies archived in the ERP."),
    ("deleted_payments", "Payments deleted in Xero", "PAY-3", "Payments deleted or voided in Xero after import, to resolve."),
    ("reconciliation", "Reconciliation", "RPT-3", "Procore committed / invoiced / paid beside what Xero holds: ordered / billed / paid, with every difference."),
]


def _admin_url(model_name: str, pk=None, query: str = "") -> str:
    if pk is None:
        return reverse(f"admin:integration_{model_name}_changelist") + (f"?{query}" if query else "")
    return reverse(f"admin:integration_{model_name}_change", args=[pk])


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y-%m-%d}.csv"'
    write_csv(response, header, rows)
    return response


def _require_reports(request):
    if not request.user.has_perm(REPORTS_PERMISSION):
        raise PermissionDenied("Viewing the ERP reports: only Accounting Approvers and ERP Admins can.")


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


# ------------------------------------------------------------------ filter forms


class LinkFilter(forms.Form):
    link = forms.ModelChoiceField(CompanyLink.objects.all(), required=False, empty_label="All links")


class AccountantFilter(LinkFilter):
    type = forms.ChoiceField(required=False, choices=[("", "All types")] + [
        (m._meta.model_name, capfirst(str(m._meta.verbose_name_plural))) for m in EXPORTABLE_MODELS])
    date_from = forms.DateField(required=False, label="Decisions from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}))


class JobCostFilter(LinkFilter):
    project = forms.ModelChoiceField(Project.objects.order_by("project_number", "name"), required=False, empty_label="All projects",
                                     widget=PlainSelect)  # hundreds of projects: no template per option


class UnsyncableFilter(LinkFilter):
    document_type = forms.ChoiceField(required=False, choices=[("", "All types"), ("ACCPAY", "Bill"), ("SPEND", "Spend money"),
                                                               ("ACCPAYCREDIT", "Supplier credit note"), ("MANUALJOURNAL", "Manual journal")])
    search = forms.CharField(required=False, label="Reason, reference or contact contains")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ArchivedFilter(LinkFilter):
    search = forms.CharField(required=False, label="Name contains")


class DeletedPaymentsFilter(LinkFilter):
    include_resolved = forms.BooleanField(required=False, label="Include resolved")


def _filters(request, form_class, initial=None):
    """A bound filter form; invalid input shows its errors and the report shows nothing."""
    data = request.GET.copy()
    data.pop("format", None)
    if not data and initial:
        data.update(initial)
    form = form_class(data if data else None)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Some filters are not valid: " + "; ".join(
            f"{name}: {' '.join(errs)}" for name, errs in form.errors.items()))
        return form, None
    return form, (form.cleaned_data if form.is_bound else {})


#: Rows on a page of a list report; the CSV download has them all (PERF-8).
PAGE_ITEMS = 100
#: Projects on a page of the job cost report (each with all its cost codes).
JOB_COST_PROJECTS = 10


def _page_number(request) -> int:
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


def _pager(request, count: int, per_page: int) -> dict:
    """Page ``?page=`` of ``count`` items, clamped to the last one, with the links to its neighbours."""
    last = max(1, -(-count // per_page))
    current = min(_page_number(request), last)
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    base = query.urlencode()
    base = f"?{base}&" if base else "?"
    return {"current": current, "last": last, "count": count, "offset": (current - 1) * per_page,
            "previous": f"{base}page={current - 1}" if current > 1 else "",
            "next": f"{base}page={current + 1}" if current < last else ""}


def _paged(request, qs, per_page: int = PAGE_ITEMS):
    """One page of a queryset in SQL (COUNT, then LIMIT/OFFSET): (items, pager)."""
    pager = _pager(request, qs.count(), per_page)
    return list(qs[pager["offset"]:pager["offset"] + per_page]), pager


def _link_id(values) -> int | None:
    link = (values or {}).get("link")
    return link.pk if link else None


# ------------------------------------------------------------------ dashboard


def dashboard_view(request):
    """The admin's landing page: per link what awaits approval by type and age, failures since the
    last export run, the records accepted and waiting for the export, the schedules' last and next
    runs, the Xero calls left today, the connections that need reconnecting, and the runs that stopped
    without finishing (the ones silent for the stale threshold are ended first: one UPDATE)."""
    from integration.services.runs import close_stale_runs

    close_stale_runs()
    context = _context(
        request, admin.site.index_title,
        links=reports.dashboard(),
        schedules=reports.schedules(),
        reconnect=list(reports.connections_needing_reconnect()),
        stuck=stuck_runs(),
        activity=activity_days(),
        stale_minutes=stale_minutes(),
        age_buckets=reports.AGE_BUCKETS,
        app_list=admin.site.get_app_list(request),
        can_export=request.user.has_perm(MANAGE_PERMISSION),
        can_reconcile=request.user.has_perm(MANAGE_PERMISSION) or request.user.has_perm("integration.push_to_accounting"),
        can_view_reports=request.user.has_perm(REPORTS_PERMISSION),
        reports=REPORTS,
    )
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/integration/dashboard.html", context)


def export_now_view(request, link_id: int):
    """ERP admins: enqueue the export of everything accepted on a link now (SYNC-8)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied("Starting an export: only ERP Admins can.")
    link = get_object_or_404(CompanyLink, pk=link_id)
    from integration.services.dispatch import enqueue_export

    enqueue_export(link_id=link.pk)
    messages.success(request, f"{link}: the export of the accepted records is queued; follow it under Sync runs.")
    return HttpResponseRedirect(reverse("admin:index"))


def reconcile_now_view(request, link_id: int):
    """DRIFT-1 on demand: queue a reconcile of the link (approvers and ERP admins)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    link = get_object_or_404(CompanyLink, pk=link_id)
    from integration.services.on_demand import link_sync_request

    messages.success(request, f"{link}: " + link_sync_request(link=link, what="reconcile", actor=request.user))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(back)  # the reconciliation page's "Check against Xero now" comes back to it
    return HttpResponseRedirect(reverse("admin:index"))


# ------------------------------------------------------------------ reports


def reports_index_view(request):
    _require_reports(request)
    return TemplateResponse(request, "admin/integration/reports/index.html", _context(request, "Reports", reports=REPORTS))


def accountant_view(request):
    """RPT-1."""
    _require_reports(request)
    form, values = _filters(request, AccountantFilter)
    people = []
    if values is not None:
        people = reports.accountant_report(link_id=_link_id(values), model_name=values.get("type", ""),
                                           date_from=values.get("date_from"), date_to=values.get("date_to"))
    awaiting = people[0].awaiting if people else (
        reports.awaiting_approval(link_id=_link_id(values)) if values is not None else [])
    if request.GET.get("format") == "csv":
        rows = []
        for p in people:
            for a in p.awaiting or [None]:
                rows.append([p.user.get_username(), p.user.get_full_name(), p.user.email, p.accepted, p.rejected,
                             p.last_decision.isoformat() if p.last_decision else "",
                             a.link_name if a else "", a.type_label if a else "", *(
                                 [a.today, a.week, a.month, a.older, a.total, a.oldest.isoformat() if a.oldest else ""]
                                 if a else [0, 0, 0, 0, 0, ""])])
        return _csv_response("accountant-report", [
            "approver", "name", "email", "accepted", "rejected", "last decision", "link", "type",
            "< 1 day", "1-7 days", "7-30 days", "> 30 days", "awaiting", "waiting since"], rows)
    return TemplateResponse(request, "admin/integration/reports/accountant.html", _context(
        request, "Accountant report", form=form, people=people, awaiting=awaiting,
        age_buckets=reports.AGE_BUCKETS))


def job_costs_view(request):
    """JC-4."""
    _require_reports(request)
    form, values = _filters(request, JobCostFilter)
    rows, subtotals, total = ([], {}, reports.JobCostTotals())
    project = (values or {}).get("project")
    scope = {"link_id": _link_id(values), "project_id": project.pk if project else None}
    if values is not None and request.GET.get("format") == "csv":
        rows, subtotals, total = reports.job_costs(**scope)
        return _csv_response("erp-job-costs", [
            "link", "job number", "project", "cost code", "description", "job-to-date cost", "commitment invoiced", "direct costs"],
            [[r.link.name, r.project.project_number, r.project.name, r.cost_item.item_code, r.cost_item.description,
              _money(r.job_to_date_cost), _money(r.commitment_invoiced), _money(r.direct_costs)] for r in rows]
            + ([["", "", "Total", "", "", _money(total.job_to_date_cost), _money(total.commitment_invoiced), _money(total.direct_costs)]] if rows else []))
    pager = _pager(request, 0, JOB_COST_PROJECTS)
    if values is not None:
        # PERF-8: a page of projects, their subtotals and the grand total summed in SQL.
        rows, subtotals, total, count = reports.job_costs_page(**scope, page=_page_number(request),
                                                               per_page=JOB_COST_PROJECTS)
        pager = _pager(request, count, JOB_COST_PROJECTS)
    grouped = []
    for r in rows:
        if not grouped or grouped[-1][0].pk != r.project_id:
            grouped.append((r.project, [], subtotals[r.project_id]))
        grouped[-1][1].append(r)
    return TemplateResponse(request, "admin/integration/reports/job_costs.html", _context(
        request, "ERP job costs", form=form, grouped=grouped, total=total, has_rows=bool(rows),
        bars=job_cost_bars(grouped), pager=pager))


def unsyncable_view(request):
    """JC-6."""
    _require_reports(request)
    form, values = _filters(request, UnsyncableFilter)
    items = UnsyncableTransaction.objects.none()
    if values is not None:
        items = reports.unsyncable_transactions(link_id=_link_id(values), document_type=values.get("document_type", ""),
                                                search=values.get("search", ""), date_from=values.get("date_from"),
                                                date_to=values.get("date_to"))
    if request.GET.get("format") == "csv":
        return _csv_response("unsyncable-direct-costs", [
            "link", "date", "document type", "reference", "contact", "amount", "reason", "Xero document id", "last seen"],
            [[t.link.name, t.date, t.document_type, t.reference, t.contact_name, _money(t.amount), t.reason,
              t.xero_document_id, t.last_seen_at.isoformat()] for t in items])
    total = items.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    items, pager = _paged(request, items)
    return TemplateResponse(request, "admin/integration/reports/unsyncable.html", _context(
        request, "Unsyncable direct costs", form=form, items=items, total=total, pager=pager))


def archived_companies_view(request):
    """CO-3."""
    _require_reports(request)
    form, values = _filters(request, ArchivedFilter)
    items = Vendor.objects.none() if values is None else reports.archived_companies(
        link_id=_link_id(values), search=values.get("search", ""))
    if request.GET.get("format") == "csv":
        return _csv_response("archived-companies", ["link", "name", "Procore ID", "Xero contact ID", "city", "phone", "email"],
                             [[v.link.name, v.name, v.procore_id, v.xero_id, v.city, v.business_phone, v.email_address] for v in items])
    items, pager = _paged(request, items)
    return TemplateResponse(request, "admin/integration/reports/archived_companies.html", _context(
        request, "Archived companies", form=form, items=items, pager=pager))


def deleted_payments_view(request):
    """PAY-3."""
    _require_reports(request)
    form, values = _filters(request, DeletedPaymentsFilter)
    from integration.models import Payment

    items = Payment.objects.none() if values is None else reports.deleted_in_xero_payments(
        link_id=_link_id(values), include_resolved=values.get("include_resolved", False))

    def on(p):
        return p.commitment or p.prime_contract or ""

    if request.GET.get("format") == "csv":
        return _csv_response("payments-deleted-in-xero", [
            "link", "date", "amount", "direction", "on", "invoice", "reference", "Xero payment ID", "Procore ID",
            "deleted in Xero at", "resolved at"],
            [[p.link.name, p.date, _money(p.amount), p.get_direction_display(), on(p),
              p.subcontractor_invoice or p.owner_invoice or "", p.reference, p.xero_payment_id, p.procore_id,
              p.deleted_in_xero_at.isoformat(), p.resolved_at.isoformat() if p.resolved_at else ""] for p in items])
    items, pager = _paged(request, items)
    return TemplateResponse(request, "admin/integration/reports/deleted_payments.html", _context(
        request, "Payments deleted in Xero", form=form, items=items, pager=pager))


def urlpatterns():
    """Mounted at admin/ in config/urls.py, ahead of the admin site, each wrapped by admin_view."""
    view = admin.site.admin_view
    return [
        path("", view(dashboard_view), name="dashboard"),
        path("desk/export-now/<int:link_id>/", view(export_now_view), name="export_now"),
        path("desk/reconcile-now/<int:link_id>/", view(reconcile_now_view), name="reconcile_now"),
        path("reports/", view(reports_index_view), name="reports"),
        path("reports/accountant/", view(accountant_view), name="report_accountant"),
        path("reports/job-costs/", view(job_costs_view), name="report_job_costs"),
        path("reports/unsyncable/", view(unsyncable_view), name="report_unsyncable"),
        path("reports/archived-companies/", view(archived_companies_view), name="report_archived_companies"),
        path("reports/deleted-payments/", view(deleted_payments_view), name="report_deleted_payments"),
        path("reports/reconciliation/", view(reconciliation_view), name="report_reconciliation"),
    ]
