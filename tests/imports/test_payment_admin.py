"""PAY-3, PAY-4: on an imported payment's page, only the payment number and attachments change, and a
payment deleted in Xero is resolved by an admin."""

import pytest
from django.urls import reverse

from integration.models import Payment
from integration.roles import ERP_ADMIN
from integration.services.imports import import_payments
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_payment_number_goes_through_procore_and_a_bad_one_changes_nothing(world, client):
    """PAY-4: the number is saved in Procore and here; letters are refused with a message, nothing saved."""
    _, bill = world.exported_bill(amount="1000.00")
    world.pay(bill["InvoiceID"], "1000.00")
    import_payments(link=world.link)
    payment = Payment.objects.get(link=world.link)
    client.force_login(UserFactory(username="erp-admin", role=ERP_ADMIN))
    page = reverse("admin:integration_payment_change", args=[payment.pk])
    response = client.post(page, {"_payment_action": "number", "payment_number": "12A"}, follow=True)
    assert "Not saved" in response.content.decode()
    payment.refresh_from_db()
    assert payment.payment_number == ""
    response = client.post(page, {"_payment_action": "number", "payment_number": "1207"}, follow=True)
    assert "saved here and in Procore" in response.content.decode()
    payment.refresh_from_db()
    assert payment.payment_number == "1207"
    [shown] = world.procore_records("contract_payment")
    assert str(shown["payment_number"]) == "1207"


def test_a_payment_deleted_in_xero_is_resolved_by_an_admin(world, client):
    """PAY-3: the deleted payment is listed until an admin marks it resolved; a live one cannot be."""
    _, bill = world.exported_bill(amount="400.00")
    payment = world.pay(bill["InvoiceID"], "400.00")
    import_payments(link=world.link)
    row = Payment.objects.get(link=world.link)
    client.force_login(UserFactory(username="erp-admin2", role=ERP_ADMIN))
    page = reverse("admin:integration_payment_change", args=[row.pk])
    assert "Not saved" in client.post(page, {"_payment_action": "resolve"}, follow=True).content.decode()
    world.xero.delete_payment(payment["PaymentID"], idempotency_key="delete-400")
    world.later()
    import_payments(link=world.link)
    assert b"Mark resolved" in client.get(page).content
    client.post(page, {"_payment_action": "resolve", "note": "Removed in Procore by support"})
    row.refresh_from_db()
    assert row.resolved_at is not None and row.status == "voided"
