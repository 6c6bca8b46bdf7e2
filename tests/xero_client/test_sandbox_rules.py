"""The sandbox keeps Xero's rules (api/xero.md): one test per rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.test import Client

from tests.xero_client.conftest import bill, key
from xero_client.errors import ValidationFailed
from xero_client.sandbox import XeroSandbox

ZERO = "00000000-0000-0000-0000-000000000000"


def test_fresh_sandbox_holds_one_organisation_with_a_chart_of_accounts_and_nothing_else():
    """FID-1: a fresh Xero sandbox is one organisation with a chart of accounts (a bank account, purchase and
    sales accounts) and no documents, so every test starts from a known Xero."""
    sandbox = XeroSandbox()
    assert len(sandbox.tenant_ids) == 1
    books = sandbox.books()
    assert any(a["Type"] == "BANK" for a in books.accounts.values())
    assert {a["Code"] for a in books.accounts.values()} >= {"090", "200", "320", "800"}
    for store in ("contacts", "items", "tracking", "invoices", "purchase_orders", "payments", "groups"):
        assert getattr(books, store) == {}


def test_state_and_reset_endpoints(xero_client, xero_sandbox):
    """FID-1, REL-7: GET /_sandbox/state returns everything as JSON (never the client secret); POST
    /_sandbox/reset empties the books and keeps the connection."""
    xero_client.create_contacts([{"Name": "Kept Until Reset"}], idempotency_key=key())
    http = Client(xero_sandbox.wsgi_app)
    state = http.get("/_sandbox/state").json
    org = state["organisations"][xero_sandbox.default_tenant_id]
    assert [c["Name"] for c in org["Contacts"]] == ["Kept Until Reset"]
    assert "sandbox-client-secret" not in http.get("/_sandbox/state").text
    assert http.post("/_sandbox/reset").status_code == 200
    assert xero_sandbox.state()["organisations"][xero_sandbox.default_tenant_id]["Contacts"] == []
    assert xero_client.get_organisation()  # the connection survives a reset


def test_mounted_under_a_prefix_the_authorize_redirect_is_built_from_the_request():
    """FID-1, CONN-2: the sandbox command mounts the app under /xero-login etc.; URLs come from the request."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    sandbox = XeroSandbox()
    app = DispatcherMiddleware(lambda e, s: s("404 Not Found", []) or [b""], {"/xero-login": sandbox.wsgi_app,
                                                                              "/xero": sandbox.wsgi_app})
    http = Client(app)
    answer = http.get("/xero-login/identity/connect/authorize?response_type=code&client_id=c&scope=offline_access"
                      "&redirect_uri=http://127.0.0.1:8000/cb&state=s1")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("http://127.0.0.1:8000/cb?code=")
    assert "state=s1" in answer.headers["Location"]
    assert http.get("/xero/api.xro/2.0/Organisation").status_code == 401


def test_xero_tenant_id_is_required(raw):
    """CONN-1: §1: every Accounting call needs xero-tenant-id."""
    answer = raw("GET", "Organisation", headers={"xero-tenant-id": None})
    assert answer.status_code == 400 and "xero-tenant-id" in answer.body["Detail"]


def test_rate_limit_headers_on_every_answer(raw):
    """REL-1: §2: X-DayLimit-Remaining, X-MinLimit-Remaining, X-AppMinLimit-Remaining on every response."""
    first = raw("GET", "Accounts")
    second = raw("GET", "Accounts")
    assert int(first.headers["X-MinLimit-Remaining"]) == 59 and int(second.headers["X-MinLimit-Remaining"]) == 58
    assert int(second.headers["X-DayLimit-Remaining"]) == 4998 and "X-AppMinLimit-Remaining" in second.headers


def test_minute_limit_answers_429_with_retry_after(raw, xero_sandbox):
    """REL-1: §2: the 61st call in a minute is 429 with Retry-After and X-Rate-Limit-Problem: minute."""
    for _ in range(60):
        assert raw("GET", "Accounts").status_code == 200
    answer = raw("GET", "Accounts")
    assert answer.status_code == 429 and answer.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


