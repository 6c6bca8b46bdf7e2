"""Companies and jobs from Xero, per link (CO-3, PRJ-4): link existing Xero contacts to Procore
companies with suggested matches, refresh the companies list, import a Xero tracking option as a
Procore project. Thin views: the services in integration/services/imports/contacts.py do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from integration.models import CompanyLink, Vendor
from integration.services.connections import NotConnected
from integration.services.imports import contacts as services
from integration.services.status import TransitionRefused
from xero_client.errors import XeroError

REFUSALS = (ValueError, TransitionRefused, NotConnected, XeroError, PermissionDenied)


def _require_manage(request):
    if not request.user.has_perm("integration.manage_erp"):
        raise PermissionDenied


def link_contacts_view(model_admin, request, link_id):
    """GET: the link's companies not yet linked, each with Xero's likeliest contacts; POST: link one."""
    _require_manage(request)
    link = get_object_or_404(CompanyLink, pk=link_id)
    here = reverse("admin:integration_companylink_contacts", args=[link.pk])
    if request.method == "POST":
        vendor = get_object_or_404(Vendor, pk=request.POST.get("vendor"), link=link)
        contact_id = request.POST.get("contact_id") or request.POST.get("other_contact_id", "")
        try:
            from integration.services.connections import xero_client_for

            services.vendor_link(vendor=vendor, contact_id=contact_id, actor=request.user, xero=xero_client_for(link))
            model_admin.message_user(request, f"{vendor} is linked to its Xero contact.")
        except REFUSALS as exc:
            model_admin.message_user(request, f"{vendor}: not linked: {exc}", messages.ERROR)
        return HttpResponseRedirect(here)
    vendors = list(Vendor.objects.filter(link=link, xero_id="", archived_in_erp=False).order_by("name")[:500])
    try:
        suggestions = services.vendor_link_suggestions(link=link, vendors=vendors)
        problem = ""
    except REFUSALS as exc:
        suggestions, problem = {}, str(exc)
    rows = [(vendor, suggestions.get(vendor.pk, [])) for vendor in vendors]
    context = {**model_admin.admin_site.each_context(request), "title": f"Link companies to Xero contacts · {link}",
               "link": link, "rows": rows, "problem": problem, "opts": CompanyLink._meta}
    return TemplateResponse(request, "admin/integration/link_contacts.html", context)


def refresh_companies_view(model_admin, request, link_id):
    """POST: re-read the linked contacts from Xero (CO-3 "refresh the companies list")."""
    _require_manage(request)
    link = get_object_or_404(CompanyLink, pk=link_id)
    if request.method == "POST":
        run = services.companies_refresh(link=link, actor=request.user)
        level = messages.SUCCESS if run.status == "succeeded" else messages.WARNING
        model_admin.message_user(request, f"Companies list refreshed: {run.get_status_display().lower()} {run.counts}. {run.message}", level)
    return HttpResponseRedirect(reverse("admin:integration_companylink_change", args=[link.pk]))


def import_projects_view(model_admin, request, link_id):
    """GET: Xero's project options that are no Procore project yet; POST: make one a Procore project (PRJ-4)."""
    _require_manage(request)
    link = get_object_or_404(CompanyLink, pk=link_id)
    here = reverse("admin:integration_companylink_projects", args=[link.pk])
    if request.method == "POST":
        try:
            project = services.project_import_from_xero(link=link, option_id=request.POST.get("option_id", ""),
                                                        project_number=request.POST.get("project_number", ""), actor=request.user)
            model_admin.message_user(request, f"Project {project} created in Procore and linked to its Xero option.")
        except REFUSALS as exc:
            model_admin.message_user(request, f"Not imported: {exc}", messages.ERROR)
        return HttpResponseRedirect(here)
    try:
        options, problem = services.tracking_options_importable(link=link), ""
    except REFUSALS as exc:
        options, problem = [], str(exc)
    context = {**model_admin.admin_site.each_context(request), "title": f"Import Xero jobs as Procore projects · {link}",
               "link": link, "options": options, "problem": problem, "opts": CompanyLink._meta}
    return TemplateResponse(request, "admin/integration/import_projects.html", context)
