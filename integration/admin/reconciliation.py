"""The reconciliation page and its two CSV downloads (figures, differences), for approvers and ERP admins.

The page reads through `integration.reconciliation` only; it shows when the last reconcile read Xero and,
for those who may run one (approvers and ERP admins, as on the dashboard), a button to run one now."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from integration import reconciliation as recon
from integration.csv_safety import write_csv
from integration.models import CompanyLink, Project, Vendor

from .links import xero_document_url, xero_url

REPORTS_PERMISSION = "integration.view_erp_reports"
MANAGE_PERMISSION = "integration.manage_erp"
CSV_PAGE = 10_000  # the CSV reads page by page, so a download never holds the whole report in memory


class PlainSelect(forms.Select):
    """A select whose options are written directly: Django's template per option costs about a millisecond
    each, and a link may have hundreds of projects and vendors."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html, format_html_join

        chosen = "" if value is None else str(value)
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (key, " selected" if str(key) == chosen else "", label) for key, label in self.choices))
        return format_html('<select name="{}" id="id_{}">{}</select>', name, name, options)


def _choices(model, order, empty: str, link_id):
    qs = model.objects.order_by(*order)
    if link_id:
        qs = qs.filter(link_id=link_id)
    return [("", empty)] + [(pk, label) for pk, label in ((o.pk, str(o)) for o in qs.only("pk", *order))]


class ReconciliationFilter(forms.Form):
    link = forms.ModelChoiceField(CompanyLink.objects.all(), empty_label=None)
    project = forms.ModelChoiceField(Project.objects.all(), required=False, widget=PlainSelect)
    vendor = forms.ModelChoiceField(Vendor.objects.all(), required=False, widget=PlainSelect)
    differences_only = forms.BooleanField(required=False, label="Only rows with a difference")
    kind = forms.ChoiceField(required=False, label="Differences", choices=[("", "All differences")] + [
        (name, label) for name, label in recon.KINDS.values()])


def _page(request, key: str) -> int:
    """A page number from the query; anything else is the first page."""
    value = request.GET.get(key, "")
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


def _money(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _record_url(item: recon.Difference) -> str:
    if item.record is None:
        return ""
    return reverse(f"admin:integration_{item.record_model}_change", args=[item.record.pk])


def _xero_link(item: recon.Difference) -> str:
    if item.document is not None:
        return xero_document_url(item.document)
    record = item.record
    if record is None:
        return ""
    if item.record_model == "payment":
        bill = record.subcontractor_invoice
        return xero_url(bill) if bill is not None else ""
    return xero_url(record)


def _csv(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    write_csv(response, header, rows)
    return response


def _pages(fetch):
    page = 1
    while True:
        chunk = fetch(page)
        yield from chunk
        if len(chunk) < CSV_PAGE:
            return
        page += 1


def _figures_csv(args: dict) -> HttpResponse:
    def rows():
        for r in _pages(lambda page: recon.figures(**args, page=page, per_page=CSV_PAGE).rows):
            figures = []
            for _, p, x, d in r.figures:
                figures += [_money(p), _money(x), _money(d)]
            yield [r.project or "", r.vendor or "", r.cost_code.code if r.cost_code else "(retainage and payments)", *figures]

    return _csv("reconciliation", [
        "project", "vendor", "cost code", "Procore committed", "Xero ordered", "committed difference",
        "Procore invoiced", "Xero billed", "invoiced difference", "Procore paid", "Xero paid", "paid difference"], rows())


def _differences_csv(args: dict, kind: str) -> HttpResponse:
    args = {k: v for k, v in args.items() if k != "differences_only"}

    def rows():
        for d in _pages(lambda page: recon.differences(**args, kind=kind, page=page, per_page=CSV_PAGE).items):
            doc = d.document
            yield [d.kind_label, d.project or "", d.vendor or "", d.label, _money(d.procore_amount), _money(d.xero_amount),
                   d.detail, doc.status if doc else "", doc.xero_id if doc else getattr(d.record, "xero_id", ""),
                   _xero_link(d)]

    return _csv("reconciliation-differences", [
        "difference", "project", "vendor", "record", "Procore amount", "Xero amount", "detail", "Xero status",
        "Xero ID", "Xero link"], rows())


def reconciliation_view(request):
    """RPT-3."""
    from .views import _context, _filters, _require_reports

    _require_reports(request)
    first = CompanyLink.objects.order_by("name").first()
    form, values = _filters(request, ReconciliationFilter, initial={"link": first.pk} if first else None)
    link_id = values["link"].pk if values and values.get("link") else (first.pk if first else None)
    # The choices of the link shown only, written once (the fields still validate against every row).
    form.fields["project"].widget.choices = _choices(Project, ("project_number", "name"), "All projects", link_id)
    form.fields["vendor"].widget.choices = _choices(Vendor, ("name",), "All vendors", link_id)
    report = None
    if values and values.get("link"):
        project, vendor = values.get("project"), values.get("vendor")
        args = {"link_id": values["link"].pk, "project_id": project.pk if project else None,
                "vendor_id": vendor.pk if vendor else None, "differences_only": values.get("differences_only", False)}
        if request.GET.get("format") == "csv":
            if request.GET.get("table") == "differences":
                return _differences_csv(args, values.get("kind", ""))
            return _figures_csv(args)
        report = recon.reconciliation(**args, kind=values.get("kind", ""), page=_page(request, "page"),
                                      differences_page=_page(request, "dpage"))
        for item in report.differences.items:
            item.record_url, item.xero_url = _record_url(item), _xero_link(item)
    elif request.GET.get("format") == "csv":
        return _figures_csv({"link_id": 0})
    query = request.GET.copy()
    for key in ("page", "dpage", "format", "table"):
        query.pop(key, None)
    if not query and first:
        query["link"] = first.pk
    base = query.urlencode()
    pages = {}
    if report is not None:
        for key, count, size, current in (("page", report.figures.count, recon.PAGE_ROWS, _page(request, "page")),
                                          ("dpage", report.differences.count, recon.PAGE_DIFFERENCES, _page(request, "dpage"))):
            last = max(1, -(-count // size))
            other = {"page": "dpage", "dpage": "page"}[key]
            keep = f"&{other}={_page(request, other)}" if _page(request, other) > 1 else ""
            pages[key] = {"current": current, "last": last, "count": count,
                          "previous": f"?{base}{keep}&{key}={current - 1}" if current > 1 else "",
                          "next": f"?{base}{keep}&{key}={current + 1}" if current < last else ""}
    user = request.user
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/integration/reports/reconciliation.html", _context(
        request, "Reconciliation", form=form, report=report, figures=recon.FIGURES, pages=pages, base_query=base,
        link=values.get("link") if values else None,
        can_reconcile=user.has_perm(MANAGE_PERMISSION) or user.has_perm("integration.push_to_accounting")))
