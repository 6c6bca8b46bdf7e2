"""SYNC-3, PERF-3: the approval queue in the admin, as the approver and the PM use it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integration.models import ErpStatus, SubcontractorInvoice
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from tests.factories import LinkFactory, SubcontractorInvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:integration_subcontractorinvoice_changelist"


def login(client, role, username):
    user = UserFactory(username=username, role=role)
    client.force_login(user)
    return user


def test_standard_users_crafted_accept_post_is_refused(client):
    """SYNC-3: a Standard user's crafted POST of the accept action changes nothing."""
    login(client, STANDARD, "pm")
    invoice = SubcontractorInvoiceFactory()
    response = client.post(reverse(CHANGELIST), {"action": "accept_selected", "_selected_action": [invoice.pk]})
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    assert response.status_code in (200, 302, 403)
    # The per-record button is refused in the same way.
    page = reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])
    client.post(page, {"_erp_action": "accept"})
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    # And the PM is not even offered the action.
    assert b"accept_selected" not in client.get(reverse(CHANGELIST)).content


def test_approver_bulk_accepts_and_sees_each_refusal_by_name(client):
    """SYNC-3, SYNC-5: the bulk action accepts the valid records and names each invalid one."""
    login(client, ACCOUNTING_APPROVER, "approver")
    good = SubcontractorInvoiceFactory(invoice_number="INV-GOOD")
    bad = SubcontractorInvoiceFactory(invoice_number="INV-NODATE", billing_date=None)
    response = client.post(reverse(CHANGELIST), {"action": "accept_selected", "_selected_action": [good.pk, bad.pk]}, follow=True)
    text = response.content.decode()
    assert "1 accepted" in text
    assert "INV-NODATE" in text and "billing date is missing" in text
    assert SubcontractorInvoice.objects.get(pk=good.pk).erp_status == ErpStatus.EXPORTING
    assert SubcontractorInvoice.objects.get(pk=bad.pk).erp_status == ErpStatus.READY_TO_EXPORT


def test_bulk_reject_asks_for_a_reason_first(client):
    """SYNC-3: bulk reject goes through a page that asks for the reason."""
    login(client, ACCOUNTING_APPROVER, "approver")
    invoice = SubcontractorInvoiceFactory()
    page = client.post(reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [invoice.pk]})
    assert page.status_code == 200 and b'name="reason"' in page.content
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.READY_TO_EXPORT
    client.post(reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [invoice.pk], "confirm_reject": "yes", "reason": "Duplicate of INV-0001"})
    invoice.refresh_from_db()
    assert (invoice.erp_status, invoice.erp_message) == (ErpStatus.REJECTED, "Duplicate of INV-0001")


def test_record_page_shows_checks_and_history(client):
    """SYNC-1, SYNC-5: the record's page shows why it fails and its audit history."""
    user = login(client, ACCOUNTING_APPROVER, "approver")
    invoice = SubcontractorInvoiceFactory(payment_date=None)
    from integration.services import queue

    queue.record_retrieve(record=invoice, actor=user)
    page = client.get(reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])).content.decode()
    assert "payment date is missing" in page
    assert "retrieve" in page and "approver" in page


def _changelist_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewname", [CHANGELIST, "admin:integration_commitment_changelist", "admin:integration_vendor_changelist"])
def test_changelist_queries_do_not_grow_with_rows(client, viewname, django_assert_num_queries):
    """PERF-3: a changelist runs the same number of queries with 10 and with 500 records."""
    login(client, ACCOUNTING_APPROVER, "approver")
    link = LinkFactory()
    SubcontractorInvoiceFactory.create_batch(10, link=link)
    baseline = _changelist_queries(client, reverse(viewname))
    SubcontractorInvoiceFactory.create_batch(490, link=link)
    with django_assert_num_queries(baseline):
        client.get(reverse(viewname))
