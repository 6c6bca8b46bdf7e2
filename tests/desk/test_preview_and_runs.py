"""SYNC-10: the preview of the Xero document on a queued record's page; RPT-4: sync run pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from integration.models import SyncRun
from tests.factories import InvoiceLineFactory, SubcontractorInvoiceFactory, VendorFactory

pytestmark = pytest.mark.django_db


def page(client, record):
    return client.get(reverse(f"admin:integration_{record._meta.model_name}_change", args=[record.pk])).content.decode()


def test_preview_shows_the_bill_it_will_become(client, approver):
    """SYNC-10: contact, dates, reference, each line with Item, account, tracking, tax and amount, the retainage line."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(lines=0, retainage_this_period=Decimal("150.00"),
                                          billing_date=datetime.date(2026, 10, 31), payment_date=datetime.date(2026, 11, 30))
    InvoiceLineFactory(invoice=invoice, description="Foundations", amount=Decimal("1000.00"))
    InvoiceLineFactory(invoice=invoice, description="Slab", amount=Decimal("500.00"))
    html = page(client, invoice)
    assert "Bill (ACCPAY) it becomes in Xero" in html
    assert f"{invoice.vendor.name} (ContactID {invoice.vendor.xero_id})" in html
    assert "<th>Date</th><td>2026-10-31</td>" in html and "<th>Due date</th><td>2026-11-30</td>" in html
    assert f"<th>Invoice number</th><td>{invoice.commitment.number}</td>" in html  # commitment sync on: the PO number
    for line in invoice.lines.all():
        assert line.cost_item.item_code in html
    assert f"Project: {invoice.project.project_number} {invoice.project.name}" in html
    # BOOK-2: coded lines post to their Item's account, the retainage to the Retentions Payable account
    assert "The account&#x27;s default tax rate" in html and "The Item&#x27;s account in Xero" in html and ">815<" in html
    assert 'class="retainage-line"' in html and "-150.00" in html
    assert ">1350.00<" in html  # 1000 + 500 - 150
    assert html.count('class="check-passed"') == 12 and 'class="check-failed"' not in html


def test_preview_of_a_negative_invoice_is_the_credit_note_it_becomes(client, approver):
    """SYNC-10, CRED-1, INV-3: a −1,850.00 invoice previews as a supplier credit note of 1,850.00 with its
    number, its line on the same Item, and the INV-3 check passed; with negative_invoices = refuse, that
    check fails with the reason."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(lines=0, invoice_number="TOTARA-0025", billing_date=datetime.date(2026, 10, 29))
    invoice.link.commitment_sync = False
    invoice.link.save()
    InvoiceLineFactory(invoice=invoice, description="Returned framing timber", amount=Decimal("-1850.00"))
    html = page(client, invoice)
    assert "Supplier credit note (ACCPAYCREDIT) it becomes in Xero" in html and 'id="credit-note-note"' in html
    assert "<th>Type</th><td>ACCPAYCREDIT</td>" in html and "<th>Credit note number</th><td>TOTARA-0025</td>" in html
    preview = html.split('id="xero-preview"')[1].split("</table>\n    {% endif %}")[0].split("<details>")[0]
    assert ">1850.00<" in preview and "-1850.00" not in preview  # a credit note's amounts are positive in Xero
    assert invoice.lines.get().cost_item.item_code in html
    assert 'class="check-failed"' not in html
    # Once exported, its page says what became of the credit (CRED-1).
    type(invoice).objects.filter(pk=invoice.pk).update(
        xero_credit_note=True, credit_allocation="Supplier credit note of 1850.00: 1850.00 left as open credit.")
    html = page(client, invoice)
    assert html.count("Supplier credit note of 1850.00: 1850.00 left as open credit.") >= 2  # its field and the preview
    invoice.link.negative_invoices = "refuse"
    invoice.link.save()
    html = page(client, invoice)
    assert "✘ failed: The invoice total is negative (-1850.00)" in html


def test_preview_lists_the_failed_checks_and_why_no_document(client, approver):
    """SYNC-10, SYNC-5: a record that fails its rules shows which checks failed; without a vendor no document can be built."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(billing_date=None, vendor=None)
    html = page(client, invoice)
    assert 'class="check-failed"' in html
    assert "✘ failed: The billing date is missing." in html
    assert "✘ failed: There is no contract company." in html
    assert "The document cannot be built yet" in html


def test_preview_of_a_vendor_is_the_contact(client, approver):
    """SYNC-10: every exportable type has its preview: a company becomes a contact."""
    client.force_login(approver)
    vendor = VendorFactory(name="Harbour Scaffolding", business_phone="+64 9 555 0199")
    html = page(client, vendor)
    assert "Contact it becomes in Xero" in html and "Harbour Scaffolding" in html and "+64 9 555 0199" in html


def test_running_sync_run_refreshes_itself(client, approver):
    """RPT-4: while a run runs its page shows the progress and refreshes by itself."""
    client.force_login(approver)
    run = SyncRun.objects.create(kind=SyncRun.Kind.EXPORT, progress_total=40, progress_done=10)
    html = page(client, run)
    assert '<meta http-equiv="refresh" content="5"' in html
    assert "10 of 40 done (25%)" in html
    listing = client.get(reverse("admin:integration_syncrun_changelist")).content.decode()
    assert "10/40 (25%)" in listing


def test_finished_sync_run_shows_counts_and_errors_linked_to_records(client, approver):
    """RPT-4: a finished run shows its counts and each error, linked to its record; no more refreshing."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(invoice_number="INV-0042")
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.EXPORT, status=SyncRun.Status.PARTIAL, progress_total=3, progress_done=3,
        counts={"read": 3, "created": 2, "updated": 0, "skipped": 0, "failed": 1},
        errors=[{"model": "subcontractorinvoice", "id": invoice.pk, "label": "INV-0042", "message": "Account code '310' is not valid"},
                {"model": "nosuchmodel", "id": 5, "label": "Ghost", "message": "gone"}],
    )
    html = page(client, run)
    assert "http-equiv=\"refresh\"" not in html
    assert "Finished with errors" in html
    assert "<title>Error:" not in html  # the run's errors are not the admin form's errors
    assert "<td>3</td><td>2</td><td>0</td><td>0</td><td>1</td>" in html
    assert "Read 3: 2 created, 1 failed." in html
    url = reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])
    assert f'<a href="{url}">INV-0042</a>' in html
    assert "Account code &#x27;310&#x27; is not valid" in html
    assert "Ghost" in html  # an error whose record cannot be found is still listed, without a link
    listing = client.get(reverse("admin:integration_syncrun_changelist")).content.decode()
    assert "Read 3: 2 created, 1 failed." in listing and "{" not in listing.split("result_list")[1].split("</table>")[0]