def test_rate_limits_can_be_switched_off(raw, xero_sandbox):
    """FID-1: the sandbox's rate limits can be switched off (the demo's month runs without waiting a minute
    per 60 calls)."""
    xero_sandbox.rate_limits = False
    xero_sandbox.minute_limit = 2
    assert all(raw("GET", "Accounts").status_code == 200 for _ in range(4))


def test_unknown_fields_are_refused(raw):
    """REL-3, FID-1: architecture.md: strict where Xero is strict: unknown fields get the validation shape."""
    answer = raw("PUT", "Contacts", {"Contacts": [{"Name": "X", "Colour": "red"}]}, params={"summarizeErrors": "false"})
    element = answer.body["Contacts"][0]
    assert answer.status_code == 200 and element["HasValidationErrors"] is True
    assert element["ContactID"] == ZERO and "Colour" in element["ValidationErrors"][0]["Message"]


def test_bad_enum_values_are_refused(raw, contact_id):
    """REL-3, FID-1: a value outside the spec's enum (an invoice Status APPROVED) is refused on its element
    with Xero's message."""
    answer = raw("PUT", "Invoices", {"Invoices": [dict(bill(contact_id), Status="APPROVED")]},
                 params={"summarizeErrors": "false"})
    element = answer.body["Invoices"][0]
    assert element["HasErrors"] is True and "APPROVED" in element["ValidationErrors"][0]["Message"]


def test_missing_required_fields_are_refused(xero_client, contact_id):
    """REL-3: §5: Type, Contact and LineItems are required to create an invoice."""
    result = xero_client.create_invoices([{"Contact": {"ContactID": contact_id}}], idempotency_key=key())[0]
    assert not result.ok and any("Type" in m for m in result.errors) and any("LineItems" in m for m in result.errors)


def test_summarised_errors_are_a_400_validation_exception_and_valid_elements_are_still_created(raw, xero_sandbox):
    """REL-3: §3: without summarizeErrors=false, 400 ValidationException with Elements; valid ones still
    saved."""
    answer = raw("PUT", "Contacts", {"Contacts": [{"Name": "Good One"}, {"EmailAddress": "bad"}]})
    assert answer.status_code == 400
    assert answer.body["Type"] == "ValidationException" and answer.body["ErrorNumber"] == 10
    assert len(answer.body["Elements"]) == 1 and answer.body["Elements"][0]["ValidationErrors"]
    assert [c["Name"] for c in xero_sandbox.books().contacts.values()] == ["Good One"]


def test_item_code_at_most_30_and_name_at_most_50(raw):
    """§7 Items, WBS-1 (the spec rejects these too, so they are sent raw)."""
    answer = raw("PUT", "Items", {"Items": [{"Code": "C" * 31}, {"Code": "OK", "Name": "N" * 51},
                                            {"Code": "C" * 30, "Name": "N" * 50}]}, params={"summarizeErrors": "false"})
    items = answer.body["Items"]
    assert [i["StatusAttributeString"] for i in items] == ["ERROR", "ERROR", "OK"]
    assert "30" in items[0]["ValidationErrors"][0]["Message"] and "50" in items[1]["ValidationErrors"][0]["Message"]


def test_item_codes_are_unique_and_post_upserts_by_code(xero_client, xero_sandbox):
    """WBS-1, WBS-3: an Item code exists once; PUT of a known code is refused, POST updates it by code; an
    Item can be deleted."""
    xero_client.create_items([{"Code": "01-100-L", "Name": "Labour"}], idempotency_key=key())
    again = xero_client.create_items([{"Code": "01-100-L"}], idempotency_key=key())[0]
    assert not again.ok and "already exists" in again.errors[0]
    updated = xero_client.update_items([{"Code": "01-100-L", "Name": "Labour (site)"}], idempotency_key=key())[0]
    assert updated.ok and len(xero_sandbox.books().items) == 1
    assert xero_client.list_items()[0]["Name"] == "Labour (site)"
    xero_client.delete_item(updated.id)
    assert xero_client.list_items() == []


