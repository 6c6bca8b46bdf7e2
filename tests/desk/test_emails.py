"""SYNC-9: the daily summary to the approvers while anything awaits them, and the rejection email."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from integration import tasks
from integration.models import ErpStatus
from integration.roles import ACCOUNTING_APPROVER
from integration.services import queue
from tests.factories import LinkFactory, SubcontractorInvoiceFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_daily_summary_goes_to_each_approver_while_records_wait(approver, pm):
    """SYNC-9: one "ERP Integrations Daily Summary" per approver, with each link's queue by type and age."""
    UserFactory(username="noemail", email="", role=ACCOUNTING_APPROVER)
    link = LinkFactory(name="Harbourside")
    old = SubcontractorInvoiceFactory(link=link)
    type(old).objects.filter(pk=old.pk).update(erp_status_changed_at=timezone.now() - datetime.timedelta(days=12))
    SubcontractorInvoiceFactory(link=link, erp_status_changed_at=timezone.now())
    VendorFactory(link=link, erp_status=ErpStatus.READY_TO_UPDATE, erp_status_changed_at=timezone.now())
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED)

    assert tasks.send_daily_summary() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "ERP Integrations Daily Summary"
    assert message.to == ["approver@example.com"]  # not the pm, not the approver without an address
    assert "3 records await your approval" in message.body
    assert "Harbourside" in message.body
    assert "Subcontractor invoices: 2 (< 1 day: 1, 1–7 days: 0, 7–30 days: 1, > 30 days: 0)" in message.body
    assert "Vendors: 1 (< 1 day: 1" in message.body
    assert "/admin/integration/subcontractorinvoice/?link__id__exact=" in message.body
    html = message.alternatives[0][0]
    assert "<strong>3</strong> records await" in html and "Open the approver" in html


def test_no_summary_when_nothing_waits(approver):
    """SYNC-9: nothing awaits, nothing is sent."""
    SubcontractorInvoiceFactory(erp_status=ErpStatus.SYNCED)
    assert tasks.send_daily_summary() == 0
    assert mail.outbox == []


def test_summary_is_scheduled_daily_with_django_q():
    """SYNC-9: a django-q2 schedule runs the summary every day."""
    schedule = Schedule.objects.get(name="ERP Integrations Daily Summary")
    assert schedule.func == "integration.tasks.send_daily_summary"
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1 and schedule.next_run is not None


def test_rejection_email_reaches_the_sender(approver, pm, django_capture_on_commit_callbacks):
    """SYNC-9: the sender reads the approver's reason."""
    invoice = SubcontractorInvoiceFactory(invoice_number="INV-0099", sent_by=pm)
    with django_capture_on_commit_callbacks(execute=True):
        queue.record_reject(record=invoice, actor=approver, reason="The retention is wrong")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pm@example.com"]
    assert "INV-0099" in mail.outbox[0].subject and "Reason: The retention is wrong" in mail.outbox[0].body
