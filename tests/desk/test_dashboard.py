"""The dashboard, the admin's landing page: awaiting approval by type and age, failures since the last
run, schedules, Xero calls left, connections that need reconnecting (SYNC-9 schedule, RPT-1, RPT-4)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.models import Commitment, Connection, ErpStatus, SubcontractorInvoice, SyncRun
from tests.factories import CommitmentFactory, LinkFactory, SubcontractorInvoiceFactory

pytestmark = pytest.mark.django_db


def aged(record, **delta):
    type(record).objects.filter(pk=record.pk).update(erp_status_changed_at=timezone.now() - datetime.timedelta(**delta))


def test_dashboard_shows_each_links_desk(client, approver):
    """RPT-1, RPT-4, SYNC-9, CONN-3: the landing page: per link, what awaits by type and age, failures since
    the last export run, Xero calls left and the connection that needs reconnecting; the daily summary's
    schedule."""
    link = LinkFactory(name="Harbourside Builders")
    other = LinkFactory(name="Other Builder")
    aged(SubcontractorInvoiceFactory(link=link), hours=2)
    aged(SubcontractorInvoiceFactory(link=link), days=10)
    aged(CommitmentFactory(link=link, erp_status=ErpStatus.READY_TO_UPDATE, xero_id="p" * 36), days=40)
    aged(SubcontractorInvoiceFactory(link=other), hours=1)
    SyncRun.objects.create(link=link, kind=SyncRun.Kind.EXPORT, status=SyncRun.Status.PARTIAL)
    SyncRun.objects.filter(link=link).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    aged(SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.FAILED), minutes=30)
    aged(SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.FAILED), days=2)  # before the last run
    Connection.objects.create(link=link, provider="xero", status="connected", day_limit_remaining=4321)
    Connection.objects.create(link=link, provider="procore", status="needs_reconnect", status_message="The refresh token was refused.")
    client.force_login(approver)

    html = client.get(reverse("admin:index")).content.decode()
    section = html[html.index(f'id="link-{link.pk}"'):html.index(f'id="link-{other.pk}"')]
    invoices = section[section.index("awaiting-subcontractorinvoice"):section.index("</tr>", section.index("awaiting-subcontractorinvoice"))]
    # < 1 day: 1, 1–7 days: 0, 7–30 days: 1, > 30 days: 0, total 2
    assert '>1</a></td><td class="num age-week">0</td>' in invoices and "<strong>2</strong>" in invoices
    commitments = section[section.index("awaiting-commitment"):]
    assert ('<td class="num age-today">0</td><td class="num age-week">0</td><td class="num age-month">0</td>'
            '<td class="num age-older"><a') in commitments and "age=older" in commitments
    assert "Awaiting approval: 3" in section
    assert "Subcontractor invoices: 1" in section  # one failure since the last run, not two
    assert "4321 of 5000" in section
    assert "Connections that need reconnecting" in html and "The refresh token was refused." in html
    assert "ERP Integrations Daily Summary" in html  # the schedule created by the migration, with its next run
    assert "Awaiting approval: 1" in html[html.index(f'id="link-{other.pk}"'):]


def test_export_now_is_for_erp_admins_only(client, approver, erp_admin, monkeypatch):
    """SYNC-8: "Export accepted now" enqueues the link's export for an ERP admin; others are refused."""
    queued = []
    monkeypatch.setattr("integration.services.dispatch.enqueue_export", lambda *, link_id: queued.append(link_id))
    link = LinkFactory()
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.EXPORTING)
    client.force_login(approver)
    assert "Export accepted now" not in client.get(reverse("admin:index")).content.decode()
    assert client.post(reverse("desk:export_now", args=[link.pk])).status_code == 403
    client.force_login(erp_admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Export accepted now" in html
    response = client.post(reverse("desk:export_now", args=[link.pk]), follow=True)
    assert queued == [link.pk]
    assert "the export of the accepted records is queued" in response.content.decode()
    assert client.get(reverse("desk:export_now", args=[link.pk])).status_code == 405
    assert SubcontractorInvoice.objects.count() == 1 and Commitment.objects.count() == 1


def test_dashboard_asks_anonymous_people_to_log_in(client):
    """REL-7: the approver's desk is behind the admin login; an anonymous visitor is sent to it."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response.url
