"""SYNC-1: every allowed and every refused ERP status transition, through the one status machine."""

import pytest
from django.db import transaction

from integration.models import AuditEvent, ErpStatus
from integration.services.status import TRANSITIONS, TransitionRefused, apply_transition
from tests.factories import CostItemFactory, SubcontractorInvoiceFactory, VendorFactory

pytestmark = pytest.mark.django_db

CASES = [(action, status) for action in TRANSITIONS for status in ErpStatus.values]


@pytest.mark.parametrize(("action", "status"), CASES)
def test_each_transition_is_allowed_or_refused_and_audited(action, status):
    """SYNC-1: a defined transition moves the record and writes one audit event; any other is refused
    with a clear message and changes nothing."""
    invoice = SubcontractorInvoiceFactory(erp_status=status, xero_id="")
    allowed = status in TRANSITIONS[action].sources
    with transaction.atomic():
        if allowed:
            apply_transition(invoice, action, actor="tester")
        else:
            with pytest.raises(TransitionRefused, match="only possible when it is"):
                apply_transition(invoice, action, actor="tester")
    invoice.refresh_from_db()
    events = list(AuditEvent.objects.filter(object_id=invoice.pk))
    if allowed:
        assert invoice.erp_status == (TRANSITIONS[action].target if TRANSITIONS[action].target != "queue" else ErpStatus.READY_TO_EXPORT)
        assert len(events) == 1
        assert (events[0].action, events[0].from_status, events[0].to_status) == (action, status, invoice.erp_status)
        assert events[0].actor_name == "tester"
    else:
        assert invoice.erp_status == status
        assert events == []


def test_resend_of_a_linked_record_goes_to_ready_to_update():
    """SYNC-1, SYNC-4: a record already in Xero comes back to the queue as an update."""
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.REJECTED, xero_id="0f0f0f0f-0000-0000-0000-000000000001")
    with transaction.atomic():
        apply_transition(invoice, "resend", actor="tester")
    assert invoice.erp_status == ErpStatus.READY_TO_UPDATE


@pytest.mark.parametrize("factory", [SubcontractorInvoiceFactory, VendorFactory, CostItemFactory])
def test_every_exportable_type_uses_the_same_machine(factory):
    """SYNC-1: the same rules hold for every exportable type."""
    record = factory(erp_status=ErpStatus.SYNCED)
    with transaction.atomic(), pytest.raises(TransitionRefused):
        apply_transition(record, "accept", actor="tester")
    with transaction.atomic():
        apply_transition(record, "changed_in_procore", actor="tester")
    assert record.erp_status == ErpStatus.READY_TO_UPDATE
