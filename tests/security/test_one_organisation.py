"""One Xero organisation, one link (SEC-3, CONN-1, REL-4): refused in the connect flow with the owner named,
refused by the database, and a webhook for the organisation reaches its link."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from integration.models import CompanyLink
from tests.connect.test_connect_flows import admin_client, connect_xero, messages_of  # noqa: F401  (fixture)
from tests.imports.test_webhooks import KEY, _post_xero, _xero_body, queued  # noqa: F401  (fixture)
from xero_client.webhooks import sign

pytestmark = pytest.mark.django_db


def test_an_organisation_of_another_link_cannot_be_chosen(admin_client, sandboxes):  # noqa: F811
    """SEC-3: link B, connected to the same Xero user, cannot take link A's organisation: the choice names
    A as its owner, choosing it is refused with the reason and B stays unpaired; another one can be chosen."""
    first, second = CompanyLink.objects.create(name="Harbour North"), CompanyLink.objects.create(name="Harbour South")
    connect_xero(admin_client, sandboxes, first)
    tenant = sandboxes.xero.default_tenant_id
    admin_client.post(reverse("connect:xero_organisation", args=[first.pk]), {"tenant_id": tenant})
    first.refresh_from_db()
    assert first.xero_tenant_id == tenant

    other = sandboxes.xero.add_organisation("Harbour South Pty Ltd")
    connect_xero(admin_client, sandboxes, second)
    choose = reverse("connect:xero_organisation", args=[second.pk])
    assert "already the organisation of the link &#x27;Harbour North&#x27;" in admin_client.get(choose).content.decode()
    refused = admin_client.post(choose, {"tenant_id": tenant}, follow=True)
    assert any("already belongs to the company link 'Harbour North'" in m and "one link only" in m
               for m in messages_of(refused))
    second.refresh_from_db()
    assert second.xero_tenant_id == ""
    admin_client.post(choose, {"tenant_id": other})
    second.refresh_from_db()
    assert second.xero_tenant_id == other


def test_the_database_refuses_a_second_link_of_an_organisation(db):
    """SEC-3: whatever the path, two links never hold one organisation (tenant ids compare case-insensitively)."""
    CompanyLink.objects.create(name="A", xero_tenant_id="9a0c3f5e-1b2d-4c6e-8f70-1a2b3c4d5e6f")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyLink.objects.create(name="B", xero_tenant_id="9A0C3F5E-1B2D-4C6E-8F70-1A2B3C4D5E6F")
    CompanyLink.objects.create(name="C", xero_tenant_id="")
    CompanyLink.objects.create(name="D", xero_tenant_id="")  # unpaired links are many


def test_a_webhook_for_an_organisation_reaches_its_link(client, link, queued, django_capture_on_commit_callbacks):  # noqa: F811
    """SEC-3, REL-4: the organisation's event queues the targeted sync of the link that owns it, and only it."""
    CompanyLink.objects.create(name="Bystander", xero_tenant_id="0f0f0f0f-0000-4000-8000-000000000001")
    body = _xero_body(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_xero(client, body, sign(body, KEY)).status_code == 200
    assert [(func, args) for func, args, _ in queued] == [("integration.tasks.import_xero_document", (link.pk,))]
