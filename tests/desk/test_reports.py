"""The reports: figures checked against a small data set computed by hand, and their CSV
(RPT-1, RPT-2, RPT-3, JC-4, JC-6, CO-3, PAY-3)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from integration import models as m
from integration.models import ErpStatus
from integration.roles import ACCOUNTING_APPROVER
from integration.services.reconciliation_snapshot import snapshot
from tests.factories import (
    ChangeOrderFactory,
    ChangeOrderLineFactory,
    CommitmentFactory,
    CommitmentLineFactory,
    CostCodeFactory,
    CostItemFactory,
    InvoiceLineFactory,
    LinkFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    UserFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def csv_rows(client, name, query=""):
    response = client.get(reverse(name) + "?" + (query + "&" if query else "") + "format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def aged(record, **delta):
    type(record).objects.filter(pk=record.pk).update(erp_status_changed_at=timezone.now() - datetime.timedelta(**delta))


def test_reports_need_the_reports_permission(client, pm):
    """RPT-1: the reports are for approvers and ERP admins; a Standard user is refused."""
    client.force_login(pm)
    assert client.get(reverse("desk:report_accountant")).status_code == 403
    assert client.get(reverse("desk:report_reconciliation") + "?format=csv").status_code == 403


def test_accountant_report(client, approver):
    """RPT-1: each approver, their decisions, and what awaits them by type and age."""
    UserFactory(username="beth", role=ACCOUNTING_APPROVER)
    UserFactory(username="nobody")  # no permission: not an approver
    link = LinkFactory(name="Harbourside")
    aged(SubcontractorInvoiceFactory(link=link), hours=3)     # < 1 day
    aged(SubcontractorInvoiceFactory(link=link), days=3)      # 1-7 days
    aged(SubcontractorInvoiceFactory(link=link), days=45)     # > 30 days
    aged(VendorFactory(link=link, erp_status=ErpStatus.READY_TO_EXPORT, xero_id=""), hours=1)
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED)  # not awaiting
    for action in ("accept", "accept", "reject"):
        m.AuditEvent.objects.create(link=link, actor=approver, actor_name="approver", action=action)
    client.force_login(approver)

    html = client.get(reverse("desk:report_accountant")).content.decode()
    assert "Alex Approver (approver)" in html and "(beth)" in html and "nobody" not in html
    rows = csv_rows(client, "desk:report_accountant")
    assert rows[0][:8] == ["approver", "name", "email", "accepted", "rejected", "last decision", "link", "type"]
    mine = [r for r in rows[1:] if r[0] == "approver"]
    assert [r[7] for r in mine] == ["Subcontractor invoices", "Vendors"]
    invoices = mine[0]
    assert invoices[3:5] == ["2", "1"] and invoices[6] == "Harbourside"
    assert invoices[8:13] == ["1", "1", "0", "1", "3"]
    assert mine[1][8:13] == ["1", "0", "0", "0", "1"]
    beths = [r for r in rows[1:] if r[0] == "beth"]
    assert beths[0][3:5] == ["0", "0"] and beths[0][8:13] == ["1", "1", "0", "1", "3"]
    # Filter by type.
    rows = csv_rows(client, "desk:report_accountant", "type=vendor")
    assert {r[7] for r in rows[1:]} == {"Vendors"}
    # Bad filter input: a message, nothing shown, nothing changed.
    response = client.get(reverse("desk:report_accountant") + "?date_from=yesterday")
    assert "Some filters are not valid" in response.content.decode()


def test_job_costs_report(client, approver):
    """JC-4: per project and cost code, with subtotals and a total, computed by hand."""
    link = LinkFactory()
    p1, p2 = ProjectFactory(link=link, project_number="J-1", name="Alpha"), ProjectFactory(link=link, project_number="J-2", name="Beta")
    a = CostItemFactory(link=link, item_code="03-100.L", description="Concrete - Labor")
    b = CostItemFactory(link=link, item_code="05-200.M", description="Steel - Materials")
    for project, item, jtd, ci in ((p1, a, "1000.00", "600.00"), (p1, b, "250.00", "0.00"), (p2, a, "500.00", "500.00")):
        m.JobCostSummary.objects.create(link=link, project=project, cost_item=item, job_to_date_cost=D(jtd),
                                        commitment_invoiced=D(ci), direct_costs=D(jtd) - D(ci))
    client.force_login(approver)
    html = client.get(reverse("desk:report_job_costs")).content.decode()
    assert "Subtotal J-1 Alpha" in html and "1250.00" in html and "650.00" in html
    rows = csv_rows(client, "desk:report_job_costs")
    assert rows[1][1:] == ["J-1", "Alpha", "03-100.L", "Concrete - Labor", "1000.00", "600.00", "400.00"]
    assert rows[2][5:] == ["250.00", "0.00", "250.00"]
    assert rows[3][1:4] == ["J-2", "Beta", "03-100.L"] and rows[3][5:] == ["500.00", "500.00", "0.00"]
    assert rows[4][2] == "Total" and rows[4][5:] == ["1750.00", "1100.00", "650.00"]
    rows = csv_rows(client, "desk:report_job_costs", f"project={p2.pk}")
    assert rows[-1][5:] == ["500.00", "500.00", "0.00"] and len(rows) == 3


def test_unsyncable_archived_and_deleted_payment_lists(client, approver):
    """JC-6, CO-3, PAY-3: the three lists, filtered, and their CSV."""
    link = LinkFactory(name="L1")
    m.UnsyncableTransaction.objects.create(link=link, xero_document_id="d1", document_type="ACCPAY", reference="B-1",
                                           contact_name="Acme", date=datetime.date(2026, 3, 1), amount=D("120.50"),
                                           reason="No Project tracking on any line")
    m.UnsyncableTransaction.objects.create(link=link, xero_document_id="d2", document_type="SPEND", reference="S-9",
                                           date=datetime.date(2026, 3, 2), amount=D("80.00"), reason="Item 99.X is not a synced cost code")
    VendorFactory(link=link, name="Old Plumbing Ltd", archived_in_erp=True)
    VendorFactory(link=link, name="Active Electric")
    invoice = SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED)
    now = timezone.now()
    common = {"link": link, "subcontractor_invoice": invoice, "commitment": invoice.commitment, "date": datetime.date(2026, 4, 1)}
    m.Payment.objects.create(xero_payment_id="p-open", amount=D("300.00"), status="voided", deleted_in_xero_at=now, reference="CHQ 1", **common)
    m.Payment.objects.create(xero_payment_id="p-done", amount=D("50.00"), status="voided", deleted_in_xero_at=now, resolved_at=now, reference="CHQ 2", **common)
    m.Payment.objects.create(xero_payment_id="p-live", amount=D("75.00"), status="synced", reference="CHQ 3", **common)
    client.force_login(approver)

    rows = csv_rows(client, "desk:report_unsyncable")
    assert [r[3] for r in rows[1:]] == ["S-9", "B-1"]
    assert rows[2][5:7] == ["120.50", "No Project tracking on any line"]
    assert [r[3] for r in csv_rows(client, "desk:report_unsyncable", "document_type=ACCPAY")[1:]] == ["B-1"]
    assert [r[3] for r in csv_rows(client, "desk:report_unsyncable", "search=cost+code")[1:]] == ["S-9"]
    html = client.get(reverse("desk:report_unsyncable")).content.decode()
    assert "200.50" in html  # the total

    assert [r[1] for r in csv_rows(client, "desk:report_archived_companies")[1:]] == ["Old Plumbing Ltd"]

    assert [r[6] for r in csv_rows(client, "desk:report_deleted_payments")[1:]] == ["CHQ 1"]
    assert sorted(r[6] for r in csv_rows(client, "desk:report_deleted_payments", "include_resolved=on")[1:]) == ["CHQ 1", "CHQ 2"]


@pytest.fixture
def recon(db):
    """A link with one project and vendor, cost codes 03-100 and 05-200, and what its last reconcile read of Xero:
    committed  03-100: C1 6000 (synced) + CO1 1500 (not synced) = 7500 vs C1's purchase order 6000 -> 1500 (CO1)
               05-200: C1 4000 = 4000 vs 4000; C2 999 is a draft: left out
    invoiced   03-100: I1 2000 (synced) + I2 500 (awaiting approval) = 2500 vs I1's bill 2000 -> 500 (I2)
               05-200: I1 1000 = 1000 vs 1000
               no code: nothing in Procore vs a bill of 240 entered only in Xero -> -240
    paid       Procore 1800 (written to Procore) vs Xero 1800 + 700 (imported, pending) = 2500 -> -700;
               a payment of 300 deleted in Xero before it reached Procore is on neither side."""
    link = LinkFactory(name="Recon")
    project = ProjectFactory(link=link, project_number="J-7", name="Quay")
    vendor = VendorFactory(link=link, name="Acme Concrete")
    ci1 = CostItemFactory(link=link, cost_code=CostCodeFactory(link=link, code="03-100"))
    ci2 = CostItemFactory(link=link, cost_code=CostCodeFactory(link=link, code="05-200"))
    c1 = CommitmentFactory(link=link, project=project, vendor=vendor, number="SC-1", lines=0, erp_status=ErpStatus.SYNCED, xero_id="c" * 36)
    CommitmentLineFactory(commitment=c1, cost_item=ci1, amount=D("6000.00"))
    CommitmentLineFactory(commitment=c1, cost_item=ci2, amount=D("4000.00"))
    c2 = CommitmentFactory(link=link, project=project, vendor=vendor, number="SC-2", status="Draft", lines=0)
    CommitmentLineFactory(commitment=c2, cost_item=ci2, amount=D("999.00"))
    co = ChangeOrderFactory(link=link, commitment=c1, number="001", lines=0, erp_status=ErpStatus.READY_TO_EXPORT)
    ChangeOrderLineFactory(change_order=co, cost_item=ci1, amount=D("1500.00"))
    i1 = SubcontractorInvoiceFactory(link=link, commitment=c1, invoice_number="INV-1", lines=0, erp_status=ErpStatus.SYNCED,
                                     xero_id="1" * 36, total=D("3000.00"))
    InvoiceLineFactory(invoice=i1, cost_item=ci1, amount=D("2000.00"))
    InvoiceLineFactory(invoice=i1, cost_item=ci2, amount=D("1000.00"))
    i2 = SubcontractorInvoiceFactory(link=link, commitment=c1, invoice_number="INV-2", lines=0, total=D("500.00"))
    InvoiceLineFactory(invoice=i2, cost_item=ci1, amount=D("500.00"))
    common = {"link": link, "subcontractor_invoice": i1, "commitment": c1, "date": datetime.date(2026, 11, 15)}
    m.Payment.objects.create(xero_payment_id="a" * 36, amount=D("1800.00"), status="synced", reference="EFT 1", procore_id=91, **common)
    m.Payment.objects.create(xero_payment_id="b" * 36, amount=D("700.00"), status="pending", reference="EFT 2", **common)
    m.Payment.objects.create(xero_payment_id="d" * 36, amount=D("300.00"), status="voided", reference="EFT 3", **common)
    run = m.SyncRun.objects.create(link=link, kind=m.SyncRun.Kind.RECONCILE, status=m.SyncRun.Status.SUCCEEDED, parameters={"full": False})
    read = run.started_at

    def document(resource, xero_id, *, lines=(), **fields):
        doc = m.XeroDocument.objects.create(link=link, resource=resource, xero_id=xero_id, read_at=read, vendor=vendor, **fields)
        for n, (code, amount) in enumerate(lines, start=1):
            m.XeroDocumentLine.objects.create(document=doc, position=n, project=project, cost_code=code, amount=amount)
        return doc

    document("PurchaseOrders", "c" * 36, status="AUTHORISED", number="SC-1", net_amount=D("10000.00"),
             lines=[(ci1.cost_code, D("6000.00")), (ci2.cost_code, D("4000.00"))])
    document("Invoices", "1" * 36, doc_type="ACCPAY", status="AUTHORISED", number="INV-1", net_amount=D("3000.00"),
             lines=[(ci1.cost_code, D("2000.00")), (ci2.cost_code, D("1000.00"))])
    skip = document("Invoices", "5" * 36, doc_type="ACCPAY", status="AUTHORISED", number="SKIP-1", net_amount=D("240.00"),
                    lines=[(None, D("240.00"))])
    for xero_id, amount, status in (("a" * 36, "1800.00", "AUTHORISED"), ("b" * 36, "700.00", "AUTHORISED"), ("d" * 36, "300.00", "DELETED")):
        document("Payments", xero_id, doc_type="ACCPAYPAYMENT", status=status, parent_id="1" * 36, project=project,
                 total=D(amount), net_amount=D(amount), date=datetime.date(2026, 11, 15))
    snapshot(link_id=link.pk, read_at=read)
    return {"link": link, "co": co, "i2": i2, "skip": skip}


def test_reconciliation_report(client, approver, recon):
    """RPT-3, DRIFT-4: committed / invoiced / paid beside what the last reconcile read of Xero, every difference
    listed with its record and its Xero document, and what the figures are computed from."""
    client.force_login(approver)
    link = recon["link"]
    rows = csv_rows(client, "desk:report_reconciliation", f"link={link.pk}")
    assert rows[0][:6] == ["project", "vendor", "cost code", "Procore committed", "Xero ordered", "committed difference"]
    by_code = {r[2]: r for r in rows[1:]}
    assert set(by_code) == {"03-100", "05-200", "(retainage and payments)"}
    assert by_code["03-100"][3:12] == ["7500.00", "6000.00", "1500.00", "2500.00", "2000.00", "500.00", "0.00", "0.00", "0.00"]
    assert by_code["05-200"][3:12] == ["4000.00", "4000.00", "0.00", "1000.00", "1000.00", "0.00", "0.00", "0.00", "0.00"]
    assert by_code["(retainage and payments)"][3:12] == ["0.00"] * 4 + ["240.00", "-240.00", "1800.00", "2500.00", "-700.00"]
    assert by_code["03-100"][0] == "J-7 Quay" and by_code["03-100"][1] == "Acme Concrete"

    differences = csv_rows(client, "desk:report_reconciliation", f"link={link.pk}&table=differences")
    found = {(r[0], r[3]): r for r in differences[1:]}
    assert set(found) == {("Not in Xero yet", "Change order SC-1 CO 001"), ("Not in Xero yet", "Subcontractor invoice INV-2 (Acme Concrete)"),
                          ("Payment differs", "Payment 700.00 on 2026-11-15 (EFT 2)"), ("In Xero only", "Bill or sales invoice SKIP-1")}
    assert found[("Not in Xero yet", "Change order SC-1 CO 001")][4:7] == ["1500.00", "0.00", "approved in Procore, not in Xero yet (ready to export)"]
    assert found[("Payment differs", "Payment 700.00 on 2026-11-15 (EFT 2)")][4:7] == [
        "0.00", "700.00", "paid in Xero on 2026-11-15; imported, not yet written to Procore"]
    assert found[("In Xero only", "Bill or sales invoice SKIP-1")][9].endswith("/AccountsPayable/View.aspx?InvoiceID=" + "5" * 36)

    html = client.get(reverse("desk:report_reconciliation") + f"?link={link.pk}").content.decode()
    assert "What this is computed from" in html and "as the last reconcile read it from Xero" in html
    assert "Xero as read by the reconcile of" in html
    assert reverse("admin:integration_changeorder_change", args=[recon["co"].pk]) in html
    assert reverse("admin:integration_subcontractorinvoice_change", args=[recon["i2"].pk]) in html

    only = csv_rows(client, "desk:report_reconciliation", f"link={link.pk}&differences_only=on")
    assert {r[2] for r in only[1:]} == {"03-100", "(retainage and payments)"}


def test_reconciliation_pages_and_counts_in_sql(client, approver, recon):
    """RPT-3, PERF-8: a page of the figures and of the differences; the queries are the same whether a link has
    a few records or many more (as at the reconcile, rebuilt here)."""
    from integration import reconciliation

    link = recon["link"]
    page = reconciliation.reconciliation(link_id=link.pk)
    assert page.figures.count == 3 and page.differences.count == 4
    first = reconciliation.figures(link_id=link.pk, per_page=2)
    second = reconciliation.figures(link_id=link.pk, per_page=2, page=2)
    assert first.count == second.count == 3 and len(first.rows) == 2 and len(second.rows) == 1
    assert second.totals.procore["committed"] == D("11500.00") and second.totals.xero["invoiced"] == D("3240.00")
    client.force_login(approver)
    url = reverse("desk:report_reconciliation") + f"?link={link.pk}"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    project = m.Project.objects.get(link=link)
    vendor = m.Vendor.objects.get(link=link)
    commitment = m.Commitment.objects.get(link=link, number="SC-1")
    for n in range(30):
        invoice = SubcontractorInvoiceFactory(link=link, project=project, vendor=vendor, commitment=commitment,
                                              invoice_number=f"MORE-{n}", lines=0,
                                              total=D("10.00"))
        InvoiceLineFactory(invoice=invoice, amount=D("10.00"))
    snapshot(link_id=link.pk, read_at=m.SyncRun.objects.get(link=link).started_at)
    assert reconciliation.differences(link_id=link.pk).count == 34
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_reconciliation_never_mixes_links(client, approver, recon):
    """RPT-3, CONN-1: another link's records never show in a link's reconciliation."""
    other = LinkFactory(name="Other")
    CommitmentFactory(link=other)
    run = m.SyncRun.objects.create(link=other, kind=m.SyncRun.Kind.RECONCILE, status=m.SyncRun.Status.SUCCEEDED, parameters={"full": True})
    snapshot(link_id=other.pk, read_at=run.started_at)
    client.force_login(approver)
    rows = csv_rows(client, "desk:report_reconciliation", f"link={other.pk}")
    assert [r[2] for r in rows[1:]] and all(r[3] == "10000.00" for r in rows[1:] if r[2] != "(retainage and payments)")
    assert len(csv_rows(client, "desk:report_reconciliation", f"link={recon['link'].pk}")) == 4
    assert [r[3] for r in csv_rows(client, "desk:report_reconciliation", f"link={other.pk}&table=differences")[1:]] == [
        f"Commitment {r.number} {r.title}".strip() for r in m.Commitment.objects.filter(link=other)]