def test_contact_names_are_unique_among_active_contacts(xero_client):
    """CO-1, CO-3: §7 Contacts: "The contact name must be unique across all active contacts"."""
    first = xero_client.create_contacts([{"Name": "Smith Plumbing"}], idempotency_key=key())[0]
    dup = xero_client.create_contacts([{"Name": "smith plumbing "}], idempotency_key=key())[0]
    assert not dup.ok and "unique across all active contacts" in dup.errors[0]
    xero_client.update_contacts([{"ContactID": first.id, "ContactStatus": "ARCHIVED"}], idempotency_key=key())
    assert xero_client.create_contacts([{"Name": "Smith Plumbing"}], idempotency_key=key())[0].ok


def test_contact_lookups(xero_client):
    """SYNC-8, CO-3: contacts are found by ContactNumber (exact), by name and by id, as the export's recovery
    and the suggestions look them up."""
    created = xero_client.create_contacts([{"Name": "Lookup Co", "ContactNumber": "PC-77"}], idempotency_key=key())
    assert xero_client.find_contact_by_number("PC-77")["ContactID"] == created[0].id
    assert xero_client.find_contact_by_number("PC-7") is None
    assert [c["ContactID"] for c in xero_client.find_contacts_by_name("lookup co")] == [created[0].id]
    assert xero_client.get_contact(created[0].id)["Name"] == "Lookup Co"
    assert [c["Name"] for c in xero_client.iter_contacts(ids=[created[0].id])] == ["Lookup Co"]


def test_contact_groups(xero_client, contact_id):
    """§7 ContactGroups (CO-2: the "Procore" group marks vendors to import)."""
    group = xero_client.create_contact_group("Procore", idempotency_key=key())
    with pytest.raises(ValidationFailed):
        xero_client.create_contact_group("Procore", idempotency_key=key())
    xero_client.add_contacts_to_group(group["ContactGroupID"], [contact_id], idempotency_key=key())
    assert [g["Name"] for g in xero_client.list_contact_groups()] == ["Procore"]
    assert [c["ContactID"] for c in xero_client.list_group_contacts(group["ContactGroupID"])] == [contact_id]
    assert xero_client.get_contact(contact_id)["ContactGroups"][0]["Name"] == "Procore"


def test_at_most_two_active_tracking_categories_and_four_in_all(raw, xero_client):
    """PRJ-2: §7 TC-DOC: 2 active, 4 in total."""
    ids = [xero_client.create_tracking_category(n, idempotency_key=key())["TrackingCategoryID"] for n in ("A", "B")]
    with pytest.raises(ValidationFailed):
        xero_client.create_tracking_category("C", idempotency_key=key())
    for cat_id in ids:
        assert raw("POST", f"TrackingCategories/{cat_id}", {"Status": "ARCHIVED"}).status_code == 200
    for name in ("C", "D"):
        xero_client.create_tracking_category(name, idempotency_key=key())
    assert raw("POST", f"TrackingCategories/{ids[0]}", {"Status": "ACTIVE"}).status_code == 400
    with pytest.raises(ValidationFailed) as info:
        xero_client.create_tracking_category("E", idempotency_key=key())
    assert "active" in info.value.message or "4 tracking" in info.value.message
    assert len(xero_client.list_tracking_categories(include_archived=True)) == 4
    assert len(xero_client.list_tracking_categories(include_archived=False)) == 2


def test_at_most_100_options_per_category_archived_ones_included(xero_client, xero_sandbox):
    """PRJ-2: §7: up to 100 options; archived ones count ([UNCONFIRMED], the strict choice)."""
    category = xero_client.create_tracking_category("Project", idempotency_key=key())
    cat_id = category["TrackingCategoryID"]
    for i in range(100):
        xero_sandbox.books().create_tracking_option(xero_sandbox.books().tracking[cat_id], {"Name": f"P{i}"})
    with pytest.raises(ValidationFailed) as info:
        xero_client.create_tracking_option(cat_id, "P100", idempotency_key=key())
    assert "100 options" in info.value.message


