"""The connect flows (CONN-2): thin views around `integration.services.connect`.

Login required and the `integration.manage_erp` permission (superusers have every permission).
The OAuth `state` lives in the session next to the link it belongs to; the callbacks are the fixed
redirect URIs `/connect/xero/callback` and `/connect/procore/callback`. No token, code or secret is
ever put in a page, a message or a log line (REL-7).
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integration.models import CompanyLink, Connection
from integration.services import connect as svc

SESSION_KEY = "connect_oauth"
PERMISSION = "integration.manage_erp"


def manage_erp_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not request.user.is_active or not request.user.has_perm(PERMISSION):
            raise PermissionDenied("Connecting accounts: only ERP Admins can.")
        return view(request, *args, **kwargs)

    return wrapper


def _provider(provider: str) -> str:
    if provider not in svc.PROVIDERS:
        raise Http404("Unknown service")
    return provider


def link_admin_url(link: CompanyLink) -> str:
    return reverse("admin:integration_companylink_change", args=[link.pk])


def _context(request, link: CompanyLink, title: str, **extra):
    return {**admin.site.each_context(request), "title": title, "link": link, "opts": CompanyLink._meta,
            "link_admin_url": link_admin_url(link), **extra}


# ----------------------------------------------------------------------------- start and callback
@require_POST
@manage_erp_required
def start(request, link_id: int, provider: str):
    """Send the browser to the provider's consent page with a fresh state kept in the session."""
    link = get_object_or_404(CompanyLink, pk=link_id)
    provider = _provider(provider)
    try:
        started = svc.connect_start(link=link, provider=provider, actor=request.user)
    except svc.ConnectError as exc:
        messages.error(request, str(exc))
        return redirect(link_admin_url(link))
    pending = request.session.get(SESSION_KEY, {})
    pending[provider] = {"state": started.state, "link_id": link.pk}
    request.session[SESSION_KEY] = pending
    return HttpResponseRedirect(started.url)


