"""Every document in its own currency (BOOK-7): CurrencyCode from Procore's currency_configuration,
and a currency the Xero organisation has not enabled refused before the export."""

from decimal import Decimal

import pytest

from integration.admin.preview import checks_for
from integration.models import ErpStatus, SyncRun
from integration.services.connections import xero_client_for
from integration.services.export import export_link

pytestmark = pytest.mark.django_db


def _xero_invoices(sandboxes):
    return list(sandboxes.xero.books().invoices.values())


def test_an_invoice_in_a_currency_the_organisation_lacks_is_refused_before_export(world, sandboxes):
    """BOOK-7: a subcontract in euros, which the New Zealand organisation has not enabled (it has NZD,
    AUD, USD): the bill is refused before anything is sent, with the reason, and nothing reaches Xero;
    once the organisation's currencies are read, the approver's preview shows the failed check."""
    commitment = world.commitment(erp_status=ErpStatus.NOT_SENT, currency="EUR")
    invoice = world.invoice(commitment, currency="EUR", invoice_number="EU-1")

    run = export_link(link_id=world.link.pk)

    assert run.status in (SyncRun.Status.PARTIAL, SyncRun.Status.FAILED, SyncRun.Status.SUCCEEDED), run.message
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.FAILED and not invoice.xero_id
    assert "in EUR, a currency the Xero organisation has not enabled" in invoice.erp_message
    assert "NZD, AUD, USD" in invoice.erp_message
    assert not [d for d in _xero_invoices(sandboxes) if d.get("InvoiceNumber") == "EU-1"]
    world.link.refresh_from_db()
    assert (world.link.xero_base_currency, world.link.xero_currencies) == ("NZD", ["NZD", "AUD", "USD"])
    invoice.link = world.link
    [check] = [c for c in checks_for(invoice) if c.rule == "BOOK-7"]
    assert not check.passed and "EUR" in check.messages[0]


def test_documents_in_an_enabled_foreign_currency_reach_xero_in_it(world):
    """BOOK-7, CMT-1, INV-1: a subcontract in Australian dollars (enabled in the organisation) goes as an
    AUD purchase order, and its invoice as an AUD bill, amounts as Procore has them."""
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="", currency="AUD")
    invoice = world.invoice(commitment, amount="1200.00", currency="AUD", invoice_number="AU-1")

    export_link(link_id=world.link.pk)

    commitment.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.SYNCED, invoice.erp_message
    client = xero_client_for(world.link)
    bill = client.get_invoice(invoice.xero_id)
    assert (bill["CurrencyCode"], bill["SubTotal"]) == ("AUD", Decimal("1200.00"))
    assert bill["CurrencyRate"] != Decimal("1")  # a foreign document, at the organisation's rate
    assert client.get_purchase_order(commitment.xero_id)["CurrencyCode"] == "AUD"


def test_an_invoice_with_no_currency_of_its_own_takes_its_commitments(world):
    """BOOK-7: a requisition is in its commitment's currency when Procore sent none on it."""
    commitment = world.commitment(erp_status=ErpStatus.NOT_SENT, currency="USD")
    invoice = world.invoice(commitment, currency="", invoice_number="US-1")

    export_link(link_id=world.link.pk)

    invoice.refresh_from_db()
    assert xero_client_for(world.link).get_invoice(invoice.xero_id)["CurrencyCode"] == "USD"


def test_saving_the_link_settings_reads_the_currencies_so_the_preview_is_right_before_any_export(world):
    """BOOK-7, BOOK-3: the link's currencies and tax rates are unknown until Xero is asked; saving the
    link's settings page reads them (GET /Currencies, GET /TaxRates) and says what it read, so a euro
    invoice's preview shows the failed currency check before the link has ever exported."""
    from django.forms.models import model_to_dict
    from django.test import Client
    from django.urls import reverse

    from integration.roles import ERP_ADMIN
    from tests.factories import UserFactory

    invoice = world.invoice(world.commitment(erp_status=ErpStatus.NOT_SENT, currency="EUR"), currency="EUR",
                            erp_status=ErpStatus.READY_TO_EXPORT)
    assert world.link.xero_currencies == [] and not [c for c in checks_for(invoice) if not c.passed and c.rule == "BOOK-7"]
    client = Client()
    client.force_login(UserFactory(username="erpadmin-cur", role=ERP_ADMIN))
    data = {k: v for k, v in model_to_dict(world.link).items() if v is not None and not isinstance(v, (list, dict))}
    page = client.post(reverse("admin:integration_companylink_change", args=[world.link.pk]), data, follow=True)

    assert page.status_code == 200
    assert "Read from Xero: enabled currencies NZD, AUD, USD; active tax rates" in page.content.decode()
    world.link.refresh_from_db()
    assert world.link.xero_currencies == ["NZD", "AUD", "USD"] and "INPUT2" in world.link.xero_tax_types
    assert SyncRun.objects.filter(link=world.link, kind=SyncRun.Kind.EXPORT).count() == 0
    invoice.refresh_from_db()
    [check] = [c for c in checks_for(invoice) if c.rule == "BOOK-7"]
    assert not check.passed and "in EUR, a currency the Xero organisation has not enabled" in check.messages[0]