def test_tracking_options_rename_archive_restore(xero_client, contact_id):
    """PRJ-2: options are archived when a project closes and restored when it reopens."""
    cat = xero_client.create_tracking_category("Project", idempotency_key=key())
    option = xero_client.create_tracking_option(cat["TrackingCategoryID"], "Job 1 - Tower", idempotency_key=key())
    ids = (cat["TrackingCategoryID"], option["TrackingOptionID"])
    assert xero_client.rename_tracking_option(*ids, "Job 1 - Tower A", idempotency_key=key())["Name"] == \
        "Job 1 - Tower A"
    assert xero_client.archive_tracking_option(*ids, idempotency_key=key())["Status"] == "ARCHIVED"
    tracked = bill(contact_id, tracking=[{"Name": "Project", "Option": "Job 1 - Tower A"}])
    assert not xero_client.create_invoices([tracked], idempotency_key=key())[0].ok
    assert xero_client.restore_tracking_option(*ids, idempotency_key=key())["Status"] == "ACTIVE"
    assert xero_client.create_invoices([tracked], idempotency_key=key())[0].ok


def test_tracking_is_given_by_name_and_option_and_checked(xero_client, contact_id):
    """PRJ-1, WBS-6: §5 Tracking: Name + Option, checked against active categories; read back with IDs."""
    cat = xero_client.create_tracking_category("Project", idempotency_key=key())
    xero_client.create_tracking_option(cat["TrackingCategoryID"], "Job 7", idempotency_key=key())
    results = xero_client.create_invoices([
        bill(contact_id, "T-1", tracking=[{"Name": "Project", "Option": "Job 7"}]),
        bill(contact_id, "T-2", tracking=[{"Name": "Projects", "Option": "Job 7"}]),
        bill(contact_id, "T-3", tracking=[{"Name": "Project", "Option": "Job 8"}]),
    ], idempotency_key=key())
    assert [r.ok for r in results] == [True, False, False]
    assert "Unknown tracking details" in results[1].errors[0]
    tracking = results[0].document["LineItems"][0]["Tracking"][0]
    assert tracking["Option"] == "Job 7" and tracking["TrackingOptionID"]


def test_invoice_status_transitions(xero_client, contact_id):
    """SYNC-7: §5: DRAFT→SUBMITTED/AUTHORISED/DELETED, SUBMITTED→DRAFT/AUTHORISED/DELETED, AUTHORISED→VOIDED."""
    draft = xero_client.create_invoices([bill(contact_id, status="DRAFT")], idempotency_key=key())[0]

    def move(status):
        return xero_client.update_invoices([{"InvoiceID": draft.id, "Status": status}], idempotency_key=key())[0]

    assert move("SUBMITTED").ok and move("DRAFT").ok and move("AUTHORISED").ok
    refused = move("DRAFT")
    assert not refused.ok and "not of valid status" in refused.errors[0]
    assert not move("PAID").ok
    assert move("VOIDED").ok
    assert not move("AUTHORISED").ok
    other = xero_client.create_invoices([bill(contact_id, status="DRAFT")], idempotency_key=key())[0]
    assert xero_client.update_invoices([{"InvoiceID": other.id, "Status": "DELETED"}], idempotency_key=key())[0].ok


def test_accpay_numbers_are_not_unique_accrec_numbers_are(xero_client, contact_id):
    """INV-4, INV-5: §5: ACCPAY InvoiceNumber is "non-unique"; ACCREC is unique (and generated when missing)."""
    bills = xero_client.create_invoices([bill(contact_id, "SAME"), bill(contact_id, "SAME")], idempotency_key=key())
    assert all(r.ok for r in bills)
    sales = xero_client.create_invoices([dict(bill(contact_id, "INV-9"), Type="ACCREC"),
                                         dict(bill(contact_id, "INV-9"), Type="ACCREC"),
                                         {k: v for k, v in bill(contact_id, "x").items() if k != "InvoiceNumber"}
                                         | {"Type": "ACCREC"}], idempotency_key=key())
    assert [r.ok for r in sales] == [True, False, True]
    assert sales[2].document["InvoiceNumber"].startswith("INV-")
    found = xero_client.find_invoices(invoice_numbers=["SAME"], contact_ids=[contact_id], statuses=["AUTHORISED"])
    assert len(found) == 2


