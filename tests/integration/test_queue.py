"""SYNC-2..5, SYNC-9: the approval queue's services and who may use them."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from integration.models import AuditEvent, ErpStatus
from integration.roles import ACCOUNTING_APPROVER, ERP_ADMIN, READ_ONLY, STANDARD
from integration.services import queue
from integration.services.status import TransitionRefused
from tests.factories import SubcontractorInvoiceFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver():
    return UserFactory(username="approver", role=ACCOUNTING_APPROVER)


@pytest.fixture
def pm():
    return UserFactory(username="pm", role=STANDARD)


def test_approver_accepts_and_the_export_is_enqueued(approver, django_capture_on_commit_callbacks):
    """SYNC-3, SYNC-8: an approver's accept moves the record to exporting and enqueues the export."""
    from django_q.models import OrmQ

    invoice = SubcontractorInvoiceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        queue.record_accept(record=invoice, actor=approver)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.EXPORTING
    assert invoice.accepted_by == approver
    assert OrmQ.objects.count() == 1
    event = AuditEvent.objects.get(object_id=invoice.pk)
    assert (event.actor, event.action, event.to_status) == (approver, "accept", ErpStatus.EXPORTING)


@pytest.mark.parametrize("role", [STANDARD, READ_ONLY, ERP_ADMIN])
def test_only_accounting_approvers_accept_or_reject(role):
    """SYNC-3: nobody else can accept or reject, and nothing changes when they try."""
    user = UserFactory(role=role)
    invoice = SubcontractorInvoiceFactory()
    with pytest.raises(PermissionDenied):
        queue.record_accept(record=invoice, actor=user)
    with pytest.raises(PermissionDenied):
        queue.record_reject(record=invoice, actor=user, reason="no")
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    assert not AuditEvent.objects.exists()


def test_an_invalid_record_cannot_be_accepted(approver):
    """SYNC-5: a record that fails its rules is never accepted; the approver is told why."""
    invoice = SubcontractorInvoiceFactory(billing_date=None)
    with pytest.raises(queue.ValidationRefused, match="billing date is missing"):
        queue.record_accept(record=invoice, actor=approver)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT


def test_send_validates_then_queues(pm):
    """SYNC-2, SYNC-5: a valid record is queued; an invalid one is refused with its reasons."""
    good = SubcontractorInvoiceFactory(erp_status=ErpStatus.NOT_SENT)
    queue.record_send(record=good, actor=pm)
    good.refresh_from_db()
    assert (good.erp_status, good.sent_by) == (ErpStatus.READY_TO_EXPORT, pm)
    bad = SubcontractorInvoiceFactory(erp_status=ErpStatus.NOT_SENT, invoice_number="")
    with pytest.raises(queue.ValidationRefused, match="invoice number is missing"):
        queue.record_send(record=bad, actor=pm)
    bad.refresh_from_db()
    assert bad.erp_status == ErpStatus.NOT_SENT


def test_reject_needs_a_reason_and_tells_the_sender(approver, pm, django_capture_on_commit_callbacks):
    """SYNC-3, SYNC-9: a rejection carries the approver's reason and emails the sender."""
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.NOT_SENT)
    queue.record_send(record=invoice, actor=pm)
    with pytest.raises(TransitionRefused, match="needs a reason"):
        queue.record_reject(record=invoice, actor=approver, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        queue.record_reject(record=invoice, actor=approver, reason="Wrong cost code on line 2")
    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.erp_message) == (ErpStatus.REJECTED, "Wrong cost code on line 2")
    [message] = mail.outbox
    assert message.to == [pm.email]
    assert "Wrong cost code on line 2" in message.body


def test_retrieve_then_resend(pm):
    """SYNC-4: retrieve while awaiting the approver, then resend."""
    invoice = SubcontractorInvoiceFactory()
    queue.record_retrieve(record=invoice, actor=pm)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.RETRIEVED
    queue.record_resend(record=invoice, actor=pm)
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    with pytest.raises(TransitionRefused):
        queue.record_retrieve(record=SubcontractorInvoiceFactory(erp_status=ErpStatus.SYNCED), actor=pm)


def test_direct_export_skips_approval(pm):
    """SYNC-2: with direct export on, a sent record is accepted at once."""
    vendor = VendorFactory(erp_status=ErpStatus.NOT_SENT, xero_id="")
    vendor.link.direct_export = True
    vendor.link.save()
    queue.record_send(record=vendor, actor=pm)
    vendor.refresh_from_db()
    assert vendor.erp_status == ErpStatus.EXPORTING
    assert list(AuditEvent.objects.filter(object_id=vendor.pk).order_by("id").values_list("action", flat=True)) == ["send", "accept"]


def test_bulk_accept_accepts_the_valid_and_names_each_invalid(approver):
    """SYNC-3, SYNC-5: bulk accept of mixed records accepts the valid ones and reports each invalid one."""
    valid = [SubcontractorInvoiceFactory() for _ in range(3)]
    invalid = SubcontractorInvoiceFactory(invoice_number="INV-BAD", payment_date=None)
    result = queue.records_accept(records=[*valid, invalid], actor=approver)
    assert len(result.done) == 3
    [(record, reason)] = result.refused
    assert record == invalid and "payment date is missing" in reason
    invalid.refresh_from_db()
    assert invalid.erp_status == ErpStatus.READY_TO_EXPORT
