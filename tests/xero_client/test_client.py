"""XeroClient against the sandbox: headers, batches, paging, limits, retries, errors."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from tests.xero_client.conftest import bill, key
from xero_client import ElementResult, TenantLimiter, XeroClient
from xero_client.errors import (
    AuthError,
    DailyLimitReached,
    MalformedResponse,
    NotFound,
    RateLimited,
    TransientError,
    ValidationFailed,
)


def test_every_request_carries_tenant_accept_bearer_and_idempotency_key(xero_client, xero_session):
    """SYNC-8: PUT/POST carry the caller's Idempotency-Key; every call the tenant, Accept and bearer."""
    seen = []
    xero_session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    xero_client.create_contacts([{"Name": "Hdr Ltd"}], idempotency_key="contact-hdr-v1")
    xero_client.list_accounts()
    put, get = seen
    assert put.headers["Idempotency-Key"] == "contact-hdr-v1"
    assert "Idempotency-Key" not in get.headers
    for request in seen:
        assert request.headers["xero-tenant-id"] == xero_client.tenant_id
        assert request.headers["Accept"] == "application/json"
        assert request.headers["Authorization"].startswith("Bearer ")
    assert "summarizeErrors=false" in put.url


@pytest.mark.parametrize("bad", [None, "", "   "])
def test_writes_refuse_a_missing_idempotency_key(xero_client, bad):
    """SYNC-8: no write leaves without its key."""
    with pytest.raises(ValueError):
        xero_client.write("Contacts", [{"Name": "X"}], idempotency_key=bad)
    with pytest.raises(ValueError):
        xero_client.create_contact_group("G", idempotency_key=bad)


def test_write_refuses_more_than_50_elements(xero_client, xero_sandbox):
    """REL-3: batches of at most 50."""
    with pytest.raises(ValueError):
        xero_client.create_contacts([{"Name": f"C{i}"} for i in range(51)], idempotency_key=key())
    assert xero_sandbox.calls_to("PUT", "/Contacts") == 0
    results = xero_client.create_contacts([{"Name": f"C{i}"} for i in range(50)], idempotency_key=key())
    assert len(results) == 50 and all(r.ok for r in results)


def test_partial_batch_success_returns_one_result_per_element_in_order(xero_client, xero_sandbox, contact_id):
    """REL-3: with summarizeErrors=false each element gets its own document or its messages."""
    batch = [bill(contact_id, "B-1"), bill(contact_id, "B-2", LineItems=[{"Description": "x", "AccountCode": "999",
                                                                          "UnitAmount": Decimal("5")}]),
             bill(contact_id, "B-3")]
    results = xero_client.create_invoices(batch, idempotency_key=key())
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].document["InvoiceNumber"] == "B-1" and results[2].document["InvoiceNumber"] == "B-3"
    assert results[1].id is None
    assert any("999" in m for m in results[1].errors)
    assert results[0].id and results[0].document["Total"] == Decimal("100.00")
    assert len(xero_sandbox.books().invoices) == 2


def test_answers_are_parsed_with_decimal_money_and_dates(xero_client, contact_id):
    """REL-6, BOOK-1: money is Decimal, document dates are dates, timestamps aware datetimes."""
    created = xero_client.create_invoices([bill(contact_id, amount="12.34")], idempotency_key=key())[0]
    invoice = xero_client.get_invoice(created.id)
    assert invoice["Total"] == Decimal("12.34") and isinstance(invoice["Total"], Decimal)
    assert invoice["Date"] == date(2026, 5, 1) and invoice["DueDate"] == date(2026, 5, 31)
    assert isinstance(invoice["UpdatedDateUTC"], datetime) and invoice["UpdatedDateUTC"].tzinfo is not None


def test_get_unknown_document_raises_not_found(xero_client):
    """SYNC-7, REL-6: reading a document Xero does not hold raises NotFound (what unlink and the duplicate
    checks rely on)."""
    with pytest.raises(NotFound):
        xero_client.get_invoice("6f0d2c87-5b0e-4a47-9a36-6f5d6b5b0a11")


def test_paging_reads_every_page_and_stops_on_a_short_page(xero_client, xero_sandbox, contact_id):
    """PERF-2: pages of pageSize with the pagination block; a short page ends the loop."""
    for start in range(0, 120, 50):
        xero_client.create_invoices([bill(contact_id, f"P-{i}") for i in range(start, min(start + 50, 120))],
                                    idempotency_key=key())
    before = xero_sandbox.calls_to("GET", "/Invoices")
    numbers = [inv["InvoiceNumber"] for inv in xero_client.iter_pages("Invoices", page_size=50)]
    assert numbers == [f"P-{i}" for i in range(120)]
    assert xero_sandbox.calls_to("GET", "/Invoices") - before == 3
    first = list(xero_client.iter_pages("Invoices", page_size=50))[0]
    assert first["LineItems"], "paged reads include the line items (§4)"