def test_payments_mark_paid_are_immutable_and_deleting_reopens_the_bill(xero_client, raw, contact_id, xero_clock):
    """PAY-1, PAY-3: §6: PAID when fully paid; payments cannot be updated, only deleted; deleting re-opens the
    bill."""
    invoice = xero_client.create_invoices([bill(contact_id, amount="100.00")], idempotency_key=key())[0]
    pay = {"Invoice": {"InvoiceID": invoice.id}, "Account": {"Code": "090"}, "Date": "2026-05-10"}
    part = xero_client.create_payments([dict(pay, Amount=Decimal("40.00"))], idempotency_key=key())[0]
    assert part.ok and part.document["PaymentType"] == "ACCPAYPAYMENT"
    too_much = xero_client.create_payments([dict(pay, Amount=Decimal("60.01"))], idempotency_key=key())[0]
    assert not too_much.ok
    rest = xero_client.create_payments([dict(pay, Amount=Decimal("60.00"))], idempotency_key=key())[0]
    paid = xero_client.get_invoice(invoice.id)
    assert paid["Status"] == "PAID" and paid["AmountDue"] == 0 and paid["FullyPaidOnDate"].isoformat() == "2026-05-10"
    changed = raw("POST", f"Payments/{rest.id}", {"Payments": [{"Amount": 1}]})
    assert changed.status_code == 400 and "only" in changed.body["Elements"][0]["ValidationErrors"][0]["Message"]
    xero_clock.advance(10)
    mark = xero_clock.now()
    xero_clock.advance(10)
    deleted = xero_client.delete_payment(rest.id, idempotency_key=key())
    assert deleted["Status"] == "DELETED"
    reopened = xero_client.get_invoice(invoice.id)
    assert reopened["Status"] == "AUTHORISED" and reopened["AmountDue"] == Decimal("60.00")
    changed_since = list(xero_client.iter_payments(if_modified_since=mark))
    assert [(p["PaymentID"], p["Status"]) for p in changed_since] == [(rest.id, "DELETED")]
    assert len(list(xero_client.iter_payments(where='PaymentType=="ACCPAYPAYMENT"'))) == 2


def test_voiding_a_bill_with_payments_is_refused(xero_client, contact_id):
    """SYNC-7, PAY-3: §5: payments must be deleted before an invoice can be voided."""
    invoice = xero_client.create_invoices([bill(contact_id)], idempotency_key=key())[0]
    xero_client.create_payments([{"Invoice": {"InvoiceID": invoice.id}, "Account": {"Code": "090"},
                                  "Date": "2026-05-10", "Amount": Decimal("10")}], idempotency_key=key())
    voided = xero_client.update_invoices([{"InvoiceID": invoice.id, "Status": "VOIDED"}], idempotency_key=key())[0]
    assert not voided.ok


def test_idempotency_key_replays_the_first_answer_and_creates_nothing(xero_client, xero_sandbox, contact_id, raw):
    """§3, SYNC-8: a repeated key returns the first answer; a key reused for another request is refused."""
    first = xero_client.create_invoices([bill(contact_id, "IK")], idempotency_key="same-key")
    second = xero_client.create_invoices([bill(contact_id, "IK")], idempotency_key="same-key")
    assert first[0].id == second[0].id and len(xero_sandbox.books().invoices) == 1
    other = raw("PUT", "Invoices", {"Invoices": [bill(contact_id, "OTHER")]}, params={"summarizeErrors": "false"},
                headers={"Idempotency-Key": "same-key"})
    assert other.status_code == 409 and len(xero_sandbox.books().invoices) == 1


def test_where_filters_the_connector_uses(xero_client, contact_id, raw):
    """JC-1, PERF-2: §4 where: Type, Status, Contact.ContactID, Date; a bad clause is a 400."""
    xero_client.create_invoices([bill(contact_id, "W-1"), bill(contact_id, "W-2", status="DRAFT", Date="2026-01-05"),
                                 dict(bill(contact_id, "W-3"), Type="ACCREC")], idempotency_key=key())

    def numbers(where):
        return sorted(i["InvoiceNumber"] for i in xero_client.iter_invoices(where=where))

    assert numbers('Type=="ACCPAY" && Status=="AUTHORISED"') == ["W-1"]
    assert numbers(f'Contact.ContactID==Guid("{contact_id}") AND Type=="ACCPAY"') == ["W-1", "W-2"]
    assert numbers("Date >= DateTime(2026,03,01)") == ["W-1", "W-3"]
    assert numbers('Status=="DRAFT" || Type=="ACCREC"') == ["W-2", "W-3"]
    assert raw("GET", "Invoices", params={"where": "Type=="}).status_code == 400


