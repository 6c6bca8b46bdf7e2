"""The reconciliation report reads Xero (DRIFT-4, RPT-3): after `sync reconcile` it sets Procore's figures
against what Xero holds and lists every difference, with its record and its Xero document."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from integration.mapping.common import project_option_name
from integration.models import Payment, Vendor
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from integration.services.imports.payments import import_payments
from tests.factories import UserFactory

from .conftest import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", role=ACCOUNTING_APPROVER)


@pytest.fixture
def pm(db):
    return UserFactory(username="pm", role=STANDARD)


def csv_rows(client, query):
    response = client.get(reverse("desk:report_reconciliation") + "?" + query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def enter_bill_in_xero(accountant, world, *, number, amount):
    """An accountant keys a bill straight into Xero, tracked to the project as the connector tracks it."""
    link = world.link
    [result] = accountant.client.create_invoices([{
        "Type": "ACCPAY", "Contact": {"ContactID": Vendor.objects.get(pk=world.vendors[0].pk).xero_id}, "InvoiceNumber": number,
        "Date": "2026-11-20", "DueDate": "2026-12-20", "Status": "AUTHORISED", "LineAmountTypes": "Exclusive",
        "LineItems": [{"Description": "Skip hire", "Quantity": Decimal("1"), "UnitAmount": Decimal(amount),
                       "AccountCode": link.default_purchase_account,
                       "Tracking": [{"Name": link.project_tracking_category, "Option": project_option_name(world.project)}]}],
    }], idempotency_key=accountant._key())
    assert result.ok, result.errors
    return result.id


@pytest.fixture
def drifted(exported, accountant, sandboxes):
    """The issue's scene, after a first reconcile: R-1 voided in Xero, R-2's payment imported into Procore and
    then deleted in Xero, and a bill entered only in Xero; then `sync reconcile`."""
    world, r1, r2 = exported
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    payment_id = accountant.pay(r2.xero_id, "575.00")  # R-2 in full: 500 and 15 % GST
    import_payments(link=world.link)
    paid = Payment.objects.get(xero_payment_id__iexact=payment_id)
    assert paid.status == Payment.Status.SYNCED and paid.amount == Decimal("500.00")  # in Procore's terms (BOOK-3)
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    sandboxes.clock.advance(3600)
    accountant.void_bill(r1.xero_id)
    accountant.client.delete_payment(payment_id, idempotency_key=accountant._key())
    only = enter_bill_in_xero(accountant, world, number="SKIP-77", amount="240.00")
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    return world, r1, r2, paid, only


def test_the_report_lists_what_the_accountant_did_in_xero(client, approver, drifted):
    """DRIFT-4, RPT-3: a bill voided in Xero, a payment deleted in Xero and a bill entered only in Xero are each
    listed, with a link to the connector's record and to the document in Xero, and the figures set Procore
    against what Xero holds; the page shows when the reconcile read Xero."""
    world, r1, r2, paid, only = drifted
    client.force_login(approver)
    html = client.get(reverse("desk:report_reconciliation") + f"?link={world.link.pk}").content.decode()
    assert "Xero as read by the reconcile of" in html and 'id="reconcile-now"' in html
    assert "Missing in Xero" in html and "voided in Xero on 2026-" in html
    assert reverse("admin:integration_subcontractorinvoice_change", args=[r1.pk]) in html
    assert f"/AccountsPayable/View.aspx?InvoiceID={r1.xero_id}" in html
    assert "Payment differs" in html and "deleted in Xero on 2026-" in html and "Procore still shows it paid" in html
    assert reverse("admin:integration_payment_change", args=[paid.pk]) in html
    assert "In Xero only" in html and "Bill or sales invoice SKIP-77" in html
    assert f"/AccountsPayable/View.aspx?InvoiceID={only.lower()}" in html

    figures = csv_rows(client, f"link={world.link.pk}&format=csv")
    assert figures[0][3:12] == ["Procore committed", "Xero ordered", "committed difference", "Procore invoiced", "Xero billed",
                                "invoiced difference", "Procore paid", "Xero paid", "paid difference"]
    by_code = {r[2]: r for r in figures[1:]}
    coded = by_code[world.items[0].cost_code.code]
    # Procore invoiced R-1 + R-2; Xero bills only R-2 (R-1 is voided). No purchase orders (commitment sync off).
    assert coded[6:9] == ["1500.00", "500.00", "1000.00"]
    # The bill entered in Xero has no cost code: it sits on the project and vendor's row without one, as
    # does the deleted payment (still in Procore, gone from Xero).
    assert by_code["(retainage and payments)"][6:12] == ["0.00", "240.00", "-240.00", "500.00", "0.00", "500.00"]


def test_the_differences_csv_holds_the_same(client, approver, drifted):
    """DRIFT-4, RPT-3: the differences download names the same three differences, through the project's CSV writer."""
    world, r1, r2, paid, only = drifted
    client.force_login(approver)
    rows = csv_rows(client, f"link={world.link.pk}&format=csv&table=differences")
    assert rows[0][:7] == ["difference", "project", "vendor", "record", "Procore amount", "Xero amount", "detail"]
    by_kind = {}
    for row in rows[1:]:
        by_kind.setdefault(row[0], []).append(row)
    [voided] = by_kind["Missing in Xero"]
    assert voided[3] == f"Subcontractor invoice {r1}" and voided[4:6] == ["1000.00", "0.00"]
    assert voided[6].startswith("voided in Xero on ") and voided[7] == "VOIDED"
    [payment] = by_kind["Payment differs"]
    assert payment[4:6] == ["500.00", "0.00"] and "deleted in Xero" in payment[6]
    [entered] = by_kind["In Xero only"]
    assert entered[3] == "Bill or sales invoice SKIP-77" and entered[4:6] == ["0.00", "240.00"]
    assert entered[8] == only.lower()
    # Filtered by kind, only that kind.
    only_rows = csv_rows(client, f"link={world.link.pk}&kind=xero_only&format=csv&table=differences")
    assert [r[0] for r in only_rows[1:]] == ["In Xero only"]