def test_paging_stops_at_page_count_when_the_last_page_is_full(xero_client, xero_sandbox, contact_id):
    """PERF-2: an exact multiple of pageSize costs no extra empty call (pagination.pageCount)."""
    xero_client.create_invoices([bill(contact_id, f"Q-{i}") for i in range(20)], idempotency_key=key())
    before = xero_sandbox.calls_to("GET", "/Invoices")
    assert len(list(xero_client.iter_pages("Invoices", page_size=10))) == 20
    assert xero_sandbox.calls_to("GET", "/Invoices") - before == 2


def test_if_modified_since_returns_only_what_changed(xero_client, xero_clock, contact_id):
    """PERF-2: If-Modified-Since against UpdatedDateUTC."""
    old = xero_client.create_invoices([bill(contact_id, "OLD")], idempotency_key=key())[0]
    xero_clock.advance(3600)
    mark = xero_clock.now()
    xero_clock.advance(60)
    xero_client.create_invoices([bill(contact_id, "NEW")], idempotency_key=key())
    changed = list(xero_client.iter_invoices(if_modified_since=mark))
    assert [i["InvoiceNumber"] for i in changed] == ["NEW"]
    xero_client.update_invoices([{"InvoiceID": old.id, "Status": "VOIDED"}], idempotency_key=key())
    assert {i["InvoiceNumber"] for i in xero_client.iter_invoices(if_modified_since=mark)} == {"OLD", "NEW"}


def test_429_storm_finishes_with_every_write_done_once(xero_client, xero_sandbox, xero_clock):
    """REL-1: minute/concurrent/appminute 429s sleep Retry-After and retry; nothing is duplicated."""
    xero_sandbox.fail_next(8, status=429, problem="minute", retry_after=7)
    xero_sandbox.fail_next(3, status=429, problem="concurrent", retry_after=1)
    xero_sandbox.fail_next(2, status=429, problem="appminute", retry_after=2)
    for i in range(5):
        results = xero_client.create_contacts([{"Name": f"Storm {i}"}], idempotency_key=f"storm-{i}")
        assert results[0].ok
    names = sorted(c["Name"] for c in xero_sandbox.books().contacts.values())
    assert names == [f"Storm {i}" for i in range(5)]
    assert xero_clock.slept.count(7) == 8 and xero_clock.slept.count(2) == 2


def test_rate_limited_gives_up_after_its_retry_budget(xero_sandbox, xero_client):
    """REL-1: a never-ending storm ends in RateLimited, carrying the problem and Retry-After."""
    xero_client.max_rate_limit_retries = 3
    xero_sandbox.fail_next(10, status=429, problem="minute", retry_after=5)
    with pytest.raises(RateLimited) as info:
        xero_client.list_accounts()
    assert info.value.problem == "minute" and info.value.retry_after == 5


def test_day_limit_raises_daily_limit_reached_with_the_retry_time(xero_client, xero_sandbox, xero_clock):
    """REL-1: X-Rate-Limit-Problem: day is not retried; DailyLimitReached carries when to come back."""
    xero_sandbox.day_limit = 3
    for _ in range(3):
        xero_client.list_accounts()
    with pytest.raises(DailyLimitReached) as info:
        xero_client.list_accounts()
    retry_at = info.value.retry_at
    assert retry_at.tzinfo is not None
    assert xero_clock.now() + timedelta(hours=23) < retry_at <= xero_clock.now() + timedelta(days=1)
    assert xero_sandbox.calls_to("GET", "/Accounts") == 4


def test_sandbox_minute_limit_is_respected_by_the_client_limiter(xero_client, xero_sandbox, xero_clock):
    """REL-1: 61 calls in a row: the client waits for the rolling minute instead of hitting 429."""
    for _ in range(61):
        xero_client.list_accounts()
    assert xero_sandbox.calls_to("GET", "/Accounts") == 61  # no 429 retries were needed
    assert sum(xero_clock.slept) >= 59


