"""The export checks hold when the export claims a record, not only when it was accepted (SYNC-5): a link
setting, a tax code mapping or the organisation's tax rates in Xero (BOOK-3) may change in between, and a
record that fails its checks then is left failed with the reason, with nothing of it sent to Xero."""

from decimal import Decimal

import pytest

from integration.admin.preview import checks_for
from integration.models import ErpStatus, TaxCode, TaxCodeMapping
from integration.services.connections import xero_client_for
from integration.services.export import export_link
from tests.factories import CommitmentLineFactory, InvoiceLineFactory

pytestmark = pytest.mark.django_db


def _bills(sandboxes, number):
    return [d for d in sandboxes.xero.books().invoices.values() if d.get("InvoiceNumber") == number]


def test_a_setting_changed_after_acceptance_fails_the_record_at_claim(world, sandboxes):
    """SYNC-5, CMT-2, BOOK-2: a commitment and a bill withholding retainage are accepted; then commitment
    sync is turned off and the link's retentions account cleared. The export run leaves both failed with
    the reason and Xero holds neither; a bill the change does not touch is exported in the same run."""
    world.link.commitment_sync = True
    world.link.save()
    commitment = world.commitment(erp_status=ErpStatus.EXPORTING, xero_id="", number="SC-900")
    held = world.invoice(invoice_number="RET-1", retainage_this_period=Decimal("50.00"), total=Decimal("950.00"))
    plain = world.invoice(invoice_number="PLAIN-1")
    world.link.commitment_sync = False
    world.link.retainage_account_code = ""
    world.link.save()

    export_link(link_id=world.link.pk)

    for record in (commitment, held, plain):
        record.refresh_from_db()
    assert commitment.erp_status == ErpStatus.FAILED and not commitment.xero_id
    assert "Commitment sync is off for this link" in commitment.erp_message
    assert held.erp_status == ErpStatus.FAILED and not held.xero_id
    assert "the link has no retainage_account_code" in held.erp_message
    assert not _bills(sandboxes, "RET-1") and not sandboxes.xero.books().purchase_orders
    assert plain.erp_status == ErpStatus.SYNCED and len(_bills(sandboxes, "PLAIN-1")) == 1


def test_a_tax_rate_deleted_in_xero_refuses_the_documents_mapped_to_it(world, sandboxes):
    """BOOK-3, SYNC-5: the accountant adds a 5 % levy rate in Xero (TAX001) and the tax code LEVY is
    mapped to it; a bill on a LEVY line is booked with it. Then the accountant deletes the rate in Xero:
    Xero itself now refuses a line with TAX001, and the next bill on a LEVY line is refused by the export
    run before anything is sent, with the reason; the approver's preview shows the failed check."""
    client = xero_client_for(world.link)
    [created] = client.write("TaxRates", [{"Name": "Construction levy", "ReportTaxType": "INPUT",
                                           "TaxComponents": [{"Name": "Levy", "Rate": Decimal("5")}]}],
                             method="PUT", idempotency_key="test-levy-rate")
    levy_type = created.document["TaxType"]
    assert levy_type == "TAX001"
    levy = TaxCode.objects.create(link=world.link, procore_id=950, code="LEVY")
    TaxCodeMapping.objects.create(link=world.link, tax_code=levy, xero_tax_type=levy_type)
    commitment = world.commitment(erp_status=ErpStatus.NOT_SENT)
    sov = CommitmentLineFactory(commitment=commitment, cost_item=world.items[1], amount=Decimal("5000.00"),
                                procore_tax_code_id=950, position=2)

    def levy_bill(number):
        invoice = world.invoice(commitment, invoice_number=number)
        InvoiceLineFactory(invoice=invoice, cost_item=world.items[1], commitment_line=sov, amount=Decimal("200.00"),
                           position=2)
        invoice.total = Decimal("1200.00")
        invoice.save()
        return invoice

    first = levy_bill("LEVY-1")
    export_link(link_id=world.link.pk)
    first.refresh_from_db()
    assert first.erp_status == ErpStatus.SYNCED, first.erp_message
    booked = [(line["TaxType"], line["TaxAmount"]) for line in client.get_invoice(first.xero_id)["LineItems"]]
    assert (levy_type, Decimal("10.00")) in booked

    [deleted] = client.write("TaxRates", [{"TaxType": levy_type, "Status": "DELETED"}], method="POST",
                             idempotency_key="test-levy-delete")
    assert deleted.document["Status"] == "ARCHIVED"  # a bill carries it: Xero keeps it, archived
    world.vendors[0].refresh_from_db()
    [refused] = client.write("Invoices", [{"Type": "ACCPAY", "Contact": {"ContactID": world.vendors[0].xero_id},
                                           "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10,
                                                          "AccountCode": "310", "TaxType": levy_type}]}],
                             method="PUT", idempotency_key="test-levy-refused")
    assert not refused.ok and f"TaxType '{levy_type}' is not a valid tax type" in "; ".join(refused.errors)

    second = levy_bill("LEVY-2")
    export_link(link_id=world.link.pk)

    second.refresh_from_db()
    assert second.erp_status == ErpStatus.FAILED and not second.xero_id
    assert f"TaxType {levy_type}, which is no longer an active tax rate" in second.erp_message
    assert not _bills(sandboxes, "LEVY-2")
    world.link.refresh_from_db()
    assert levy_type not in world.link.xero_tax_types and "INPUT2" in world.link.xero_tax_types
    second.link = world.link
    [check] = [c for c in checks_for(second) if c.rule == "BOOK-3"]
    assert not check.passed and levy_type in check.messages[0]
