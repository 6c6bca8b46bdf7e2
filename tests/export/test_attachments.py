"""An invoice's backup travels with it (issue 14, ATT-1): files attached to the invoice in the Procore
sandbox are pulled with it, and after the export they are on its Xero bill, read back from Xero."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integration.models import ErpStatus, OwnerInvoice, SubcontractorInvoice, SyncRun
from integration.models.attachments import InvoiceFile
from integration.services.connections import xero_client_for
from tests.export.test_export import run_export
from tests.export.test_retention import commitment_with_a_line, invoice_in_procore, pulled_accepted_exported
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAY_APP = b"%PDF-1.4 pay application 7\n" + b"x" * 2000
WAIVER = b"%PDF-1.4 conditional lien waiver\n" + b"y" * 1500


def invoice_with_files(world, *files):
    """An approved invoice in Procore with the files its subcontractor uploaded."""
    run_export(world.link)
    commitment, line_id = commitment_with_a_line(world)
    data = invoice_in_procore(world, commitment, "KC-A1", {"line_item_id": line_id, "work_completed_this_period": "8000.00",
                                                           "work_completed_retainage_retained_this_period": "800.00"})
    for name, content in files:
        world.procore.attach_file("requisition", data["id"], name, content)
    return data


def files_in_xero(world, record):
    client = xero_client_for(world.link)
    return {a["FileName"]: a for a in client.list_attachments("Invoices", record.xero_id)}


def test_two_pdfs_are_on_the_bill_once_even_after_a_retried_export(world, sandboxes):
    """ATT-1: both PDFs are on the Xero bill, byte for byte and not shown online; a retried export (the
    invoice re-pushed after the attach's answer was lost) leaves exactly those two files."""
    data = invoice_with_files(world, ("Pay application 7.pdf", PAY_APP), ("Lien waiver.pdf", WAIVER))
    invoice, bill = pulled_accepted_exported(world, SubcontractorInvoice, data["id"], ("subcontractor_invoices",))
    held = files_in_xero(world, invoice)
    assert sorted(held) == ["Lien waiver.pdf", "Pay application 7.pdf"]
    assert {a["IncludeOnline"] for a in held.values()} == {False}
    assert held["Pay application 7.pdf"]["ContentLength"] == len(PAY_APP)
    assert sandboxes.xero.books().files.content[held["Lien waiver.pdf"]["AttachmentID"]] == WAIVER
    assert set(invoice.files.values_list("status", flat=True)) == {InvoiceFile.Status.ATTACHED}

    # The answer of the first attach was lost (the files still wait) and the invoice is pushed again.
    invoice.files.update(status=InvoiceFile.Status.PENDING, xero_attachment_id="", attached_at=None)
    SubcontractorInvoice.objects.filter(pk=invoice.pk).update(erp_status=ErpStatus.EXPORTING)
    run_export(world.link)
    run_export(world.link)
    held_after = files_in_xero(world, invoice)
    assert len(xero_client_for(world.link).list_attachments("Invoices", invoice.xero_id)) == 2
    assert {n: a["AttachmentID"] for n, a in held_after.items()} == {n: a["AttachmentID"] for n, a in held.items()}
    assert set(invoice.files.values_list("status", flat=True)) == {InvoiceFile.Status.ATTACHED}


def test_an_oversized_file_is_listed_on_the_record_and_does_not_fail_the_export(world, client):
    """ATT-1: a scan of 10 MB and one byte breaks Xero's per-file limit: the bill is exported with the
    other file, and the record's page lists the big one with the reason."""
    big = b"%PDF-1.4 scan" + b"z" * (10 * 1024 * 1024 + 1 - 13)
    data = invoice_with_files(world, ("Site photos scan.pdf", big), ("Lien waiver.pdf", WAIVER))
    invoice, _bill = pulled_accepted_exported(world, SubcontractorInvoice, data["id"], ("subcontractor_invoices",))
    assert sorted(files_in_xero(world, invoice)) == ["Lien waiver.pdf"]
    scan = invoice.files.get(filename="Site photos scan.pdf")
    assert scan.status == InvoiceFile.Status.REFUSED and "at most 10 MB" in scan.reason
    assert SyncRun.objects.filter(link=world.link, kind=SyncRun.Kind.EXPORT).latest("pk").status == SyncRun.Status.SUCCEEDED

    client.force_login(UserFactory(username="approver-att", role="Accounting Approver"))
    page = client.get(reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])).content.decode()
    assert "Site photos scan.pdf" in page and "at most 10 MB" in page


def test_a_file_type_xero_does_not_take_is_refused_with_the_reason(world):
    """ATT-1: an .exe is not one of Xero's file types: it is listed with the reason, the PDF is attached."""
    data = invoice_with_files(world, ("setup.exe", b"MZ binary"), ("Lien waiver.pdf", WAIVER))
    invoice, _bill = pulled_accepted_exported(world, SubcontractorInvoice, data["id"], ("subcontractor_invoices",))
    assert sorted(files_in_xero(world, invoice)) == ["Lien waiver.pdf"]
    exe = invoice.files.get(filename="setup.exe")
    assert exe.status == InvoiceFile.Status.REFUSED and "Xero takes only these types" in exe.reason


def test_export_attachments_off_attaches_nothing(world):
    """ATT-1: with the link's export_attachments off, the bill is exported without its files."""
    world.link.export_attachments = False
    world.link.save()
    data = invoice_with_files(world, ("Pay application 7.pdf", PAY_APP))
    invoice, bill = pulled_accepted_exported(world, SubcontractorInvoice, data["id"], ("subcontractor_invoices",))
    assert files_in_xero(world, invoice) == {} and bill["HasAttachments"] is False
    assert list(invoice.files.values_list("status", flat=True)) == [InvoiceFile.Status.PENDING]


def test_an_owner_invoices_backup_is_on_its_sales_invoice(world):
    """ATT-1, INV-5: a payment application's file is attached to its Xero sales invoice."""
    run_export(world.link)
    procore, pid = world.procore, world.project.procore_id
    code = procore.create_record("project_cost_code", {"project_id": pid, "code": "03-300", "name": "Concrete"})
    labor = procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
    prime = procore.create_record("prime_contract", {"project_id": pid, "title": "Main contract", "number": "PC-3",
                                                     "status": "Approved", "vendor_id": world.vendors[2].procore_id})
    app = procore.create_record("payment_application", {
        "project_id": pid, "prime_contract_id": prime["id"], "invoice_number": "HV-PC-03", "status": "approved",
        "billing_date": "2026-10-31", "period_start": "2026-10-01", "period_end": "2026-10-31",
        "line_items": [{"description_of_work": "Slab", "cost_code_id": code["id"], "line_item_type_id": labor["id"],
                        "scheduled_value": "50000.00", "work_completed_this_period": "10000.00"}]})
    procore.attach_file("payment_application", app["id"], "Progress claim 3.pdf", PAY_APP)
    invoice, sale = pulled_accepted_exported(world, OwnerInvoice, app["id"], ("prime_contracts", "owner_invoices"))
    assert sale["Total"] > Decimal("0")
    held = files_in_xero(world, invoice)
    assert list(held) == ["Progress claim 3.pdf"] and held["Progress claim 3.pdf"]["IncludeOnline"] is False