def test_limiter_is_shared_per_tenant_and_follows_xero_headers():
    """REL-1: one limiter per tenant; X-MinLimit-Remaining pads our window when others used calls."""
    assert TenantLimiter.for_tenant("tenant-a") is TenantLimiter.for_tenant("tenant-a")
    assert TenantLimiter.for_tenant("tenant-a") is not TenantLimiter.for_tenant("tenant-b")
    now = [0.0]
    limiter = TenantLimiter(clock=lambda: now[0])
    limiter.acquire(lambda s: None)
    limiter.release({"X-MinLimit-Remaining": "2", "X-DayLimit-Remaining": "4000"})
    assert limiter.calls_in_window() == 58 and limiter.day_remaining == 4000
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    for _ in range(3):
        limiter.acquire(sleep)
        limiter.release()
    assert slept, "the third call had to wait for the window"


def test_limiter_allows_at_most_five_in_flight():
    """REL-1: a sixth caller blocks until one of the five finishes."""
    limiter = TenantLimiter()
    for _ in range(5):
        limiter.acquire(lambda s: None)
    entered = threading.Event()

    def sixth():
        limiter.acquire(lambda s: None)
        entered.set()

    thread = threading.Thread(target=sixth)
    thread.start()
    assert not entered.wait(0.05)
    limiter.release()
    assert entered.wait(2)
    thread.join()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_statuses_are_retried_with_backoff(xero_client, xero_sandbox, xero_clock, status):
    """REL-2: 5xx are retried with exponential backoff and jitter."""
    xero_sandbox.fail_next(3, status=status)
    assert xero_client.get_organisation()["Name"]
    waits = xero_clock.slept
    assert len(waits) == 3 and 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1 and 1 <= waits[2] <= 2


def test_timeouts_are_retried_and_then_given_up(xero_client, xero_sandbox):
    """REL-2: a timeout commits nothing; after max_retries the error is TransientError."""
    xero_sandbox.fail_next(2, timeout=True, method="PUT")
    assert xero_client.create_contacts([{"Name": "After Timeout"}], idempotency_key=key())[0].ok
    assert len(xero_sandbox.books().contacts) == 1
    xero_client.max_retries = 2
    xero_sandbox.fail_next(5, timeout=True)
    with pytest.raises(TransientError):
        xero_client.list_accounts()


def test_dropped_answer_after_commit_creates_no_second_document(xero_client, xero_sandbox, contact_id):
    """SYNC-8, REL-2: the write was committed and the answer lost; the retry with the same key is
    answered from the first result and no second bill appears (ACCPAY numbers are not unique)."""
    xero_sandbox.fail_next(1, drop=True, method="PUT", path_contains="/Invoices")
    results = xero_client.create_invoices([bill(contact_id, "DROP-1")], idempotency_key="bill-42-v1")
    assert results[0].ok
    bills = list(xero_sandbox.books().invoices.values())
    assert len(bills) == 1 and bills[0]["InvoiceID"] == results[0].id
    assert xero_sandbox.calls_to("PUT", "/Invoices") == 2


def test_a_401_refreshes_once_and_retries(xero_client, xero_sandbox, xero_token_store):
    """CONN-3: an expired access token (server side) is refreshed exactly once, then the call succeeds."""
    xero_sandbox.expire_access_tokens()
    saves = xero_token_store.saves
    assert xero_client.get_organisation()
    assert xero_token_store.saves == saves + 1


def test_a_second_401_is_an_auth_error(xero_client, xero_sandbox):
    """CONN-3, REL-2: a 401 refreshes the token once; a second 401 is an AuthError, never an endless retry."""
    xero_sandbox.fail_next(2, status=401)
    with pytest.raises(AuthError):
        xero_client.get_organisation()


def test_validation_exception_becomes_validation_failed(xero_client):
    """REL-2: a 400 is never retried; the messages come through."""
    category = xero_client.create_tracking_category("Project", idempotency_key=key())
    with pytest.raises(ValidationFailed) as info:
        xero_client.create_tracking_option(category["TrackingCategoryID"], "x" * 51, idempotency_key=key())
    assert info.value.status == 400 and "50 characters" in info.value.message
    with pytest.raises(NotFound):
        xero_client.create_tracking_option("6f0d2c87-5b0e-4a47-9a36-6f5d6b5b0a11", "x", idempotency_key=key())


def test_tracking_category_limit_surfaces_as_validation_failed(xero_client):
    """PRJ-2: Xero's limit of 2 active tracking categories comes back as ValidationFailed with Xero's message."""
    xero_client.create_tracking_category("Project", idempotency_key=key())
    xero_client.create_tracking_category("Cost Codes", idempotency_key=key())
    with pytest.raises(ValidationFailed) as info:
        xero_client.create_tracking_category("Third", idempotency_key=key())
    assert "2 active tracking categories" in info.value.message
    assert info.value.messages