def test_bank_transactions_spend_filter_and_rules(xero_client, contact_id):
    """JC-1: §7 BankTransactions: Type, LineItems, BankAccount required; a BANK account; where Type=="SPEND"."""
    spend = {"Type": "SPEND", "Contact": {"ContactID": contact_id}, "BankAccount": {"Code": "090"},
             "Date": "2026-05-02", "LineItems": [{"Description": "Fuel", "UnitAmount": Decimal("50"),
                                                   "AccountCode": "429"}]}
    results = xero_client.create_bank_transactions([spend, dict(spend, Type="RECEIVE"),
                                                    dict(spend, BankAccount={"Code": "429"}),
                                                    dict(spend, Type="SPEND-TRANSFER")], idempotency_key=key())
    assert [r.ok for r in results] == [True, True, False, False]
    assert [t["Type"] for t in xero_client.iter_bank_transactions()] == ["SPEND"]


def test_credit_notes_and_manual_journals(xero_client, contact_id):
    """JC-1, JC-8: supplier credit notes are filtered by type; a manual journal must balance, and its lines
    read back with Decimal amounts."""
    note = {"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contact_id}, "Status": "AUTHORISED",
            "LineItems": [{"Description": "Credit", "UnitAmount": Decimal("20"), "AccountCode": "320"}]}
    assert xero_client.create_credit_notes([note], idempotency_key=key())[0].ok
    assert [n["Type"] for n in xero_client.iter_credit_notes(where='Type=="ACCPAYCREDIT"')] == ["ACCPAYCREDIT"]
    journal = {"Narration": "Accrual", "Status": "POSTED", "JournalLines": [
        {"LineAmount": Decimal("25"), "AccountCode": "429"}, {"LineAmount": Decimal("-25"), "AccountCode": "800"}]}
    unbalanced = dict(journal, JournalLines=[{"LineAmount": Decimal("25"), "AccountCode": "429"},
                                             {"LineAmount": Decimal("-20"), "AccountCode": "800"}])
    results = xero_client.write("ManualJournals", [journal, unbalanced], idempotency_key=key())
    assert [r.ok for r in results] == [True, False]
    journals = list(xero_client.iter_manual_journals())
    assert journals[0]["JournalLines"][0]["LineAmount"] == Decimal("25.00")


def test_purchase_orders(xero_client, contact_id):
    """§7 PurchaseOrders: numbers generated when missing and unique; approved POs take more lines (CCO-1)."""
    line = {"Description": "Rebar", "Quantity": Decimal("2"), "UnitAmount": Decimal("10.5"), "AccountCode": "330"}
    po = xero_client.create_purchase_orders([{"Contact": {"ContactID": contact_id}, "LineItems": [line],
                                              "Status": "AUTHORISED", "DeliveryDate": "2026-06-01"}],
                                            idempotency_key=key())[0]
    assert po.ok and po.document["PurchaseOrderNumber"] == "PO-0001" and po.document["Total"] == Decimal("24.15")
    dup = xero_client.create_purchase_orders([{"Contact": {"ContactID": contact_id}, "LineItems": [line],
                                               "PurchaseOrderNumber": "PO-0001"}], idempotency_key=key())[0]
    assert not dup.ok
    lines = po.document["LineItems"] + [dict(line, Description="Change order 1")]
    updated = xero_client.update_purchase_orders([{"PurchaseOrderID": po.id, "LineItems": lines}],
                                                 idempotency_key=key())[0]
    assert updated.ok and [li["Description"] for li in xero_client.get_purchase_order(po.id)["LineItems"]] == \
        ["Rebar", "Change order 1"]
    assert xero_client.get_purchase_order(po.id)["DeliveryDate"].isoformat() == "2026-06-01"