def test_nothing_before_a_reconcile_and_agreement_after(client, approver, exported):
    """DRIFT-4, RPT-3: before any reconcile the page says Xero has not been read; after one with nothing changed
    in Xero no difference remains (commitments are not chased while commitment sync is off), and a bill exported
    after that read is listed as not read yet until the next reconcile."""
    world, r1, r2 = exported
    client.force_login(approver)
    html = client.get(reverse("desk:report_reconciliation") + f"?link={world.link.pk}").content.decode()
    assert "No reconcile has read Xero for this link yet" in html
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    assert csv_rows(client, f"link={world.link.pk}&format=csv&table=differences")[1:] == []
    figures = csv_rows(client, f"link={world.link.pk}&format=csv")
    assert figures[1:] and all(r[8] == r[11] == "0.00" for r in figures[1:])
    late = world.invoice(invoice_number="R-3", amount="70.00")
    export(world.link)
    # The next reconcile reads R-3 and finds it agreeing.
    call_command("sync", "reconcile", "--link", str(world.link.pk))
    assert csv_rows(client, f"link={world.link.pk}&format=csv&table=differences")[1:] == []
    late.refresh_from_db()
    assert late.xero_id


def test_standard_users_are_refused(client, pm, exported):
    """DRIFT-4, RPT-3: the reconciliation, its downloads and its "Check against Xero now" are not for Standard users."""
    world, _, _ = exported
    client.force_login(pm)
    url = reverse("desk:report_reconciliation")
    assert client.get(url + f"?link={world.link.pk}").status_code == 403
    assert client.get(url + f"?link={world.link.pk}&format=csv&table=differences").status_code == 403
    assert client.post(reverse("desk:reconcile_now", args=[world.link.pk])).status_code == 403
