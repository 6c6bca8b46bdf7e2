"""Every URL of the URL conf checked for login, permission and CSRF (REL-7, SYNC-3, issue 9 item 5).

The URL conf is walked with django.urls.get_resolver (the desk, the admin with every ModelAdmin's own
URLs, the connect flows, the webhooks); each URL's parameters are filled with real objects so the view
behind it is reached, not a 404.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_q.models import OrmQ, Schedule, Task

from integration import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

# Reachable without logging in, by design.
PUBLIC = {"webhook-xero", "webhook-procore"}  # signed/authorised by the provider, not by a session
OAUTH_CALLBACKS = {"connect:xero_callback", "connect:procore_callback"}  # may redirect to login (ours do)
LOGIN_PAGES = {"admin:login", "admin:logout"}  # the login form itself, and logging out of nothing
CSRF_EXEMPT = {"webhook-xero", "webhook-procore"}


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(route text, qualified name) of every URL pattern, resolvers followed."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}{p.name}" if p.name else None)


@pytest.fixture
def everything(db):
    """One real object of every model the admin shows, and the users."""
    link = f.LinkFactory()
    item = f.CostItemFactory(link=link)
    project = f.ProjectFactory(link=link)
    vendor = f.VendorFactory(link=link)
    commitment = f.CommitmentFactory(link=link, project=project, vendor=vendor)
    f.ChangeOrderFactory(link=link, project=project, commitment=commitment)
    invoice = f.SubcontractorInvoiceFactory(link=link, project=project, commitment=commitment, vendor=vendor)
    f.OwnerInvoiceFactory(link=link, project=project)
    conn = m.Connection.objects.create(link=link, provider=m.Connection.Provider.XERO, access_token="a", refresh_token="r")
    m.AccountMapping.objects.create(link=link, account_code="400", cost_item=item)
    tax_code = m.TaxCode.objects.create(link=link, procore_id=77, code="GST")
    m.TaxCodeMapping.objects.create(link=link, tax_code=tax_code, xero_tax_type="INPUT2")
    m.Payment.objects.create(link=link, xero_payment_id="p-1", commitment=commitment, subcontractor_invoice=invoice,
                             amount=Decimal("10.00"), date=datetime.date(2026, 5, 1))
    dc = m.DirectCost.objects.create(link=link, project=project, xero_document_id="d-1", xero_document_type="ACCPAY",
                                     direct_cost_type="invoice", date=datetime.date(2026, 5, 1), amount=Decimal("5"))
    m.JobCostSummary.objects.create(link=link, project=project, cost_item=item)
    m.CommitmentCredit.objects.create(link=link, xero_credit_note_id="cn-1", credit_note_number="CN-1",
                                      subcontractor_invoice=invoice, project=project, cost_item=item,
                                      date=datetime.date(2026, 5, 2), amount=Decimal("-20.00"))
    m.AuditEvent.objects.create(link=link, action="accept", message="x")
    m.SyncRun.objects.create(link=link, kind=m.SyncRun.Kind.EXPORT)
    m.UnsyncableTransaction.objects.create(link=link, xero_document_id="u-1", document_type="SPEND", reason="no project")
    m.WebhookEvent.objects.create(source="xero", event_key="k")
    Schedule.objects.create(func="integration.tasks.export_link", name="s")
    Task.objects.create(id="t1", name="t1", func="f", started=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                        stopped=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), success=True)
    Task.objects.create(id="t2", name="t2", func="f", started=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                        stopped=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), success=False)
    OrmQ.objects.create(key="q", payload="p", lock=None)
    User = get_user_model()
    users = {
        "super": User.objects.create_superuser("root", password="pw"),
        "staff": User.objects.create_user("nobody", password="pw", is_staff=True),  # staff, no permission
    }
    return {"link": link, "project": project, "conn": conn, "direct_cost": dc, "users": users}


def urls(everything) -> list[tuple[str, str | None, str]]:
    """(name, url) of every pattern with its parameters filled with real objects."""
    link, project = everything["link"], everything["project"]
    out = []
    for route, name in walk():
        if "(?P<url>" in route:  # the admin's final catch-all
            out.append((route, name, "/admin/no-such-page/"))
            continue
        if "(?P<app_label>" in route:  # the admin's app index (a regex)
            out.append((route, name, "/admin/integration/"))
            continue
        url = "/" + route
        model = None
        if match := re.match(r"/admin/(\w+)/(\w+)/", url):
            try:
                model = apps.get_model(match[1], match[2])
            except LookupError:
                model = None
        values = {
            "link_id": link.pk,
            "provider": "xero",
            "content_type_id": ContentType.objects.get_for_model(m.Project).pk,
            "id": everything["users"]["staff"].pk,
        }
        if "<path:content_type_id>" in url:
            values["object_id"] = project.pk
        elif model is not None:
            obj = model.objects.order_by("pk").first()
            assert obj is not None, f"no {model.__name__} to fill {route}"
            values["object_id"] = obj.pk
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda mm, v=values: str(v[mm[1]]), url)
        assert "<" not in url and "(?" not in url, url
        out.append((route, name, url))
    return out


def test_the_walk_finds_every_kind_of_view(everything):
    """REL-7, SYNC-3: the walk covers the desk, the admin, the connect flows and the webhooks, each reached
    for real, so the login, permission and CSRF checks miss no view."""
    names = {n for _, n, _ in urls(everything)}
    for expected in ("desk:dashboard", "desk:export_now", "desk:report_reconciliation", "admin:integration_costcode_import_csv",
                     "admin:integration_subcontractorinvoice_erp_action", "admin:integration_project_change",
                     "connect:start", "connect:procore_service_account", "webhook-xero", "webhook-procore",
                     "admin:auth_user_password_change"):
        assert expected in names
    # A superuser gets no 404 anywhere but the catch-all: the parameters are real objects.
    client = Client()
    client.force_login(everything["users"]["super"])
    for route, name, url in urls(everything):
        if "(?P<url>" in route or name in PUBLIC or name == "admin:view_on_site":  # no model has a public URL
            continue
        answer = client.get(url)
        assert answer.status_code != 404, (name, url)


def _is_login_redirect(answer) -> bool:
    return answer.status_code == 302 and answer["Location"].startswith(reverse("admin:login"))


def test_nothing_is_reachable_anonymously(everything):
    """REL-7: anonymous GET and POST on every URL get a redirect to the login page or 401/403/405, except
    the two webhooks (their own signature/secret) and the login page itself."""
    client = Client()
    problems = []
    for _route, name, url in urls(everything):
        if name in PUBLIC or name in LOGIN_PAGES:
            continue
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            if not (_is_login_redirect(answer) or answer.status_code in (401, 403, 405)):
                problems.append((method.upper(), url, answer.status_code, answer.get("Location")))
    assert problems == [], "\n".join(map(str, problems))
    # The webhooks refuse an anonymous, unsigned delivery.
    assert client.post("/webhooks/xero", data=b"{}", content_type="application/json").status_code == 401
    assert client.post("/webhooks/procore", data=b"{}", content_type="application/json").status_code == 401


def test_a_user_without_permissions_is_refused_everywhere(everything, django_capture_on_commit_callbacks):
    """SYNC-3, REL-7: a logged-in staff user without any permission gets 403 or a redirect (with nothing
    changed) from every view, custom ones included: reports, export now, per-record actions, connect
    flows, CSV import/export. Only the dashboard (it shows nothing then), the user's own password change,
    the admin's JavaScript catalogue and the login/logout pages answer 200."""
    open_to_any_staff = {"desk:dashboard", "admin:index", "admin:password_change", "admin:password_change_done",
                         "admin:jsi18n", "admin:logout", "admin:login"}
    client = Client()
    user = everything["users"]["staff"]
    client.force_login(user)
    audit_before = m.AuditEvent.objects.count()
    states = {model: list(model.objects.values_list("pk", "erp_status")) for model in m.EXPORTABLE_MODELS}
    problems = []
    with django_capture_on_commit_callbacks() as queued:  # an enqueued task would be an on-commit callback
        for route, name, url in urls(everything):
            if name in PUBLIC or name in open_to_any_staff or "(?P<url>" in route:
                continue
            for method in ("get", "post"):
                answer = getattr(client, method)(url, {"_erp_action": "accept", "what": "export", "link": everything["link"].pk})
                if answer.status_code in (403, 405):
                    continue
                if answer.status_code == 404 and name in ("admin:app_list", "admin:view_on_site"):
                    continue  # the admin hides an app the user may see nothing of; no model has a public page
                if answer.status_code == 302 and name is None and answer["Location"].endswith("/change/"):
                    continue  # the admin's old-style <id>/ URL, redirected to the change page (itself checked)
                if answer.status_code == 302 and method == "post" and name in ("admin:integration_companylink_sync", "admin:logout"):
                    continue  # the service refused (message shown); nothing queued, checked below
                problems.append((method.upper(), name, url, answer.status_code))
    assert problems == [], "\n".join(map(str, problems))
    assert queued == []
    assert m.AuditEvent.objects.count() == audit_before
    assert {model: list(model.objects.values_list("pk", "erp_status")) for model in m.EXPORTABLE_MODELS} == states
    assert not m.Connection.objects.exclude(pk=everything["conn"].pk).exists()
    # The dashboard shows a user without permissions no action.
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("desk:export_now", args=[everything["link"].pk]) not in page


