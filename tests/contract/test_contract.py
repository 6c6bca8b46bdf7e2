"""Contract tests: the client's requests and the sandbox's answers against Xero's official spec.

Every test in the suite that uses `xero_session`/`mount_xero` is checked by the observer; these
tests prove the observer itself works and cover one exchange per endpoint the connector uses.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import requests

from tests.contract.spec_fields import render
from tests.contract.validator import SPEC_DIR, ContractObserver, load_specs
from tests.xero_client.conftest import bill, key

ROOT = Path(__file__).resolve().parents[2]


def _exchange(method, url, body, status, answer):
    request = requests.Request(method, url, data=body, headers={
        "xero-tenant-id": "3f9b4a33-2f1d-4f6e-8e62-0f5b1c8d9a11", "Content-Type": "application/json",
        "Accept": "application/json", "Authorization": "Bearer x"}).prepare()
    response = requests.Response()
    response.status_code = status
    response._content = answer
    response.raw = BytesIO(answer)
    response.headers["Content-Type"] = "application/json"
    response.request = request
    return request, response


def test_spec_copies_are_verbatim_and_licensed():
    """The suite carries its own copy of the spec files, with their MIT LICENSE and checksums."""
    source = (SPEC_DIR / "SOURCE.txt").read_text()
    for name in ("xero_accounting.yaml", "xero-identity.yaml", "xero-webhooks.yaml", "LICENSE"):
        digest = hashlib.sha256((SPEC_DIR / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in source
    assert "MIT License" in (SPEC_DIR / "LICENSE").read_text()


def test_specs_are_parsed_once_per_session():
    assert load_specs() is load_specs()


def test_sandbox_field_table_is_generated_from_the_spec():
    """xero_client/sandbox/fields.py is exactly what tests/contract/spec_fields.py derives from the spec."""
    assert (ROOT / "xero_client" / "sandbox" / "fields.py").read_text() == render()


def test_observer_flags_a_request_the_spec_rejects():
    observer = ContractObserver(raise_on_violation=False)
    request, response = _exchange("PUT", "https://api.xero.com/api.xro/2.0/Invoices?summarizeErrors=false",
                                  b'{"Invoices": [{"Type": "BILL"}]}', 200, b'{"Invoices": []}')
    observer(request, response)
    assert observer.violations and "BILL" in observer.violations[0]


def test_observer_flags_a_missing_tenant_header():
    observer = ContractObserver(raise_on_violation=False)
    request, response = _exchange("GET", "https://api.xero.com/api.xro/2.0/Invoices", None, 200, b'{"Invoices": []}')
    del request.headers["xero-tenant-id"]
    observer(request, response)
    assert observer.violations and "xero-tenant-id" in observer.violations[0]


def test_observer_flags_an_answer_the_spec_rejects():
    observer = ContractObserver(raise_on_violation=False)
    request, response = _exchange("GET", "https://api.xero.com/api.xro/2.0/Invoices", None, 200,
                                  b'{"Invoices": [{"Status": 7}]}')
    observer(request, response)
    assert observer.violations and observer.violations[0].startswith("response 200")


def test_observer_skips_identity_endpoints_with_a_reason():
    observer = ContractObserver(raise_on_violation=False)
    request, response = _exchange("POST", "https://identity.xero.com/connect/token", b"grant_type=x", 400,
                                  b'{"error": "invalid_grant"}')
    observer(request, response)
    assert not observer.violations and "not described" in observer.skipped[0][2]


def test_every_endpoint_the_connector_uses_passes_the_contract(xero_client, xero_contract, xero_oauth,
                                                              xero_token_store):
    """Requests and answers of every endpoint used by the connector conform to the spec."""
    assert xero_oauth.connections(xero_token_store.load())
    contact = xero_client.create_contacts([{"Name": "Contract Co", "ContactNumber": "PC-9"}],
                                          idempotency_key=key())[0].id
    xero_client.update_contacts([{"ContactID": contact, "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555"}]}],
                                idempotency_key=key())
    xero_client.find_contact_by_number("PC-9")
    group = xero_client.create_contact_group("Procore", idempotency_key=key())
    xero_client.add_contacts_to_group(group["ContactGroupID"], [contact], idempotency_key=key())
    xero_client.list_group_contacts(group["ContactGroupID"])
    xero_client.list_contact_groups()
    xero_client.create_items([{"Code": "01-100-L", "Name": "Labour", "PurchaseDetails": {
        "AccountCode": "320", "UnitPrice": Decimal("12.5")}}], idempotency_key=key())
    xero_client.list_items()
    category = xero_client.create_tracking_category("Project", idempotency_key=key())
    option = xero_client.create_tracking_option(category["TrackingCategoryID"], "Job 1", idempotency_key=key())
    xero_client.archive_tracking_option(category["TrackingCategoryID"], option["TrackingOptionID"],
                                        idempotency_key=key())
    xero_client.restore_tracking_option(category["TrackingCategoryID"], option["TrackingOptionID"],
                                        idempotency_key=key())
    xero_client.list_tracking_categories()
    tracking = [{"Name": "Project", "Option": "Job 1"}]
    po = xero_client.create_purchase_orders([{"Contact": {"ContactID": contact}, "Date": "2026-05-01", "LineItems": [
        {"ItemCode": "01-100-L", "Quantity": Decimal("2"), "UnitAmount": Decimal("12.5"), "Tracking": tracking}]}],
        idempotency_key=key())[0]
    xero_client.get_purchase_order(po.id)
    list(xero_client.iter_purchase_orders())
    invoice = xero_client.create_invoices([bill(contact, tracking=tracking, Url="https://app.procore.com/x")],
                                          idempotency_key=key())[0]
    failed = xero_client.create_invoices([bill(contact, LineItems=[{"Description": "x", "AccountCode": "nope"}])],
                                         idempotency_key=key())[0]
    assert invoice.ok and not failed.ok
    xero_client.get_invoice(invoice.id)
    xero_client.find_invoices(invoice_numbers=["B-1"], contact_ids=[contact], statuses=["AUTHORISED"])
    list(xero_client.iter_invoices(where='Type=="ACCPAY"'))
    payment = xero_client.create_payments([{"Invoice": {"InvoiceID": invoice.id}, "Account": {"Code": "090"},
                                            "Date": "2026-05-03", "Amount": Decimal("100.00")}],
                                          idempotency_key=key())[0]
    xero_client.get_payment(payment.id)
    xero_client.delete_payment(payment.id, idempotency_key=key())
    list(xero_client.iter_payments(where='PaymentType=="ACCPAYPAYMENT"'))
    xero_client.create_credit_notes([{"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contact}, "LineItems": [
        {"Description": "Back charge", "UnitAmount": Decimal("10"), "AccountCode": "320"}]}], idempotency_key=key())
    list(xero_client.iter_credit_notes())
    xero_client.create_bank_transactions([{"Type": "SPEND", "Contact": {"ContactID": contact},
                                           "BankAccount": {"Code": "090"}, "LineItems": [
        {"Description": "Fuel", "UnitAmount": Decimal("30"), "AccountCode": "429", "Tracking": tracking}]}],
        idempotency_key=key())
    list(xero_client.iter_bank_transactions())
    list(xero_client.iter_manual_journals())
    xero_client.list_accounts(where='Type=="BANK"')
    xero_client.get_organisation()

    assert not xero_contract.violations
    checked = {path for _, path in xero_contract.checked}
    for resource in ("Contacts", "ContactGroups", "Items", "TrackingCategories", "PurchaseOrders", "Invoices",
                     "Payments", "CreditNotes", "BankTransactions", "ManualJournals", "Accounts", "Organisation"):
        assert f"/api.xro/2.0/{resource}" in checked
    assert "/connections" in checked
    skipped_paths = {path for _, path, _ in xero_contract.skipped}
    assert skipped_paths <= {"/identity/connect/authorize", "/connect/token"}