def test_amounts_are_checked(xero_client, contact_id, raw):
    """BOOK-4: §9: UnitAmount 2 dp unless unitdp=4; LineAmount must equal Quantity x UnitAmount; §3 Total must
    match."""
    results = xero_client.create_invoices([
        bill(contact_id, amount="10.123"),
        bill(contact_id, LineItems=[{"Description": "x", "Quantity": Decimal("3"), "UnitAmount": Decimal("1"),
                                     "LineAmount": Decimal("4"), "AccountCode": "320"}]),
    ], idempotency_key=key())
    assert [r.ok for r in results] == [False, False]
    total = raw("PUT", "Invoices", {"Invoices": [dict(bill(contact_id), Total=Decimal("1"))]},
                params={"summarizeErrors": "false"})  # Total is read-only in the spec: sent raw
    assert total.body["Invoices"][0]["HasErrors"] is True
    ok = xero_client.write("Invoices", [bill(contact_id, amount="10.1234")], idempotency_key=key(),
                           params={"unitdp": 4})[0]
    assert ok.ok and ok.document["LineItems"][0]["UnitAmount"] == Decimal("10.1234")


def test_fault_rates_are_reproducible_and_writes_stay_exactly_once(xero_client, xero_sandbox):
    """REL-1, REL-2, SYNC-8 soak: random drops, 429s, 5xx and timeouts; every write lands exactly once."""
    xero_sandbox.set_fault_rates(drop=0.1, rate_limit=0.1, server_error=0.1, timeout=0.1, seed=7)
    xero_client.max_retries = 20
    for i in range(30):
        assert xero_client.create_contacts([{"Name": f"Soak {i}"}], idempotency_key=f"soak-{i}")[0].ok
    names = sorted(c["Name"] for c in xero_sandbox.books().contacts.values())
    assert names == sorted(f"Soak {i}" for i in range(30))


def _http_client(sandbox: XeroSandbox):
    """A plain WSGI client: no `sandbox.in_process` in the environ, as when served over real HTTP."""
    http = Client(sandbox.wsgi_app)
    answer = http.get("/identity/connect/authorize?response_type=code&client_id=c&scope=offline_access%20"
                      "accounting.contacts&redirect_uri=https://cb.example/x&state=s")
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    token = http.post("/connect/token", data={"grant_type": "authorization_code", "code": code,
                                              "client_id": "c", "client_secret": "s"}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": sandbox.default_tenant_id,
               "Content-Type": "application/json", "Idempotency-Key": "http-1"}
    return http, headers


def test_over_http_a_drop_commits_and_answers_502_with_an_empty_body():
    """SYNC-8, REL-2: a dropped answer has still committed the write (as with Xero); replaying it with the
    same Idempotency-Key creates nothing more."""
    sandbox = XeroSandbox()
    http, headers = _http_client(sandbox)
    sandbox.fail_next(1, drop=True)
    answer = http.put("/api.xro/2.0/Contacts", data='{"Contacts": [{"Name": "Dropped"}]}', headers=headers)
    assert answer.status_code == 502 and answer.data == b""
    assert [c["Name"] for c in sandbox.books().contacts.values()] == ["Dropped"]
    replay = http.put("/api.xro/2.0/Contacts", data='{"Contacts": [{"Name": "Dropped"}]}', headers=headers)
    assert replay.status_code == 200 and len(sandbox.books().contacts) == 1


def test_over_http_a_timeout_waits_and_commits_nothing():
    """REL-2: a timed-out call is a 504 that committed nothing."""
    sandbox = XeroSandbox(http_timeout_seconds=0)
    http, headers = _http_client(sandbox)
    sandbox.fail_next(1, timeout=True)
    answer = http.put("/api.xro/2.0/Contacts", data='{"Contacts": [{"Name": "Late"}]}', headers=headers)
    assert answer.status_code == 504 and sandbox.books().contacts == {}


def test_client_secret_is_remembered_on_first_use():
    """CONN-2: the sandbox remembers the client secret first used; another one is invalid_client, as Xero
    answers a wrong secret."""
    sandbox = XeroSandbox()
    http, _ = _http_client(sandbox)
    answer = http.post("/connect/token", data={"grant_type": "refresh_token", "refresh_token": "x",
                                               "client_id": "c", "client_secret": "other"})
    assert answer.status_code == 400 and answer.json == {"error": "invalid_client"}


