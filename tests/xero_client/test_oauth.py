"""OAuth 2.0 against the sandbox (CONN-2, CONN-3; api/xero.md §1)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fixtures.xero import CLIENT_ID, REDIRECT_URI, connect
from xero_client import BROAD_SCOPES, GRANULAR_SCOPES, MemoryTokenStore, OAuthToken, XeroClient, XeroOAuth
from xero_client.errors import AuthError, InvalidGrant, TransientError


def _oauth(session, clock, secret="sandbox-client-secret", scopes="granular"):
    return XeroOAuth(CLIENT_ID, secret, login_url="https://login.xero.com", identity_url="https://identity.xero.com",
                     api_url="https://api.xero.com", redirect_uri=REDIRECT_URI, scopes=scopes, session=session,
                     now=clock.now)


@pytest.mark.parametrize(("setting", "expected", "absent"), [
    ("granular", GRANULAR_SCOPES, "accounting.transactions"),
    ("broad", BROAD_SCOPES, "accounting.invoices"),
])
def test_authorization_url_has_state_and_the_scope_set(xero_oauth, setting, expected, absent):
    """CONN-2: the scope set follows the app's age; offline_access is always there."""
    xero_oauth.scopes = list(expected)
    url = xero_oauth.authorization_url("st-1")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://login.xero.com/identity/connect/authorize?")
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [REDIRECT_URI] and query["state"] == ["st-1"]
    scopes = query["scope"][0].split()
    assert "offline_access" in scopes and absent not in scopes


def test_custom_scope_lists_always_get_offline_access(xero_session, xero_clock):
    """CONN-2: whatever scopes are configured, offline_access is asked for, so the connection has a refresh
    token."""
    oauth = _oauth(xero_session, xero_clock, scopes=["accounting.contacts"])
    assert oauth.scopes[0] == "offline_access"


def test_code_exchange_gives_a_token_with_30_minute_expiry(xero_token_store, xero_clock):
    """CONN-2: authorize approves at once; the code buys a token set with a refresh token."""
    token = xero_token_store.load()
    assert token.refresh_token and token.access_token and token.token_type == "Bearer"
    assert token.expires_at == xero_clock.now() + timedelta(seconds=1800)
    assert token.id_token and "offline_access" in token.scope


def test_connections_lists_every_organisation(xero_sandbox, xero_session, xero_clock):
    """CONN-2: /connections lists the tenants; several tenants are kept apart."""
    second = xero_sandbox.add_organisation("Second Builders")
    oauth = _oauth(xero_session, xero_clock)
    token = connect(oauth, xero_session)
    tenants = {c["tenantId"]: c["tenantName"] for c in oauth.connections(token)}
    assert tenants == {xero_sandbox.default_tenant_id: "Sandbox Construction Ltd", second: "Second Builders"}


def test_tenants_are_kept_apart(xero_client, xero_sandbox, xero_oauth, xero_session, xero_clock):
    """CONN-1, SEC-3: two organisations behind one token never see each other's records."""
    second = xero_sandbox.add_organisation("Second Builders")
    store = MemoryTokenStore(connect(xero_oauth, xero_session))
    other = XeroClient(api_url="https://api.xero.com", tenant_id=second, oauth=xero_oauth, token_store=store,
                       session=xero_session, sleep=xero_clock.sleep, now=xero_clock.now)
    xero_client.create_contacts([{"Name": "Only In First"}], idempotency_key="t-1")
    assert list(other.iter_contacts()) == []
    assert other.get_organisation()["Name"] == "Second Builders"


def test_a_token_cannot_reach_an_organisation_it_was_not_granted(xero_client, xero_sandbox):
    """CONN-1, SEC-3: a token reaches only the organisations it was granted (403 otherwise)."""
    later = xero_sandbox.add_organisation("Added Later")
    xero_client.tenant_id = later
    with pytest.raises(AuthError) as info:
        xero_client.get_organisation()
    assert info.value.status == 403


def test_refresh_rotates_the_refresh_token(xero_oauth, xero_token_store):
    """CONN-3: every refresh returns a new refresh token; the old one is dead afterwards."""
    first = xero_token_store.load()
    second = xero_oauth.refresh(first)
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    xero_oauth.refresh(second)  # the successor was used, so the old token's grace is over
    with pytest.raises(InvalidGrant):
        xero_oauth.refresh(first)


def test_lost_refresh_answer_can_be_retried_within_30_minutes(xero_oauth, xero_token_store, xero_sandbox, xero_clock):
    """CONN-3: the refresh answer is dropped; the same refresh token works again within the grace."""
    first = xero_token_store.load()
    xero_sandbox.fail_next(3, drop=True, path_contains="/connect/token")
    with pytest.raises(TransientError):
        xero_oauth.refresh(first)  # committed three times, every answer lost
    xero_clock.advance(25 * 60)
    again = xero_oauth.refresh(first)
    assert again.refresh_token
    xero_oauth.refresh(again)