class _FakeAdapter(requests.adapters.BaseAdapter):
    def __init__(self, status, body, content_type="application/json"):
        super().__init__()
        self.status, self.body, self.content_type = status, body, content_type

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.headers["Content-Type"] = self.content_type
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


@pytest.mark.parametrize(("body", "content_type", "words"), [
    (b"<html><body>Service error</body></html>", "text/html", "HTML"),
    (b"{not json", "application/json", "not JSON"),
    (b'["a list"]', "application/json", "object"),
    (b'{"Invoices": "nope"}', "application/json", "list of Invoices"),
])
def test_malformed_answers_raise_malformed_response(xero_client, body, content_type, words):
    """REL-6: a bad answer is a MalformedResponse with a clear message, never a raw exception."""
    session = requests.Session()
    session.mount("https://api.xero.com/api.xro", _FakeAdapter(200, body, content_type))
    for prefix, adapter in xero_client.session.adapters.items():
        if not prefix.startswith("https://api.xero.com/api.xro"):
            session.mount(prefix, adapter)
    xero_client.session = session
    with pytest.raises(MalformedResponse) as info:
        list(xero_client.iter_invoices())
    assert words in str(info.value)


def test_write_checks_the_number_of_answers(xero_client):
    """REL-3, REL-6: a batch answer with fewer documents than were sent is MalformedResponse: no record is
    matched to another's answer."""
    session = requests.Session()
    session.mount("https://api.xero.com/api.xro", _FakeAdapter(200, b'{"Contacts": []}'))
    xero_client.session = session
    with pytest.raises(MalformedResponse):
        xero_client.create_contacts([{"Name": "A"}], idempotency_key=key())


def test_no_secret_in_reprs_or_errors(xero_client, xero_token_store, xero_oauth):
    """REL-7: reprs and error messages never show a token or the client secret."""
    token = xero_token_store.load()
    texts = [repr(token), repr(xero_client), repr(xero_oauth), repr(xero_token_store)]
    for text in texts:
        assert token.access_token not in text and token.refresh_token not in text
        assert "sandbox-client-secret" not in text


def test_element_result_id_uses_the_resource_key():
    """REL-3: a failed element's zero GUID is no Xero id; a good one's id is read from its resource's key."""
    result = ElementResult(ok=False, document={"InvoiceID": "00000000-0000-0000-0000-000000000000"}, id_key="InvoiceID")
    assert result.id is None
    assert ElementResult(ok=True, document={"ContactID": "abc"}).id == "abc"


def test_client_requires_a_tenant(xero_oauth, xero_token_store):
    """CONN-1: a Xero client always names its organisation (tenant); one without is refused at once."""
    with pytest.raises(ValueError):
        XeroClient(api_url="https://api.xero.com", tenant_id="", oauth=xero_oauth, token_store=xero_token_store)


def test_clients_built_with_a_real_clock_default_to_the_shared_limiter(xero_oauth, xero_token_store):
    """REL-1: every client of one tenant shares one limiter, so several workers together stay within Xero's
    limits."""
    client = XeroClient(api_url="https://api.xero.com", tenant_id="tenant-shared", oauth=xero_oauth,
                        token_store=xero_token_store)
    assert client.limiter is TenantLimiter.for_tenant("tenant-shared")
    assert client.base_url == "https://api.xero.com/api.xro/2.0"
    assert datetime.now(UTC)  # the default `now` is real time


def test_an_ids_list_of_any_length_is_read_fifty_to_a_call(xero_client, xero_sandbox, contact_id, raw):
    """PERF-2, REL-6: Xero answers 404 to an IDs list of about 52 GUIDs or more (its URL is too long,
    XeroAPI/Xero-OpenAPI#534), as the sandbox does; the client asks for 120 bills in three calls and
    gets all 120."""
    results = []
    for start in range(0, 120, 50):
        results += xero_client.create_invoices([bill(contact_id, f"IDS-{n:03d}") for n in range(start, min(start + 50, 120))],
                                               idempotency_key=key("ids"))
    ids = [r.id for r in results]
    assert len(ids) == 120 and all(r.ok for r in results)
    assert raw("GET", "Invoices", params={"IDs": ",".join(ids[:60]), "page": 1}).status_code == 404
    before = xero_sandbox.calls_to("GET", "/Invoices")
    found = xero_client.find_invoices(ids=ids)
    assert sorted(d["InvoiceID"] for d in found) == sorted(ids)
    assert xero_sandbox.calls_to("GET", "/Invoices") - before == 3