def test_calls_are_counted_per_endpoint(xero_client, xero_sandbox, contact_id):
    """PERF-1: tests count calls to the bill endpoint with `calls_to("PUT", "/Invoices")`, per tenant too."""
    xero_client.create_invoices([bill(contact_id)], idempotency_key=key())
    assert xero_sandbox.calls_to("PUT", "/Invoices") == 1
    assert xero_sandbox.calls_to("PUT", "/Invoices", tenant_id=xero_sandbox.default_tenant_id) == 1
    assert ("PUT", "/api.xro/2.0/Invoices", xero_sandbox.default_tenant_id) in xero_sandbox.calls


def test_unit_prices_read_back_to_two_places_unless_unitdp_4(xero_client, contact_id, raw):
    """BOOK-4, FID-1: a unit price stored through unitdp=4 reads back rounded to 2 places without it, as
    Xero answers (spec `unitdp`), so a test reading 4 places must ask for them as the connector does."""
    bill_id = xero_client.write("Invoices", [bill(contact_id, amount="10.1234")], idempotency_key=key(),
                                params={"unitdp": 4})[0].document["InvoiceID"]
    plain = raw("GET", f"Invoices/{bill_id}")
    assert plain.body["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("10.12")
    four = raw("GET", f"Invoices/{bill_id}", params={"unitdp": "4"})
    assert four.body["Invoices"][0]["LineItems"][0]["UnitAmount"] == Decimal("10.1234")
    assert four.body["Invoices"][0]["Total"] == plain.body["Invoices"][0]["Total"]


def test_a_line_on_an_item_takes_its_account_and_a_line_with_neither_is_refused(xero_client, contact_id):
    """BOOK-2, issue 12 point 10: a line with an ItemCode and no AccountCode posts to the Item's purchase
    account on a bill and a purchase order, its sales account on a sales invoice; an AUTHORISED line with
    neither is refused ("Account code must be specified"), a DRAFT one is kept without an account."""
    xero_client.create_items([{"Code": "03-300.L", "Name": "Concrete - Labor",
                               "PurchaseDetails": {"AccountCode": "320"}, "SalesDetails": {"AccountCode": "260"}}],
                             idempotency_key=key())
    on_item = {"Description": "Slab", "Quantity": Decimal("1"), "UnitAmount": Decimal("100.00"), "ItemCode": "03-300.L"}
    neither = {"Description": "Slab", "Quantity": Decimal("1"), "UnitAmount": Decimal("100.00")}

    [purchase, sale] = xero_client.create_invoices([
        {**bill(contact_id, "B-ITEM"), "LineItems": [on_item]},
        {**bill(contact_id, "S-ITEM"), "Type": "ACCREC", "LineItems": [on_item]}], idempotency_key=key())
    assert purchase.ok and sale.ok, (purchase.errors, sale.errors)
    assert xero_client.get_invoice(purchase.id)["LineItems"][0]["AccountCode"] == "320"
    assert xero_client.get_invoice(sale.id)["LineItems"][0]["AccountCode"] == "260"
    [order] = xero_client.create_purchase_orders([{"Contact": {"ContactID": contact_id}, "Date": "2026-05-01",
                                                   "LineItems": [on_item]}], idempotency_key=key())
    assert order.ok and xero_client.get_purchase_order(order.id)["LineItems"][0]["AccountCode"] == "320"

    [refused, draft] = xero_client.create_invoices([
        {**bill(contact_id, "B-NONE"), "LineItems": [neither]},
        {**bill(contact_id, "B-DRAFT", status="DRAFT"), "LineItems": [neither]}], idempotency_key=key())
    assert not refused.ok and "Account code must be specified" in refused.errors[0]
    assert draft.ok and "AccountCode" not in xero_client.get_invoice(draft.id)["LineItems"][0]
    approve = xero_client.update_invoices([{"InvoiceID": draft.id, "Status": "AUTHORISED"}], idempotency_key=key())[0]
    assert not approve.ok and "Account code must be specified" in approve.errors[0]
