"""The HTTP core against the sandbox: company header, paging, limits, retries, malformed answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from procore_client import MemoryTokenStore, ProcoreClient, ProcoreOAuth
from procore_client.errors import BadRequest, MalformedResponse, RateLimited, TransientError
from procore_client.sandbox import FakeClock, ProcoreSandbox
from tests.fixtures.procore import PROCORE_API_URL, PROCORE_LOGIN_URL, mount_procore
from tests.fixtures.sandbox_transport import mount


@pytest.fixture
def project(procore_sandbox):
    return procore_sandbox.create_record("project", {"name": "Harbour Bridge", "project_number": "J-100"})


def _vendors(sandbox, n):
    for i in range(n):
        sandbox.create_record("vendor", {"name": f"Vendor {i:04d}"})


def test_company_header_is_required_and_sent_everywhere(procore_client, procore_sandbox, procore_session,
                                                        procore_token_store):
    """CONN-1, FID-3: api/procore.md §4: a missing Procore-Company-Id header is refused with Procore's
    message (only /me and /companies do without it, for a user's token); the client sends it on every
    call, /me and /companies included."""
    token = procore_token_store.load().access_token
    answer = procore_session.get(f"{PROCORE_API_URL}/rest/v1.0/projects",
                                 params={"company_id": procore_sandbox.company_id},
                                 headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    assert answer.json() == {"errors": "Missing Procore-Company-Id header!"}
    assert procore_client.me()["id"] == 1
    companies = procore_client.companies()
    assert companies == [{"id": procore_sandbox.company_id, "name": "Sandbox Builders Ltd", "is_active": True,
                          "logo_url": None, "my_company": True}]
    assert isinstance(companies[0]["id"], int) and companies[0]["id"] > 2**32


def test_a_company_the_app_is_not_connected_to_is_forbidden(procore_client, procore_sandbox):
    """CONN-1, REL-6: a link pointing at a company the app is not connected to gets Procore's 403 with its
    message, not a silent empty answer."""
    procore_client.company_id = 0
    with pytest.raises(Exception) as info:
        procore_client.me()
    assert info.value.status == 403  # wrong company: "App is not connected to this company"
    assert "not connected" in info.value.message


def test_paging_follows_link_headers_across_pages(procore_client, procore_sandbox):
    """PERF-2: every page is read, in order, with the largest page size and no duplicates."""
    _vendors(procore_sandbox, 25)
    procore_sandbox.calls.clear()
    vendors = list(procore_client.iter_pages("vendors", {"company_id": procore_sandbox.company_id}, per_page=10))
    assert [v["name"] for v in vendors] == [f"Vendor {i:04d}" for i in range(25)]
    assert [c for c in procore_sandbox.calls if c[1] == "/rest/v1.0/vendors"] == [("GET", "/rest/v1.0/vendors")] * 3


def test_default_page_size_is_the_largest_allowed(procore_client, procore_sandbox):
    """PERF-2: 1000 per page on v1.0 lists, 300 on v1.1 projects (OAS:RestV11ProjectsGet)."""
    assert procore_client.max_per_page("vendors") == 1000
    assert procore_client.max_per_page("/rest/v1.1/projects") == 300
    assert procore_client.max_per_page("/rest/v2.0/companies/1/projects/2/x") == 100


def test_a_429_in_the_middle_of_a_paged_read_resumes_and_loses_no_page(procore_client, procore_sandbox):
    """REL-1: a 429 on page 2 waits for the reset and re-reads page 2; no page is lost or repeated."""
    _vendors(procore_sandbox, 30)
    pages = iter(procore_client.iter_pages("vendors", {"company_id": procore_sandbox.company_id}, per_page=10))
    first = [next(pages) for _ in range(10)]
    procore_sandbox.fail_next(1, status=429, path_contains="/vendors")
    rest = list(pages)
    names = [v["name"] for v in first + rest]
    assert names == [f"Vendor {i:04d}" for i in range(30)]


def test_503_honours_retry_after(procore_sandbox, procore_session, procore_oauth, procore_token_store):
    """REL-1: a 503 waits Retry-After seconds, then succeeds."""
    sleeps: list[float] = []
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=procore_sandbox.company_id, oauth=procore_oauth,
                           token_store=procore_token_store, session=procore_session, sleep=sleeps.append)
    procore_sandbox.fail_next(2, status=503, path_contains="/me")
    assert client.me()["id"] == 1
    assert sleeps == [1.0, 1.0]


@pytest.mark.parametrize("fault", [{"timeout": True}, {"drop": True}, {"status": 500}, {"status": 502},
                                   {"status": 504}])
def test_transient_faults_on_reads_are_retried(procore_client, procore_sandbox, fault):
    """REL-2: timeouts, dropped connections and 5xx on idempotent calls are retried with backoff."""
    procore_sandbox.fail_next(2, path_contains="/me", **fault)
    assert procore_client.me()["id"] == 1


def test_backoff_grows_exponentially_with_jitter(procore_sandbox, procore_session, procore_oauth,
                                                 procore_token_store):
    """REL-2: waits double each attempt (plus jitter below the base)."""
    sleeps: list[float] = []
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=procore_sandbox.company_id, oauth=procore_oauth,
                           token_store=procore_token_store, session=procore_session, sleep=sleeps.append)
    procore_sandbox.fail_next(3, status=500, path_contains="/me")
    client.me()
    assert len(sleeps) == 3
    for attempt, slept in enumerate(sleeps, start=1):
        base = 0.5 * 2 ** (attempt - 1)
        assert base <= slept <= 2 * base


def test_transient_faults_give_up_after_max_retries(procore_client, procore_sandbox):
    """REL-2: a fault that outlives the retries is a TransientError, not a hang."""
    procore_sandbox.fail_next(10, status=502, path_contains="/me")
    with pytest.raises(TransientError) as info:
        procore_client.me()
    assert info.value.status == 502
    assert len([c for c in procore_sandbox.calls if c[1] == "/rest/v1.0/me"]) == 7  # 1 + max_retries


def test_a_post_whose_answer_was_lost_is_not_retried(procore_client, procore_sandbox):
    """REL-2/SYNC-8: a dropped POST may have been committed: no blind retry, committed_unknown says so."""
    procore_sandbox.fail_next(1, drop=True, method="POST", path_contains="/vendors")
    with pytest.raises(TransientError) as info:
        procore_client.create_vendor({"name": "Acme", "origin_id": "xero-1"})
    assert info.value.committed_unknown
    assert [v["name"] for v in procore_client.list_vendors(origin_id="xero-1")] == ["Acme"]


def test_rate_limit_headers_slow_the_client_before_the_limit():
    """REL-1: with 5 calls per 60 s the client spreads its calls and never gets a 429."""
    clock = FakeClock()
    sandbox = ProcoreSandbox(clock=clock, deliver=lambda *a: 200)
    sandbox.set_rate_limit(5, 60)
    session = requests.Session()
    mount_procore(session, sandbox)
    token = sandbox.issue_token("c", "s")
    oauth = ProcoreOAuth("c", "s", login_url=PROCORE_LOGIN_URL, session=session, clock=clock.time)
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=sandbox.company_id, oauth=oauth,
                           token_store=MemoryTokenStore(token), session=session, sleep=clock.sleep, clock=clock.time)
    for _ in range(12):
        client.me()
    answers = [c for c in sandbox.calls if c[1] == "/rest/v1.0/me"]
    assert len(answers) == 12  # no 429 retries were needed
    assert clock.sleeps  # it waited for the window to reset
    assert client.rate.limit == 5


def test_429_waits_for_the_reset_and_retries():
    """REL-1: a spent window answers 429; the client sleeps until X-Rate-Limit-Reset and goes on."""
    clock = FakeClock()
    sandbox = ProcoreSandbox(clock=clock, deliver=lambda *a: 200)
    sandbox.set_rate_limit(2, 60)
    session = requests.Session()
    mount_procore(session, sandbox)
    token = sandbox.issue_token("c", "s")
    oauth = ProcoreOAuth("c", "s", login_url=PROCORE_LOGIN_URL, session=session, clock=clock.time)
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=sandbox.company_id, oauth=oauth,
                           token_store=MemoryTokenStore(token), session=session, sleep=clock.sleep, clock=clock.time)
    client.slowdown_fraction = 0  # don't pace: meet the 429
    client._pace = lambda: None
    for _ in range(5):
        assert client.me()["id"] == 1
    assert any(s >= 50 for s in clock.sleeps)


def test_persistent_429_becomes_rate_limited(procore_client, procore_sandbox):
    """REL-1: the client gives up (RateLimited, a TransientError) instead of looping forever."""
    procore_sandbox.fail_next(100, status=429, path_contains="/me")
    with pytest.raises(RateLimited):
        procore_client.me()


def test_updated_since_reads_only_changed_records(procore_client, procore_sandbox):
    """PERF-2: filters[updated_at]=<since>...<until> returns only records changed since the last run."""
    clock = FakeClock()
    procore_sandbox.store.clock = clock.time
    procore_sandbox.create_record("vendor", {"name": "Old"})
    clock.advance(3600)
    cutoff = datetime.fromtimestamp(clock.time(), tz=UTC) - timedelta(seconds=1)
    procore_sandbox.create_record("vendor", {"name": "New"})
    old_id = procore_client.list_vendors()[0]["id"]
    clock.advance(60)
    procore_sandbox.update_record("vendor", old_id, {"name": "Old renamed"})
    changed = procore_client.list_vendors(updated_since=cutoff)
    assert sorted(v["name"] for v in changed) == ["New", "Old renamed"]
    later = datetime.fromtimestamp(clock.time(), tz=UTC) + timedelta(seconds=1)
    assert procore_client.list_vendors(updated_since=later) == []
    assert isinstance(changed[0]["updated_at"], datetime) and changed[0]["updated_at"].tzinfo is not None


def _client_with(app) -> ProcoreClient:
    session = requests.Session()
    mount(session, [PROCORE_API_URL], app)
    from procore_client import OAuthToken

    token = OAuthToken("t", "r", datetime.now(UTC) + timedelta(hours=1))
    oauth = ProcoreOAuth("a", "b", login_url=PROCORE_LOGIN_URL, session=session)
    return ProcoreClient(api_url=PROCORE_API_URL, company_id=1, oauth=oauth, token_store=MemoryTokenStore(token),
                         session=session, sleep=lambda s: None)


@pytest.mark.parametrize(
    ("body", "ctype", "call"),
    [
        (b"<html><body>Bad gateway page</body></html>", "text/html", "me"),
        (b"{not json", "application/json", "me"),
        (b"[1, 2]", "application/json", "me"),
        (b'{"id": 1}', "application/json", "list"),
        (b'[{"id": 1, "amount": "twelve"}]', "application/json", "list"),
        (b'{"entities": "x"}', "application/json", "sync"),
    ],
)
def test_malformed_answers_raise_malformed_response(body, ctype, call):
    """REL-6: HTML pages, bad JSON and wrong shapes give a clear MalformedResponse, never a raw exception."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", ctype)])
        return [body]

    client = _client_with(app)
    with pytest.raises(MalformedResponse) as info:
        if call == "me":
            client.me()
        elif call == "list":
            client.list_all("vendors")
        else:
            client.sync("vendors/sync", [{"name": "x"}], company_id=1)
    assert info.value.message
    assert "Traceback" not in str(info.value)


def test_error_bodies_keep_procores_message(procore_client):
    """REL-2: a 4xx is not retried and carries Procore's message."""
    with pytest.raises(BadRequest) as info:
        procore_client.get("vendors")  # company_id missing
    assert info.value.message == "param is missing or the value is empty: company_id"


def test_money_is_decimal(procore_client, procore_sandbox, project):
    """REL-6: Procore's money arrives as text; the client hands it on as Decimal, summed to the cent
    (architecture.md, money is Decimal)."""
    vendor = procore_sandbox.create_record("vendor", {"name": "Acme"})
    procore_sandbox.create_record("work_order_contract", {
        "project_id": project["id"], "title": "Steel", "vendor_id": vendor["id"], "status": "Approved",
        "line_items": [{"amount": "1000.10", "description": "a"}, {"quantity": "3", "unit_cost": "0.1"}]})
    contract = procore_client.list_work_order_contracts(project["id"])[0]
    assert contract["grand_total"] == Decimal("1000.40")
