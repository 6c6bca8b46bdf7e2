"""A link whose records are exported to the Xero sandbox, ready to be edited in Xero as an accountant would."""

from decimal import Decimal

import pytest

from integration.models import ErpStatus, SyncRun
from integration.services.connections import xero_client_for
from integration.services.export import export_link
from tests.export.conftest import World


class Accountant:
    """Edits documents in Xero through its API, as an accountant in Xero's web app would."""

    def __init__(self, link):
        self.client = xero_client_for(link)
        self.n = 0

    def _key(self):
        self.n += 1
        return f"accountant-{self.n}"

    def void_bill(self, invoice_id):
        [result] = self.client.update_invoices([{"InvoiceID": invoice_id, "Status": "VOIDED"}], idempotency_key=self._key())
        assert result.ok, result.errors

    def set_line_amount(self, invoice_id, position, amount, account=None):
        bill = self.client.get_invoice(invoice_id)
        lines = []
        for index, line in enumerate(bill["LineItems"], start=1):
            kept = {k: line[k] for k in ("LineItemID", "Description", "Quantity", "UnitAmount", "ItemCode", "AccountCode") if k in line}
            kept["Tracking"] = [{"Name": t["Name"], "Option": t["Option"]} for t in line.get("Tracking", [])]
            if index == position:
                kept["UnitAmount"] = Decimal(amount)
                if account:
                    kept["AccountCode"] = account
            lines.append(kept)
        [result] = self.client.update_invoices([{"InvoiceID": invoice_id, "LineItems": lines}], idempotency_key=self._key())
        assert result.ok, result.errors

    def delete_purchase_order(self, order_id):
        [result] = self.client.update_purchase_orders([{"PurchaseOrderID": order_id, "Status": "DELETED"}], idempotency_key=self._key())
        assert result.ok, result.errors

    def pay(self, invoice_id, amount, *, day="2026-12-01"):
        [result] = self.client.create_payments([{"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"},
                                                 "Date": day, "Amount": Decimal(amount)}], idempotency_key=self._key())
        assert result.ok, result.errors
        return result.id

    def rename_contact(self, contact_id, name):
        [result] = self.client.update_contacts([{"ContactID": contact_id, "Name": name}], idempotency_key=self._key())
        assert result.ok, result.errors


def export(link):
    run = export_link(link_id=link.pk)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors)
    return run


@pytest.fixture
def world(link, sandboxes):
    link.commitment_sync = False
    link.save()
    return World(link, sandboxes.procore)


@pytest.fixture
def exported(world):
    """Bills R-1 (1,000) and R-2 (500) synced to Xero, as in the issue."""
    r1 = world.invoice(invoice_number="R-1", amount="1000.00")
    r2 = world.invoice(invoice_number="R-2", amount="500.00")
    export(world.link)
    for record in (r1, r2):
        record.refresh_from_db()
        assert record.erp_status == ErpStatus.SYNCED
    return world, r1, r2


@pytest.fixture
def accountant(link, sandboxes):
    return Accountant(link)
