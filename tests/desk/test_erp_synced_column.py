"""SYNC-6: the "ERP synced" column on every exportable list and page."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integration.models import ErpStatus
from tests.factories import (
    ChangeOrderFactory,
    CommitmentFactory,
    CostItemFactory,
    OwnerInvoiceFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:integration_subcontractorinvoice_changelist"


def row_of(html: str, text: str) -> str:
    """The changelist row that mentions `text`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if text in row:
            return row
    raise AssertionError(f"no row mentions {text!r}")


def test_synced_record_shows_a_green_tick_and_both_links(client, approver, settings):
    """SYNC-6: a record in both systems has a green tick, no refresh, and opens in Procore and in Xero."""
    settings.PROCORE_WEB_URL = "https://app.procore.example"
    settings.XERO_WEB_URL = "https://go.xero.example"
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(invoice_number="INV-SYNCED", erp_status=ErpStatus.SYNCED, xero_id="a1b2c3d4-0000-0000-0000-000000000001")
    row = row_of(client.get(reverse(CHANGELIST) + "?tab=all").content.decode(), "INV-SYNCED")
    assert "erp-synced-yes" in row and "✔" in row and "In Procore and in Xero" in row
    assert "erp-refresh" not in row
    assert "https://go.xero.example/AccountsPayable/View.aspx?InvoiceID=a1b2c3d4-0000-0000-0000-000000000001" in row
    assert (f"https://app.procore.example/{invoice.project.procore_id}/project/commitments/"
            f"{invoice.commitment.procore_id}/invoices/{invoice.procore_id}") in row


def test_failed_record_shows_a_red_cross_with_the_reason_and_a_refresh(client, approver):
    """SYNC-6: a failed record has a red cross whose hover text is Xero's message, and a refresh button."""
    client.force_login(approver)
    SubcontractorInvoiceFactory(invoice_number="INV-FAILED", erp_status=ErpStatus.FAILED, erp_message="Account code '310' is not a valid code")
    row = row_of(client.get(reverse(CHANGELIST) + "?tab=all").content.decode(), "INV-FAILED")
    assert "erp-synced-no" in row and "✘" in row
    assert 'title="Export failed: Account code &#x27;310&#x27; is not a valid code"' in row
    assert 'value="accept"' in row and "erp-refresh" in row
    assert "erp-open-xero" not in row  # no Xero document yet


@pytest.mark.parametrize("status, reason", [
    (ErpStatus.NOT_SENT, "Not sent to Xero: in Procore only."),
    (ErpStatus.READY_TO_EXPORT, "Waiting for an approver"),
    (ErpStatus.REJECTED, "Rejected by the approver: Wrong period"),
    (ErpStatus.EXPORTING, "the export to Xero is under way"),
    (ErpStatus.UNLINKED, "Unlinked"),
])
def test_each_unsynced_state_says_why(client, approver, status, reason):
    """SYNC-6: the red cross's hover text says why the record is not synced."""
    client.force_login(approver)
    SubcontractorInvoiceFactory(invoice_number="INV-X", erp_status=status, erp_message="Wrong period")
    row = row_of(client.get(reverse(CHANGELIST) + "?tab=all").content.decode(), "INV-X")
    assert "erp-synced-no" in row and reason.replace("'", "&#x27;") in row