def test_every_post_needs_the_csrf_token(everything):
    """REL-7: with CSRF checks enforced, a POST without the token is refused (403, CSRF) by every view
    that accepts POSTs, even for a superuser; only the two webhooks are exempt."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(everything["users"]["super"])
    problems, refused = [], 0
    for _route, name, url in urls(everything):
        if name in CSRF_EXEMPT:
            continue
        answer = client.post(url, {"_erp_action": "accept", "link": everything["link"].pk})
        if answer.status_code == 405:
            continue  # does not accept POST at all
        refused += 1
        if not (answer.status_code == 403 and b"CSRF" in answer.content):
            problems.append((name, url, answer.status_code))
    assert problems == [], "\n".join(map(str, problems))
    assert refused > 100  # the forms of every model's admin, the desk's actions and the connect flows


def test_group_permissions_do_not_leak_to_the_standard_role(everything):
    """SYNC-3: a Procore user (standard role) can send but not accept, and cannot reach the reports."""
    pm = f.UserFactory(username="pm-sec")
    pm.groups.add(Group.objects.get(name="Standard"))
    client = Client()
    client.force_login(pm)
    assert client.get(reverse("desk:reports")).status_code == 403
    assert client.post(reverse("desk:export_now", args=[everything["link"].pk])).status_code == 403
