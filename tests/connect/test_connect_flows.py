"""The connect flows of the admin (CONN-2, CONN-3, REL-7), driven with Django's test client against the
in-process sandboxes: the browser's trip to the provider's consent page is played by the sandbox session."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from integration.models import AuditEvent, CompanyLink, Connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_erp"))
    user.user_permissions.add(Permission.objects.get(codename="change_companylink"))
    user.user_permissions.add(Permission.objects.get(codename="view_companylink"))
    client.force_login(user)
    return client


@pytest.fixture
def new_link(db):
    return CompanyLink.objects.create(name="Harbourside Builders")


def change_url(link):
    return reverse("admin:integration_companylink_change", args=[link.pk])


def consent(sandboxes, authorize_url: str) -> str:
    """The user says yes on the provider's page: the provider redirects to our callback."""
    answer = sandboxes.session.get(authorize_url, allow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def connect_xero(client, sandboxes, link):
    start = client.post(reverse("connect:start", args=[link.pk, "xero"]))
    assert start.status_code == 302 and start["Location"].startswith("https://login.xero.com/identity/connect/authorize")
    callback = consent(sandboxes, start["Location"])
    assert callback.startswith("http://127.0.0.1:8000/connect/xero/callback?")
    return client.get(local(callback))


def connect_procore(client, sandboxes, link):
    start = client.post(reverse("connect:start", args=[link.pk, "procore"]))
    assert start.status_code == 302 and start["Location"].startswith("https://login.procore.com/oauth/authorize")
    callback = consent(sandboxes, start["Location"])
    assert callback.startswith("http://127.0.0.1:8000/connect/procore/callback?")
    return client.get(local(callback))


def test_connect_xero_then_choose_the_organisation(admin_client, sandboxes, new_link):
    """CONN-2: authorization code with the scopes of settings (offline_access included), tokens stored
    encrypted, the organisation chosen from GET /connections."""
    second = sandboxes.xero.add_organisation("Harbourside Holdings Ltd")
    start = admin_client.post(reverse("connect:start", args=[new_link.pk, "xero"]))
    assert "offline_access" in start["Location"] and "accounting.invoices" in start["Location"]
    done = admin_client.get(local(consent(sandboxes, start["Location"])))
    assert done.status_code == 302 and done["Location"] == reverse("connect:xero_organisation", args=[new_link.pk])
    conn = Connection.objects.get(link=new_link, provider="xero")
    assert conn.status == "connected" and conn.access_token and conn.refresh_token
    assert conn.connected_by.username == "ops"

    page = admin_client.get(done["Location"])
    assert page.status_code == 200
    assert "Sandbox Construction Ltd" in page.content.decode() and "Harbourside Holdings Ltd" in page.content.decode()
    chosen = admin_client.post(done["Location"], {"tenant_id": second})
    assert chosen.status_code == 302 and chosen["Location"] == change_url(new_link)
    new_link.refresh_from_db()
    assert (new_link.xero_tenant_id, new_link.xero_tenant_name) == (second, "Harbourside Holdings Ltd")
    assert AuditEvent.objects.filter(action="connected", link=new_link).count() == 1
    assert AuditEvent.objects.filter(action="link_paired", link=new_link).count() == 1

    page = admin_client.get(change_url(new_link)).content.decode()
    assert "Connected" in page and "Harbourside Holdings Ltd" in page and "Disconnect" in page


def test_an_unknown_organisation_is_refused(admin_client, sandboxes, new_link):
    """CONN-2, REL-6: only an organisation of GET /connections can be chosen."""
    connect_xero(admin_client, sandboxes, new_link)
    answer = admin_client.post(reverse("connect:xero_organisation", args=[new_link.pk]), {"tenant_id": "not-mine"})
    assert answer.status_code == 200
    new_link.refresh_from_db()
    assert new_link.xero_tenant_id == ""


def test_connect_procore_lists_the_companies_then_chooses_one(admin_client, sandboxes, new_link):
    """CONN-2, FID-3: Procore authorization code; the choose-a-company page lists the companies from
    GET /companies, which a user's token may call without the Procore-Company-Id header (api/procore.md
    §4), so the admin picks one instead of typing its id."""
    done = connect_procore(admin_client, sandboxes, new_link)
    assert done["Location"] == reverse("connect:procore_company", args=[new_link.pk])
    conn = Connection.objects.get(link=new_link, provider="procore")
    assert conn.status == "connected" and conn.refresh_token and conn.auth_type == "authorization_code"

    page = admin_client.get(done["Location"]).content.decode()
    company = sandboxes.procore.company_id
    assert "Sandbox Builders Ltd" in page and f'value="{company}"' in page, page[page.find("errornote"):][:500]
    assert "errornote" not in page
    chosen = admin_client.post(done["Location"], {"company_id": company})
    assert chosen.status_code == 302
    new_link.refresh_from_db()
    assert (new_link.procore_company_id, new_link.procore_company_name) == (company, "Sandbox Builders Ltd")


def test_connect_procore_with_a_service_account(admin_client, sandboxes, new_link):
    """CONN-2: client credentials of a service account (DMSA); the secret is stored encrypted, never shown."""
    answer = admin_client.post(reverse("connect:procore_service_account", args=[new_link.pk]), {
        "client_id": "dmsa-client", "client_secret": "dmsa-very-secret", "company_id": sandboxes.procore.company_id})
    assert answer.status_code == 302, answer.content.decode()
    conn = Connection.objects.get(link=new_link, provider="procore")
    assert conn.auth_type == "client_credentials" and conn.service_client_id == "dmsa-client"
    assert conn.service_client_secret == "dmsa-very-secret" and not conn.refresh_token
    new_link.refresh_from_db()
    assert new_link.procore_company_name == "Sandbox Builders Ltd"
    page = admin_client.get(change_url(new_link)).content.decode()
    assert "service account" in page and "dmsa-very-secret" not in page and conn.access_token not in page


def test_a_wrong_state_is_refused_and_nothing_is_stored(admin_client, admin_user, sandboxes, new_link):
    """CONN-2, REL-7: the callback's state must be the one this session started; a forged one does not
    discard the connection the session is waiting for."""
    start = admin_client.post(reverse("connect:start", args=[new_link.pk, "xero"]))
    callback = consent(sandboxes, start["Location"]).replace("state=", "state=forged")
    answer = admin_client.get(local(callback), follow=True)
    assert any("state mismatch" in m for m in messages_of(answer))
    assert not Connection.objects.filter(link=new_link, provider="xero").exclude(access_token="").exists()
    # a forged answer does not cancel the connection this session started: it is still waiting
    assert admin_client.session["connect_oauth"]["xero"]["link_id"] == new_link.pk
    # and a callback no session started is refused too
    other = Client()
    other.force_login(admin_user)
    answer = other.get(local(callback), follow=True)
    assert any("No Xero connection was started" in m for m in messages_of(answer))
    assert not Connection.objects.filter(link=new_link).exists()


def test_a_denied_consent_says_so_and_stores_nothing(admin_client, sandboxes, new_link):
    """CONN-2, REL-6: error=access_denied on the callback gives a clear message; nothing is stored."""
    admin_client.post(reverse("connect:start", args=[new_link.pk, "procore"]))
    state = admin_client.session["connect_oauth"]["procore"]["state"]
    answer = admin_client.get("/connect/procore/callback?" + urlencode(
        {"error": "access_denied", "error_description": "The resource owner denied the request.", "state": state}),
        follow=True)
    assert any("consent was denied" in m and "Nothing was stored" in m for m in messages_of(answer))
    assert not Connection.objects.filter(link=new_link).exists()
    assert AuditEvent.objects.filter(action="connect_refused", link=new_link).exists()


def test_a_dead_refresh_token_shows_needs_reconnect_and_one_click_reconnects(admin_client, sandboxes, new_link):
    """CONN-3: invalid_grant on refresh marks the link "needs reconnect" (nothing deleted), the admin page
    says so, and one click starts the consent flow again and restores the connection."""
    connect_xero(admin_client, sandboxes, new_link)
    admin_client.post(reverse("connect:xero_organisation", args=[new_link.pk]),
                      {"tenant_id": sandboxes.xero.default_tenant_id})
    conn = Connection.objects.get(link=new_link, provider="xero")
    conn.refresh_token = "a-refresh-token-xero-no-longer-knows"
    conn.expires_at = sandboxes.clock.now() - timedelta(hours=1)
    conn.save()
    sandboxes.xero.expire_access_tokens()

    checked = admin_client.post(reverse("connect:check", args=[new_link.pk, "xero"]), follow=True)
    assert any("needs reconnecting" in m for m in messages_of(checked))
    conn.refresh_from_db()
    assert conn.status == "needs_reconnect" and conn.access_token  # nothing deleted
    page = checked.content.decode()
    assert "Needs reconnect" in page and "Reconnect Xero" in page

    again = admin_client.post(reverse("connect:reconnect", args=[new_link.pk, "xero"]))
    assert again.status_code == 302 and again["Location"].startswith("https://login.xero.com/")
    admin_client.get(local(consent(sandboxes, again["Location"])))
    conn.refresh_from_db()
    assert conn.status == "connected" and conn.refresh_token != "a-refresh-token-xero-no-longer-knows"
    new_link.refresh_from_db()
    assert new_link.xero_tenant_id == sandboxes.xero.default_tenant_id  # the pairing survived
    checked = admin_client.post(reverse("connect:check", args=[new_link.pk, "xero"]), follow=True)
    assert any("Xero answers" in m for m in messages_of(checked))


def test_a_service_account_reconnects_in_one_click(admin_client, sandboxes, new_link):
    """CONN-3: a service account needs no consent: reconnect asks for a new client-credentials token."""
    admin_client.post(reverse("connect:procore_service_account", args=[new_link.pk]), {
        "client_id": "dmsa", "client_secret": "dmsa-secret", "company_id": sandboxes.procore.company_id})
    Connection.objects.filter(link=new_link, provider="procore").update(status="needs_reconnect")
    admin_client.post(reverse("connect:reconnect", args=[new_link.pk, "procore"]))
    assert Connection.objects.get(link=new_link, provider="procore").status == "connected"


def test_disconnect_revokes_the_tokens(admin_client, sandboxes, new_link):
    """CONN-2: disconnect revokes at the provider, then forgets the tokens (the link stays)."""
    connect_xero(admin_client, sandboxes, new_link)
    connect_procore(admin_client, sandboxes, new_link)
    xero_refresh = Connection.objects.get(link=new_link, provider="xero").refresh_token
    procore_access = Connection.objects.get(link=new_link, provider="procore").access_token
    assert procore_access in sandboxes.procore.access_tokens

    for provider in ("xero", "procore"):
        answer = admin_client.post(reverse("connect:disconnect", args=[new_link.pk, provider]), follow=True)
        assert any("tokens revoked" in m for m in messages_of(answer))
    assert all(c["revoked"] for c in sandboxes.xero.state()["connections"])
    assert sandboxes.xero.refresh_tokens[xero_refresh] and procore_access not in sandboxes.procore.access_tokens
    for conn in Connection.objects.filter(link=new_link):
        assert conn.status == "disconnected" and not conn.access_token and not conn.refresh_token
    assert CompanyLink.objects.filter(pk=new_link.pk).exists()
    page = admin_client.get(change_url(new_link)).content.decode()
    assert "Connect Xero" in page and "Connect Procore" in page


def test_tokens_never_reach_a_page_an_audit_row_or_a_log(admin_client, sandboxes, new_link, caplog):
    """REL-7: no access token, refresh token, code or client secret in any page, audit row or log line."""
    caplog.set_level(logging.DEBUG)
    pages = []
    start = admin_client.post(reverse("connect:start", args=[new_link.pk, "xero"]))
    callback = consent(sandboxes, start["Location"])
    code = dict(p.split("=", 1) for p in urlsplit(callback).query.split("&"))["code"]
    admin_client.get(local(callback))
    pages.append(admin_client.get(reverse("connect:xero_organisation", args=[new_link.pk])))
    admin_client.post(reverse("connect:xero_organisation", args=[new_link.pk]),
                      {"tenant_id": sandboxes.xero.default_tenant_id})
    connect_procore(admin_client, sandboxes, new_link)
    pages.append(admin_client.get(reverse("connect:procore_company", args=[new_link.pk]) + "?company_id="
                                  + str(sandboxes.procore.company_id)))
    pages.append(admin_client.get(change_url(new_link)))
    pages.append(admin_client.get(reverse("admin:integration_connection_changelist")))
    for conn in Connection.objects.filter(link=new_link):
        pages.append(admin_client.get(reverse("admin:integration_connection_change", args=[conn.pk])))
    secrets = [code, "connector-xero-secret", "connector-procore-secret"]
    for conn in Connection.objects.filter(link=new_link):
        secrets += [conn.access_token, conn.refresh_token]
    assert all(secrets)
    audit = " ".join(f"{e.message} {e.payload} {e.response} {e.record_label}" for e in AuditEvent.objects.all())
    text = " ".join(p.content.decode() for p in pages) + audit + caplog.text
    for secret in secrets:
        assert secret not in text


def test_only_users_who_manage_the_erp_can_connect(client, django_user_model, sandboxes, new_link):
    """CONN-2, SYNC-3: login required; without integration.manage_erp the flows answer 403."""
    url = reverse("connect:start", args=[new_link.pk, "xero"])
    assert client.post(url)["Location"].startswith(reverse("admin:login"))
    approver = django_user_model.objects.create_user("approver", password="x", is_staff=True)
    client.force_login(approver)
    assert client.post(url).status_code == 403
    assert client.get(reverse("connect:xero_organisation", args=[new_link.pk])).status_code == 403
    assert client.post(reverse("connect:disconnect", args=[new_link.pk, "xero"])).status_code == 403
    assert not Connection.objects.exists()
