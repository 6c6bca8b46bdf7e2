"""Webhook signatures and events (REL-4), and the JSON/date parsing of answers (§9)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.xero_client.conftest import bill, key
from xero_client import parsing
from xero_client.sandbox import XeroSandbox
from xero_client.webhooks import MalformedWebhook, parse_events, sign, verify_signature

KEY = "webhook-key-123"
BODY = json.dumps({"events": [{
    "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777",
    "resourceId": "717f2bfc-c6d4-41fd-b238-3f2f0c0cf777", "eventDateUtc": "2024-06-21T01:15:39.9020000",
    "eventType": "UPDATE", "eventCategory": "INVOICE", "tenantId": "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f",
    "tenantType": "ORGANISATION"}], "lastEventSequence": 1, "firstEventSequence": 1,
    "entropy": "S0m3r4Nd0mt3xt"}).encode()


def test_good_signature_is_accepted():
    """REL-4: base64(HMAC-SHA256(raw body, key))."""
    assert verify_signature(BODY, sign(BODY, KEY), KEY)


@pytest.mark.parametrize("header", [None, "", "not base64!!", sign(b"other body", KEY), sign(BODY, "other-key")])
def test_bad_signature_is_refused(header):
    """REL-4: a bad, missing or foreign signature is refused (the receiver answers 401)."""
    assert not verify_signature(BODY, header, KEY)


def test_signature_is_over_the_raw_bytes():
    """REL-4: the signature is checked over the raw bytes received: a re-serialised body, or an empty key,
    never verifies."""
    reformatted = json.dumps(json.loads(BODY), indent=2).encode()
    assert not verify_signature(reformatted, sign(BODY, KEY), KEY)
    assert not verify_signature(BODY, sign(BODY, KEY), "")


def test_events_are_parsed():
    """REL-4: a delivery's events come with their category, type, date and the key that deduplicates them."""
    payload = parse_events(BODY)
    event = payload.events[0]
    assert event.event_category == "INVOICE" and event.event_type == "UPDATE"
    assert event.event_date_utc == datetime(2024, 6, 21, 1, 15, 39, 902000, tzinfo=UTC)
    assert event.dedupe_key[1] == "717f2bfc-c6d4-41fd-b238-3f2f0c0cf777"
    assert payload.first_event_sequence == 1 and not payload.is_intent_to_receive


def test_intent_to_receive_has_no_events():
    """REL-4: Xero's intent-to-receive handshake is recognised as having no events."""
    payload = parse_events(b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"X"}')
    assert payload.is_intent_to_receive


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"events": {}}', b'{"events": [1]}',
                                  b'{"events": [{"resourceId": "x"}]}',
                                  b'{"events": [{"resourceId": "x", "eventCategory": "INVOICE", "eventType": "CREATE",'
                                  b' "tenantId": "t", "eventDateUtc": "yesterday"}]}'])
def test_malformed_webhook_bodies_raise_a_clear_error(body):
    """REL-6: a bad body is a MalformedWebhook with the reason."""
    with pytest.raises(MalformedWebhook):
        parse_events(body)


def test_sandbox_delivers_signed_events_for_contacts_invoices_and_credit_notes(
        xero_client, xero_sandbox, contact_id):
    """REL-4: the sandbox POSTs signed CONTACT/INVOICE/CREDITNOTE events through `deliver`."""
    received = []
    xero_sandbox.webhook_url = "https://connector.example.com/webhooks/xero"
    xero_sandbox.webhook_key = KEY
    xero_sandbox.deliver = lambda url, headers, body: received.append((url, headers, body))
    xero_client.update_contacts([{"ContactID": contact_id, "Name": "Acme Concrete Pty"}], idempotency_key=key())
    xero_client.create_invoices([bill(contact_id)], idempotency_key=key())
    xero_client.create_credit_notes([{"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contact_id}, "LineItems": [
        {"Description": "Refund", "UnitAmount": Decimal("5"), "AccountCode": "320"}]}], idempotency_key=key())
    xero_client.create_items([{"Code": "NO-EVENT"}], idempotency_key=key())
    events = []
    for url, headers, body in received:
        assert url == xero_sandbox.webhook_url
        assert verify_signature(body, headers["x-xero-signature"], KEY)
        events.extend(parse_events(body).events)
    assert [(e.event_category, e.event_type) for e in events] == [
        ("CONTACT", "UPDATE"), ("INVOICE", "CREATE"), ("CREDITNOTE", "CREATE")]
    assert all(e.tenant_id == xero_sandbox.default_tenant_id for e in events)
    assert events[1].resource_url.startswith("https://api.xero.com/api.xro/2.0/Invoices/")
    assert events[2].data == {"Type": "ACCPAYCREDIT", "Status": "DRAFT"}