def test_lost_refresh_answer_is_retried_inside_refresh(xero_oauth, xero_token_store, xero_sandbox):
    """CONN-3, REL-2: a refresh whose answer was lost is retried within the grace period and succeeds."""
    xero_sandbox.fail_next(1, drop=True, path_contains="/connect/token")
    assert xero_oauth.refresh(xero_token_store.load()).access_token


def test_grace_ends_after_30_minutes(xero_oauth, xero_token_store, xero_sandbox, xero_clock):
    """CONN-3: a used refresh token stays valid for Xero's 30-minute grace, then is invalid_grant (the link
    needs reconnecting)."""
    first = xero_token_store.load()
    xero_sandbox.fail_next(3, drop=True, path_contains="/connect/token")
    with pytest.raises(TransientError):
        xero_oauth.refresh(first)
    xero_clock.advance(31 * 60)
    with pytest.raises(InvalidGrant):
        xero_oauth.refresh(first)


def test_invalid_grant_raises_invalid_grant(xero_client, xero_sandbox, xero_token_store, xero_oauth):
    """CONN-3: a dead refresh token raises InvalidGrant (an AuthError) for "needs reconnect"."""
    stale = xero_token_store.load()
    with pytest.raises(InvalidGrant) as info:
        xero_oauth.refresh(OAuthToken("a", "never-issued", stale.expires_at))
    assert isinstance(info.value, AuthError) and "never-issued" not in str(info.value)
    # Through the client: the API says 401, the refresh says invalid_grant.
    xero_sandbox.expire_access_tokens()
    xero_token_store.save(OAuthToken(access_token=stale.access_token, refresh_token="never-issued",
                                     expires_at=stale.expires_at))
    with pytest.raises(InvalidGrant):
        xero_client.get_organisation()


def test_wrong_client_secret_is_invalid_client(xero_session, xero_clock, xero_token_store):
    """CONN-2, REL-7: any client id is accepted on first use; a different secret later is invalid_client, and
    the secret is in no message."""
    impostor = _oauth(xero_session, xero_clock, secret="wrong-secret")
    with pytest.raises(AuthError) as info:
        impostor.refresh(xero_token_store.load())
    assert not isinstance(info.value, InvalidGrant)
    assert "invalid_client" in info.value.message and "wrong-secret" not in info.value.message


def test_revocation_drops_the_connections(xero_oauth, xero_token_store):
    """CONN-2: disconnect revokes the tokens; the refresh token and connections are gone."""
    token = xero_token_store.load()
    assert xero_oauth.connections(token)
    xero_oauth.revoke(token)
    with pytest.raises(AuthError):
        xero_oauth.connections(token)
    with pytest.raises(InvalidGrant):
        xero_oauth.refresh(token)


def test_token_refreshes_60_seconds_before_expiry(xero_client, xero_token_store, xero_clock):
    """CONN-3: a token expiring within 60 s is refreshed before the call; a fresh one is not."""
    xero_client.get_organisation()
    assert xero_token_store.saves == 0
    xero_clock.advance(1800 - 59)
    xero_client.get_organisation()
    assert xero_token_store.saves == 1


def test_two_threads_refresh_exactly_once(xero_client, xero_sandbox, xero_token_store, xero_clock):
    """CONN-3: two threads see an expired token at once; only one refresh happens, both calls succeed."""
    xero_clock.advance(1800)
    original_refresh = xero_client.oauth.refresh
    calls = []
    barrier = threading.Barrier(2)

    def slow_refresh(token):
        calls.append(token.refresh_token)
        return original_refresh(token)

    xero_client.oauth.refresh = slow_refresh
    results, errors = [], []

    def work():
        try:
            barrier.wait(2)
            results.append(xero_client.get_organisation()["Name"])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and len(results) == 2
    assert len(calls) == 1 and xero_token_store.saves == 1


def test_two_threads_with_a_401_refresh_once(xero_client, xero_sandbox, xero_token_store):
    """CONN-3: both threads get 401 with the same token; the second finds the new one under the lock."""
    xero_sandbox.expire_access_tokens()
    errors = []

    def work():
        try:
            xero_client.list_accounts()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors and xero_token_store.saves == 1


def test_the_new_token_is_saved_before_it_is_used(xero_client, xero_token_store, xero_sandbox):
    """CONN-3: the store holds the new pair before any API call uses its access token."""
    old = xero_token_store.load().access_token
    used = []

    def hook(response, *args, **kwargs):
        if "/api.xro/" in response.url:
            used.append((response.request.headers["Authorization"], xero_token_store.load().access_token))

    xero_client.session.hooks["response"].append(hook)
    xero_sandbox.expire_access_tokens()
    xero_client.get_organisation()
    assert used[0][0] == f"Bearer {old}"
    assert used[1][0] == f"Bearer {used[1][1]}" and used[1][1] != old


def test_token_round_trips_through_dict():
    """CONN-3: a token stored as a dict reads back unchanged (how the connection row keeps it)."""
    token = OAuthToken("a", "r", expires_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert OAuthToken.from_dict(token.to_dict()) == token
