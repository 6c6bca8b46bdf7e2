"""SEC-4, SYNC-9: email headers built from Procore or Xero data stay on one line, and a notice that
cannot be sent never turns the approver's committed decision into an error page."""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from integration.models import ErpStatus
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from integration.services import queue
from integration.services.notifications import header_text
from tests.factories import SubcontractorInvoiceFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

HOSTILE = "Ev\r\nBcc: x@evil.example"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _reject_in_admin(invoice, approver, callbacks):
    client = Client()
    client.force_login(approver)
    url = reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])
    with callbacks(execute=True):  # the notice is sent once the rejection is committed
        answer = client.post(url, {"_erp_action": "reject", "reason": "Wrong vendor"})
    return answer


def test_a_line_break_in_a_vendor_name_stays_out_of_the_headers(django_capture_on_commit_callbacks):
    """SEC-4, SYNC-9: an approver rejects the invoice of a vendor named "Ev\\r\\nBcc: x@evil.example": the
    page answers normally, the invoice is rejected, and the sender gets one email whose subject is one
    line, with no Bcc header and no extra recipient."""
    approver = UserFactory(username="approver", role=ACCOUNTING_APPROVER)
    pm = UserFactory(username="pm", role=STANDARD)
    invoice = SubcontractorInvoiceFactory(vendor=VendorFactory(name=HOSTILE), invoice_number="INV-7",
                                          erp_status=ErpStatus.READY_TO_EXPORT, sent_by=pm)
    invoice.vendor.link = invoice.link
    invoice.vendor.save()

    answer = _reject_in_admin(invoice, approver, django_capture_on_commit_callbacks)

    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.erp_message) == (ErpStatus.REJECTED, "Wrong vendor")
    [message] = mail.outbox
    assert message.subject == "Rejected for export to Xero: subcontractor invoice INV-7 (Ev Bcc: x@evil.example)"
    assert message.recipients() == ["pm@example.com"]
    headers = message.message().as_string().split("\n\n", 1)[0]  # the body may quote the name as it is
    assert "\nBcc:" not in headers and message.message()["To"] == "pm@example.com"


def test_a_mail_server_that_is_down_leaves_the_rejection_standing(django_capture_on_commit_callbacks, caplog):
    """SEC-4, SYNC-9: with the mail server refusing, the rejection is still committed, the approver's page
    answers normally, and the failure is logged with the record named."""
    approver = UserFactory(username="approver", role=ACCOUNTING_APPROVER)
    pm = UserFactory(username="pm", role=STANDARD)
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.READY_TO_EXPORT, sent_by=pm)

    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"), caplog.at_level(logging.ERROR):
        answer = _reject_in_admin(invoice, approver, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):  # and through the service directly
            other = SubcontractorInvoiceFactory(erp_status=ErpStatus.READY_TO_EXPORT, sent_by=pm)
            queue.record_reject(record=other, actor=approver, reason="Duplicate")

    assert answer.status_code == 302
    invoice.refresh_from_db()
    other.refresh_from_db()
    assert invoice.erp_status == other.erp_status == ErpStatus.REJECTED
    failures = [r for r in caplog.records if "rejection notice" in r.getMessage()]
    assert len(failures) == 2
    assert f"SubcontractorInvoice #{invoice.pk}" in failures[0].getMessage()


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "a\x0bb", "a\x0cb", "a\x1cb", "a\x85b", "a\u2028b", "a\u2029b", "a\x00b"])
def test_every_line_boundary_becomes_a_space(value):
    """SEC-4: each line boundary Python or a mail client knows, and NUL, is one space in a header."""
    assert header_text(value) == "a b"


class RefusingOneAddress(BaseEmailBackend):
    """A mail server that refuses one recipient and accepts the others."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if "refused@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"refused@example.com": (550, b"No such user")})
            mail.outbox.append(message)
        return len(email_messages)


def test_one_refused_daily_summary_does_not_stop_the_others(caplog):
    """SEC-4, SYNC-9: the mail server refusing one approver's address leaves the other approvers' daily
    summary sent; the refusal is logged with the user, and the count says how many were sent."""
    from integration import tasks

    UserFactory(username="refused", email="refused@example.com", role=ACCOUNTING_APPROVER)
    UserFactory(username="zoe", email="zoe@example.com", role=ACCOUNTING_APPROVER)
    SubcontractorInvoiceFactory(erp_status=ErpStatus.READY_TO_EXPORT)
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingOneAddress"), caplog.at_level(logging.ERROR):
        assert tasks.send_daily_summary() == 1
    assert [m.to for m in mail.outbox] == [["zoe@example.com"]]
    assert any("daily summary to user" in r.getMessage() for r in caplog.records)