def test_refresh_re_pushes_a_failed_record_and_returns_to_the_filtered_list(client, approver):
    """SYNC-6: the refresh button re-pushes a failed export and brings the approver back to the list."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.FAILED, erp_message="Xero was down")
    url = reverse("admin:integration_subcontractorinvoice_erp_action", args=[invoice.pk])
    back = reverse(CHANGELIST) + "?erp_status__exact=failed&age=today"
    response = client.post(f"{url}?next={back.replace('&', '%26').replace('?', '%3F')}", {"_erp_action": "accept"})
    assert response.status_code == 302 and response.url == back
    invoice.refresh_from_db()
    assert invoice.erp_status == ErpStatus.EXPORTING


def test_refresh_and_lock_are_refused_to_a_pm_and_change_nothing(client, pm):
    """SYNC-3, SYNC-6: the pm is offered no re-push of a failed record, and a crafted POST is refused."""
    client.force_login(pm)
    failed = SubcontractorInvoiceFactory(invoice_number="INV-F", erp_status=ErpStatus.FAILED)
    synced = SubcontractorInvoiceFactory(invoice_number="INV-S", erp_status=ErpStatus.SYNCED, xero_id="x" * 36)
    html = client.get(reverse(CHANGELIST) + "?tab=all").content.decode()
    assert "erp-refresh" not in row_of(html, "INV-F") and "erp-lock" not in row_of(html, "INV-S")
    response = client.post(reverse("admin:integration_subcontractorinvoice_erp_action", args=[failed.pk]), {"_erp_action": "accept"})
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("not allowed to accept" in t for t in texts)
    response = client.post(reverse("admin:integration_subcontractorinvoice_erp_action", args=[synced.pk]), {"_erp_action": "lock"})
    assert any("not allowed to lock" in str(m) for m in get_messages(response.wsgi_request))
    failed.refresh_from_db()
    synced.refresh_from_db()
    assert failed.erp_status == ErpStatus.FAILED and synced.locked is False


def test_erp_admin_sees_lock_or_unlock_by_state(client, erp_admin):
    """SYNC-6: lock on an unlocked synced record, unlock on a locked one, neither when not synced."""
    client.force_login(erp_admin)
    SubcontractorInvoiceFactory(invoice_number="INV-UNLOCKED", erp_status=ErpStatus.SYNCED, xero_id="u" * 36)
    SubcontractorInvoiceFactory(invoice_number="INV-LOCKED", erp_status=ErpStatus.SYNCED, xero_id="l" * 36, locked=True)
    SubcontractorInvoiceFactory(invoice_number="INV-QUEUED")
    html = client.get(reverse(CHANGELIST) + "?tab=all").content.decode()
    assert 'value="lock"' in row_of(html, "INV-UNLOCKED")
    assert 'value="unlock"' in row_of(html, "INV-LOCKED")
    assert "erp-lock" not in row_of(html, "INV-QUEUED")


def test_lock_refused_by_procore_shows_the_reason_and_changes_nothing(client, erp_admin, monkeypatch):
    """SYNC-6, REL-6: when Procore refuses the lock the admin reads why; the record stays unlocked."""
    import sys
    import types

    def refuse(*, record, origin_id):
        raise RuntimeError("Procore answered 403: the commitment is locked by another integration")

    fake = types.ModuleType("integration.services.writeback")
    fake.set_procore_origin = refuse
    monkeypatch.setitem(sys.modules, "integration.services.writeback", fake)
    client.force_login(erp_admin)
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.SYNCED, xero_id="y" * 36)
    response = client.post(reverse("admin:integration_subcontractorinvoice_erp_action", args=[invoice.pk]), {"_erp_action": "lock"}, follow=True)
    assert "lock failed, nothing was changed: Procore answered 403" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.locked is False


def test_the_column_is_on_every_exportable_list_and_page(client, approver):
    """SYNC-6: every exportable type's list and record page has the column, with its Xero deep link."""
    client.force_login(approver)
    guid = "0" * 8 + "-1111-2222-3333-" + "4" * 12
    records = {
        "project": (ProjectFactory(xero_id=guid), None),
        "vendor": (VendorFactory(xero_id=guid), f"/Contacts/View/{guid}"),
        "costitem": (CostItemFactory(xero_id=guid), f"/Accounts/Inventory/{guid}"),
        "commitment": (CommitmentFactory(xero_id=guid, erp_status=ErpStatus.SYNCED), f"/Accounts/Payable/PurchaseOrders/View/{guid}"),
        "changeorder": (ChangeOrderFactory(), "/Accounts/Payable/PurchaseOrders/View/"),
        "subcontractorinvoice": (SubcontractorInvoiceFactory(xero_id=guid, erp_status=ErpStatus.SYNCED), f"/AccountsPayable/View.aspx?InvoiceID={guid}"),
        "ownerinvoice": (OwnerInvoiceFactory(xero_id=guid, erp_status=ErpStatus.SYNCED), f"/AccountsReceivable/View.aspx?InvoiceID={guid}"),
    }
    for model, (record, xero_path) in records.items():
        listing = client.get(reverse(f"admin:integration_{model}_changelist") + "?tab=all").content.decode()
        page = client.get(reverse(f"admin:integration_{model}_change", args=[record.pk])).content.decode()
        for html in (listing, page):
            assert "ERP synced" in html and "erp-synced-" in html, model
            if xero_path:
                assert xero_path in html, model