def test_a_failing_webhook_receiver_does_not_break_the_api(xero_client, xero_sandbox):
    """FID-1: the sandbox's webhook delivery failing (receiver down) never fails the API call that caused it,
    as with Xero."""
    def boom(url, headers, body):
        raise ConnectionError("receiver down")

    xero_sandbox.webhook_url, xero_sandbox.webhook_key, xero_sandbox.deliver = "https://x.example/h", KEY, boom
    assert xero_client.create_contacts([{"Name": "Still Saved"}], idempotency_key=key())[0].ok
    assert xero_sandbox.webhook_deliveries[-1]["ok"] is False


def test_sandbox_constructor_takes_webhook_settings():
    """FID-1: the sandbox command can configure the Xero sandbox's webhook URL and key."""
    got = []
    sandbox = XeroSandbox(webhook_url="https://h.example/x", webhook_key=KEY, deliver=lambda *a: got.append(a))
    assert sandbox.webhook_url and sandbox.deliver is not None


# ---------------------------------------------------------------- parsing (§9)
@pytest.mark.parametrize(("text", "as_date", "expected"), [
    ("/Date(1518685950940+0000)/", False, datetime(2018, 2, 15, 9, 12, 30, 940000, tzinfo=UTC)),
    ("/Date(1439434356790)/", False, datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
    ("/Date(1518652800000+1300)/", True, date(2018, 2, 15)),  # 00:00 UTC is 13:00 in +13:00
    ("/Date(1518649200000+1300)/", True, date(2018, 2, 15)),  # 23:00 UTC the day before, 12:00 local
    ("/Date(1518652800000-0500)/", True, date(2018, 2, 14)),
])
def test_msdates_apply_their_offset(text, as_date, expected):
    """BOOK-1: Xero's /Date(ms+zzzz)/ values are read with their offset, as dates or aware datetimes."""
    assert parsing.parse_msdate(text, as_date=as_date) == expected


def test_offset_is_kept_on_timestamps():
    """BOOK-1: a timestamp keeps its offset and is the same instant in UTC."""
    moment = parsing.parse_msdate("/Date(1518685950940+0530)/")
    assert moment.utcoffset() == timedelta(hours=5, minutes=30)
    assert moment == datetime(2018, 2, 15, 9, 12, 30, 940000, tzinfo=UTC)


def test_loads_converts_money_dates_and_keeps_unknown_enums():
    """REL-6, BOOK-4: answers are read with Decimal money, dates and aware timestamps; an unknown enum value
    stays text instead of failing."""
    data = parsing.loads(b'{"Invoices":[{"Total":100,"AmountDue":12.30,"Status":"NEWSTATUS","Date":"/Date(0+0000)/",'
                         b'"UpdatedDateUTC":"/Date(0+0000)/","FullyPaidOnDate":"/Date(86400000)/"}],'
                         b'"pagination":{"page":1,"pageSize":100,"pageCount":1,"itemCount":1}}')
    invoice = data["Invoices"][0]
    assert invoice["Total"] == Decimal("100") and isinstance(invoice["Total"], Decimal)
    assert str(invoice["AmountDue"]) == "12.30"
    assert invoice["Status"] == "NEWSTATUS"
    assert invoice["Date"] == date(1970, 1, 1) and invoice["FullyPaidOnDate"] == date(1970, 1, 2)
    assert invoice["UpdatedDateUTC"] == datetime(1970, 1, 1, tzinfo=UTC)
    assert data["pagination"]["page"] == 1 and isinstance(data["pagination"]["page"], int)


def test_dumps_writes_exact_decimals_and_plain_dates():
    """BOOK-4, REL-6: payloads carry exact decimals and YYYY-MM-DD dates; a float or a naive datetime is
    refused before anything is sent."""
    text = parsing.dumps({"A": Decimal("100.00"), "B": [Decimal("-0.5")], "D": date(2026, 1, 2),
                          "T": datetime(2026, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2)))})
    assert text == '{"A": 100.00, "B": [-0.5], "D": "2026-01-02", "T": "2026-01-02T03:04:00+02:00"}'
    with pytest.raises(TypeError):
        parsing.dumps({"A": 1.5})
    with pytest.raises(ValueError):
        parsing.dumps({"T": datetime(2026, 1, 1)})


def test_if_modified_since_format():
    """PERF-2: If-Modified-Since is sent in UTC, to the second."""
    moment = datetime(2026, 1, 31, 23, 0, 1, 999, tzinfo=timezone(timedelta(hours=-1)))
    assert parsing.format_if_modified_since(moment) == "2026-02-01T00:00:01Z"
