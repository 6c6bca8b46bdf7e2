"""OAuth against the sandbox: authorization code, client credentials, single-use refresh (CONN-3)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from procore_client import MemoryTokenStore, OAuthToken, ProcoreClient, ProcoreOAuth
from procore_client.errors import AuthError, InvalidGrant, TransientError
from tests.fixtures.procore import (
    PROCORE_API_URL,
    PROCORE_CLIENT_SECRET,
    PROCORE_LOGIN_URL,
    connect_via_authorization_code,
)


def test_authorization_code_flow_returns_a_90_minute_pair(procore_oauth, procore_session, procore_sandbox):
    """CONN-2: authorize redirects at once with code and state; the code buys a token pair of 5400 s."""
    token = connect_via_authorization_code(procore_oauth, procore_session, state="xyz")
    assert token.refresh_token
    assert timedelta(seconds=5300) < token.expires_at - datetime.now(UTC) <= timedelta(seconds=5400)
    assert procore_sandbox.state()["clients"] == ["test-procore-client"]


def test_authorization_code_is_single_use(procore_oauth, procore_session):
    """CONN-2: an OAuth authorization code works once; a replayed code is invalid_grant, as Procore answers."""
    answer = procore_session.get(procore_oauth.authorization_url("s"), allow_redirects=False)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    procore_oauth.exchange_code(code)
    with pytest.raises(InvalidGrant):
        procore_oauth.exchange_code(code)


def test_wrong_secret_after_first_use_is_invalid_client(procore_oauth, procore_session):
    """CONN-2, REL-7: a wrong client secret is invalid_client (not a dead grant), and the secret appears in no
    message or repr."""
    procore_oauth.client_credentials()  # first use remembers the secret
    impostor = ProcoreOAuth("test-procore-client", "not-the-secret", login_url=PROCORE_LOGIN_URL,
                            session=procore_session)
    with pytest.raises(AuthError) as info:
        impostor.client_credentials()
    assert not isinstance(info.value, InvalidGrant)
    assert info.value.status == 401
    assert "not-the-secret" not in str(info.value) and "not-the-secret" not in repr(impostor)


def test_client_credentials_token_has_no_refresh_and_is_renewed_by_the_client(
    procore_oauth, procore_session, procore_sandbox
):
    """CONN-2/CONN-3: a service account gets a fresh client-credentials token when its token goes stale."""
    token = procore_oauth.client_credentials()
    assert token.refresh_token is None
    stale = OAuthToken(token.access_token, None, datetime.now(UTC) + timedelta(seconds=30))
    store = MemoryTokenStore(stale)
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=procore_sandbox.company_id, oauth=procore_oauth,
                           token_store=store, session=procore_session, sleep=lambda s: None)
    assert client.me()["id"] == 1
    assert store.saves == 1
    assert store.load().access_token != token.access_token
    assert procore_sandbox.state()["token_requests"]["client_credentials"] == 2


def test_two_threads_with_a_stale_token_cause_exactly_one_refresh(procore_client, procore_token_store,
                                                                  procore_sandbox):
    """CONN-3: single-use refresh tokens; two workers refresh under the store's lock, only one spends it."""
    old = procore_token_store.load()
    procore_token_store.save(OAuthToken(old.access_token, old.refresh_token,
                                        datetime.now(UTC) + timedelta(seconds=10)))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait()
            procore_client.me()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert procore_sandbox.state()["token_requests"]["refresh_token"] == 1
    assert procore_token_store.load().refresh_token != old.refresh_token


def test_a_401_refreshes_once_then_retries(procore_client, procore_token_store, procore_sandbox):
    """CONN-3: a revoked/expired access token (401) triggers one refresh and the call succeeds."""
    procore_sandbox.expire_token(procore_token_store.load().access_token)
    assert procore_client.me()["login"]
    assert procore_sandbox.state()["token_requests"]["refresh_token"] == 1


def test_dead_refresh_token_raises_invalid_grant(procore_client, procore_token_store, procore_oauth):
    """CONN-3: a spent refresh token is invalid_grant (the link needs a reconnect); nothing is saved."""
    token = procore_token_store.load()
    procore_oauth.refresh(token)  # someone else spent it
    procore_token_store.save(OAuthToken(token.access_token, token.refresh_token,
                                        datetime.now(UTC) - timedelta(seconds=1)))
    saves = procore_token_store.saves
    with pytest.raises(InvalidGrant):
        procore_client.me()
    assert procore_token_store.saves == saves


def test_refresh_token_dies_even_when_the_answer_is_lost(procore_oauth, procore_token_store, procore_sandbox):
    """CONN-3 / api/procore.md §3: the old refresh token is invalid even if the refresh answer was lost."""
    token = procore_token_store.load()
    procore_sandbox.fail_next(1, drop=True, path_contains="/oauth/token")
    with pytest.raises(TransientError):
        procore_oauth.refresh(token)
    with pytest.raises(InvalidGrant):
        procore_oauth.refresh(token)


def test_revoke_kills_access_and_refresh_token(procore_client, procore_oauth, procore_token_store):
    """CONN-2, CONN-3: disconnecting revokes the tokens: neither the refresh token nor the access token works
    afterwards."""
    token = procore_token_store.load()
    procore_oauth.revoke(token)
    with pytest.raises(InvalidGrant):
        procore_oauth.refresh(token)
    with pytest.raises(InvalidGrant):
        procore_client.me()  # 401 → refresh → invalid_grant


def test_no_secret_or_token_in_reprs(procore_oauth, procore_token_store):
    """REL-7: reprs never show tokens or secrets."""
    token = procore_token_store.load()
    for text in (repr(procore_oauth), repr(token), repr(procore_token_store)):
        assert PROCORE_CLIENT_SECRET not in text
        assert token.access_token not in text and token.refresh_token not in text


def test_token_endpoint_answering_html_is_malformed(procore_session):
    """REL-6: a token endpoint that answers an HTML page (maintenance) raises MalformedResponse with a clear
    message, not a crash."""
    from procore_client.errors import MalformedResponse
    from tests.fixtures.sandbox_transport import mount

    def html_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html>maintenance</html>"]

    session = requests.Session()
    mount(session, ["https://login.example"], html_app)
    oauth = ProcoreOAuth("a", "b", login_url="https://login.example", session=session)
    with pytest.raises(MalformedResponse):
        oauth.client_credentials()