def _forget_pending(request, provider: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(provider, None)
    request.session[SESSION_KEY] = pending


@require_GET
@manage_erp_required
def callback(request, provider: str):
    """Where the provider sends the browser back: check state, store the tokens, then choose the org/company."""
    provider = _provider(provider)
    try:
        svc.check_state(provider=provider, state=request.GET.get("state"))
    except svc.StateMalformed as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    pending = request.session.get(SESSION_KEY, {})
    started = pending.get(provider)
    if started is None:
        messages.error(request, f"No {Connection.Provider(provider).label} connection was started in this "
                                "session: nothing was stored. Start again from the company link.")
        return redirect("admin:integration_companylink_changelist")
    link = get_object_or_404(CompanyLink, pk=started["link_id"])
    try:
        svc.connect_complete(link=link, provider=provider, actor=request.user, state=request.GET.get("state"),
                             expected_state=started["state"], code=request.GET.get("code"),
                             error=request.GET.get("error"), error_description=request.GET.get("error_description"))
    except svc.StateRefused as exc:  # not this session's answer: the pending connection keeps waiting
        messages.error(request, str(exc))
        return redirect(link_admin_url(link))
    except svc.ConnectError as exc:
        _forget_pending(request, provider)
        messages.error(request, str(exc))
        return redirect(link_admin_url(link))
    _forget_pending(request, provider)
    messages.success(request, f"{Connection.Provider(provider).label} connected. Now choose the "
                              f"{'organisation' if provider == svc.XERO else 'company'} this link uses.")
    return redirect("connect:xero_organisation" if provider == svc.XERO else "connect:procore_company", link_id=link.pk)


# ----------------------------------------------------------------------------- choose the tenant
class XeroOrganisationForm(forms.Form):
    tenant_id = forms.ChoiceField(label="Xero organisation", widget=forms.RadioSelect)


@require_http_methods(["GET", "POST"])
@manage_erp_required
def xero_organisation(request, link_id: int):
    link = get_object_or_404(CompanyLink, pk=link_id)
    try:
        tenants = svc.xero_organisations_list(link=link)
    except svc.ConnectError as exc:
        messages.error(request, str(exc))
        return redirect(link_admin_url(link))
    form = XeroOrganisationForm(request.POST or None, initial={"tenant_id": link.xero_tenant_id or None})
    choices = []
    for t in tenants:
        label, owner = t.get("tenantName") or t["tenantId"], svc.organisation_owner(tenant_id=t["tenantId"], besides=link)
        choices.append((t["tenantId"], f"{label} (already the organisation of the link '{owner}')" if owner else label))
    form.fields["tenant_id"].choices = choices
    if request.method == "POST" and form.is_valid():
        try:
            svc.xero_organisation_choose(link=link, tenant_id=form.cleaned_data["tenant_id"], actor=request.user)
        except svc.ConnectError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{link} now uses the Xero organisation {link.xero_tenant_name}.")
            return redirect(link_admin_url(link))
    return render(request, "integration/connect/choose.html",
                  _context(request, link, "Choose the Xero organisation", form=form, provider="Xero",
                           empty=not tenants))


class ProcoreCompanyForm(forms.Form):
    company_id = forms.IntegerField(label="Procore company id", min_value=1)


@require_http_methods(["GET", "POST"])
@manage_erp_required
def procore_company(request, link_id: int):
    """Choose the company from `GET /companies`; when Procore wants the company id first, ask for it."""
    link = get_object_or_404(CompanyLink, pk=link_id)
    asked = request.POST.get("company_id") or request.GET.get("company_id") or None
    companies, problem = [], ""
    try:
        companies = svc.procore_companies_list(link=link, company_id=int(asked) if asked and asked.isdigit() else None)
    except svc.ConnectError as exc:
        problem = str(exc)
    if request.method == "POST" and asked and asked.isdigit() and companies:
        try:
            svc.procore_company_choose(link=link, company_id=int(asked), actor=request.user)
        except svc.ConnectError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{link} now uses the Procore company {link.procore_company_name}.")
            return redirect(link_admin_url(link))
    return render(request, "integration/connect/procore_company.html",
                  _context(request, link, "Choose the Procore company", companies=companies, problem=problem,
                           asked=asked or link.procore_company_id or ""))


class ServiceAccountForm(forms.Form):
    client_id = forms.CharField(label="Client id", max_length=255)
    client_secret = forms.CharField(label="Client secret", widget=forms.PasswordInput(render_value=False))
    company_id = forms.IntegerField(label="Procore company id", min_value=1)


@require_http_methods(["GET", "POST"])
@manage_erp_required
def procore_service_account(request, link_id: int):
    link = get_object_or_404(CompanyLink, pk=link_id)
    form = ServiceAccountForm(request.POST or None, initial={"company_id": link.procore_company_id})
    if request.method == "POST" and form.is_valid():
        try:
            svc.procore_service_account_connect(link=link, actor=request.user, **form.cleaned_data)
        except svc.ConnectError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Procore connected with a service account; {link} uses "
                                      f"{link.procore_company_name or link.procore_company_id}.")
            return redirect(link_admin_url(link))
    return render(request, "integration/connect/service_account.html",
                  _context(request, link, "Connect Procore with a service account", form=form))


# ----------------------------------------------------------------------------- reconnect, check, disconnect
@require_POST
@manage_erp_required
def reconnect(request, link_id: int, provider: str):
    """One click: a service account gets a new token at once; otherwise the consent flow starts again."""
    link = get_object_or_404(CompanyLink, pk=link_id)
    provider = _provider(provider)
    conn = link.connection(provider)
    if provider == svc.PROCORE and conn and conn.auth_type == Connection.AuthType.CLIENT_CREDENTIALS:
        try:
            svc.connection_reconnect_service_account(link=link, actor=request.user)
        except svc.ServiceSecretUnreadable as exc:
            messages.error(request, str(exc))
            return redirect("connect:procore_service_account", link_id=link.pk)
        except svc.ConnectError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Procore reconnected.")
        return redirect(link_admin_url(link))
    return start(request, link_id=link_id, provider=provider)


@require_POST
@manage_erp_required
def check(request, link_id: int, provider: str):
    link = get_object_or_404(CompanyLink, pk=link_id)
    try:
        messages.success(request, svc.connection_check(link=link, provider=_provider(provider)))
    except svc.ConnectError as exc:
        messages.error(request, str(exc))
    return redirect(link_admin_url(link))


@require_POST
@manage_erp_required
def disconnect(request, link_id: int, provider: str):
    link = get_object_or_404(CompanyLink, pk=link_id)
    conn = svc.connection_disconnect(link=link, provider=_provider(provider), actor=request.user)
    if conn is None:
        messages.info(request, "Nothing to disconnect.")
    else:
        messages.success(request, f"{Connection.Provider(provider).label} disconnected: {conn.status_message}")
    return redirect(link_admin_url(link))
