"""OAuth 2.0 with Xero (api/xero.md §1): tokens, the caller's token store, and the refresh dance.

`XeroOAuth` speaks to Xero's identity service through requests-oauthlib; `TokenManager` (used by
`XeroClient`) hands out a fresh access token, refreshing it under the store's lock so that two
threads or two workers never both spend the single-use refresh token (CONN-3, §10.1).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from . import parsing
from .errors import AuthError, InvalidGrant, MalformedResponse, TransientError, XeroError

# §1 "Scopes": apps created on or after 2 March 2026 get granular scopes only; older apps keep the
# broad ones until September 2027. Both need offline_access for a refresh token.
GRANULAR_SCOPES = (
    "offline_access", "openid", "profile", "email", "accounting.contacts", "accounting.settings",
    "accounting.invoices", "accounting.payments", "accounting.banktransactions", "accounting.manualjournals.read",
)
BROAD_SCOPES = ("offline_access", "openid", "profile", "email", "accounting.transactions", "accounting.contacts",
                "accounting.settings")

REFRESH_MARGIN = timedelta(seconds=60)  # §1: refresh 60 s before expiry, like xero-python
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class OAuthToken:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime  # aware, UTC
    scope: str = ""
    token_type: str = "Bearer"
    id_token: str | None = field(default=None, repr=False)

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return self.expires_at - margin <= now

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, for a store that keeps the token as one (encrypted) blob."""
        return {
            "access_token": self.access_token, "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(), "scope": self.scope, "token_type": self.token_type,
            "id_token": self.id_token,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OAuthToken:
        expires_at = data["expires_at"]
        if isinstance(expires_at, str):
            expires_at = datetime.fromisoformat(expires_at)
        return cls(access_token=data["access_token"], refresh_token=data.get("refresh_token"),
                   expires_at=expires_at.astimezone(UTC), scope=data.get("scope", ""),
                   token_type=data.get("token_type", "Bearer"), id_token=data.get("id_token"))


class TokenStore(Protocol):
    """Where the caller keeps the one token set of a connection (§1 "stored in one place").

    `lock()` is the caller's lock (a row lock in the Django app): inside it `load()` re-reads and
    `save()` persists; leaving the block commits.
    """

    def load(self) -> OAuthToken | None: ...

    def save(self, token: OAuthToken) -> None: ...

    def lock(self) -> AbstractContextManager[None]: ...


class MemoryTokenStore:
    """An in-process TokenStore (tests, scripts). Counts `saves` so tests can assert one refresh."""

    def __init__(self, token: OAuthToken | None = None):
        self._token = token
        self._lock = threading.Lock()
        self.saves = 0

    def load(self) -> OAuthToken | None:
        return self._token

    def save(self, token: OAuthToken) -> None:
        self._token = token
        self.saves += 1

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with self._lock:
            yield

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None}, saves={self.saves})"


def _resolve_scopes(scopes: str | list[str] | tuple[str, ...]) -> list[str]:
    if scopes == "granular":
        return list(GRANULAR_SCOPES)
    if scopes == "broad":
        return list(BROAD_SCOPES)
    if isinstance(scopes, str):
        scopes = scopes.split()
    result = list(scopes)
    if "offline_access" not in result:
        result.insert(0, "offline_access")  # §1: no refresh token without it
    return result


def _allow_loopback_http(*urls: str) -> None:
    """oauthlib refuses plain http; the local `sandbox` server is http on a loopback address only."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "http":
            continue
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")


class XeroOAuth:
    """Xero's identity endpoints: authorize URL, code exchange, refresh, revocation, /connections."""

    def __init__(self, client_id: str, client_secret: str, *, login_url: str, identity_url: str, api_url: str,
                 redirect_uri: str | None = None, scopes: str | list[str] = "granular",
                 session: requests.Session | None = None, timeout: float = 30,
                 now: Callable[[], datetime] | None = None):
        self.client_id = client_id
        self._client_secret = client_secret
        self.login_url = login_url.rstrip("/")
        self.identity_url = identity_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.redirect_uri = redirect_uri
        self.scopes = _resolve_scopes(scopes)
        self.session = session or requests.Session()
        self.timeout = timeout
        self._now = now or (lambda: datetime.now(UTC))
        _allow_loopback_http(self.login_url, self.identity_url)

    def __repr__(self) -> str:
        return f"XeroOAuth(client_id={self.client_id!r}, identity_url={self.identity_url!r})"

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.login_url}/identity/connect/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.identity_url}/connect/token"

    @property
    def revocation_endpoint(self) -> str:
        return f"{self.identity_url}/connect/revocation"

    def _oauth_session(self, *, with_scope: bool = False) -> OAuth2Session:
        oauth = OAuth2Session(self.client_id, redirect_uri=self.redirect_uri,
                              scope=self.scopes if with_scope else None)
        # Share the caller's transport adapters (the tests mount the sandbox on them).
        for prefix, adapter in self.session.adapters.items():
            oauth.mount(prefix, adapter)
        oauth.register_compliance_hook("access_token_response", self._check_token_response)
        oauth.register_compliance_hook("refresh_token_response", self._check_token_response)
        return oauth

    @staticmethod
    def _check_token_response(response: requests.Response) -> requests.Response:
        if response.status_code in TRANSIENT_STATUSES:
            raise TransientError(f"Xero's token endpoint answered {response.status_code}", status=response.status_code)
        try:
            body = parsing.loads(response.content or b"null")
        except ValueError:
            raise MalformedResponse(
                f"Xero's token endpoint answered {response.status_code} with a body that is not JSON",
                status=response.status_code) from None
        if not isinstance(body, dict):
            raise MalformedResponse("Xero's token endpoint answered with a JSON body that is not an object",
                                    status=response.status_code)
        if response.status_code >= 400 and "error" not in body:
            raise AuthError(f"Xero's token endpoint answered {response.status_code}", status=response.status_code)
        return response

    def authorization_url(self, state: str) -> str:
        """The URL to send the user to (response_type=code, client_id, redirect_uri, scope, state)."""
        url, _ = self._oauth_session(with_scope=True).authorization_url(self.authorize_endpoint, state=state)
        return url

    def _token_call(self, fn: Callable[[], dict]) -> OAuthToken:
        try:
            raw = fn()
        except oauth_errors.InvalidGrantError as exc:
            raise InvalidGrant(f"Xero refused the grant (invalid_grant): {exc.description or 'reconnect needed'}",
                               status=exc.status_code) from None
        except oauth_errors.OAuth2Error as exc:
            raise AuthError(f"Xero refused the token request ({exc.error}): {exc.description or ''}".rstrip(": "),
                            status=exc.status_code) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"no answer from Xero's token endpoint ({type(exc).__name__})") from None
        except XeroError:
            raise
        except (ValueError, KeyError, TypeError, Warning) as exc:
            raise MalformedResponse(f"Xero's token answer could not be read ({type(exc).__name__})") from None
        return self._to_token(raw)

    def _to_token(self, raw: dict) -> OAuthToken:
        if not raw.get("access_token"):
            raise MalformedResponse("Xero's token answer has no access_token")
        try:
            expires_in = int(raw.get("expires_in", 1800))
        except (TypeError, ValueError):
            raise MalformedResponse("Xero's token answer has a bad expires_in") from None
        scope = raw.get("scope", "")
        if isinstance(scope, list | tuple):
            scope = " ".join(scope)
        return OAuthToken(access_token=raw["access_token"], refresh_token=raw.get("refresh_token"),
                          expires_at=self._now() + timedelta(seconds=expires_in), scope=scope or "",
                          token_type=raw.get("token_type") or "Bearer", id_token=raw.get("id_token"))

    def exchange_code(self, code: str) -> OAuthToken:
        """Trade the authorization code (from the redirect) for the first token set."""
        oauth = self._oauth_session()
        return self._token_call(lambda: oauth.fetch_token(
            self.token_endpoint, code=code, auth=HTTPBasicAuth(self.client_id, self._client_secret),
            timeout=self.timeout, include_client_id=False))

    def refresh(self, token: OAuthToken) -> OAuthToken:
        """Spend `token.refresh_token` for a new pair. A lost answer is retried with the same refresh
        token, which Xero allows for 30 minutes (§1 "If the refresh response is lost")."""
        if not token.refresh_token:
            raise InvalidGrant("no refresh token is stored: reconnect needed")
        oauth = self._oauth_session()
        last: TransientError | None = None
        for _ in range(3):
            try:
                return self._token_call(lambda: oauth.refresh_token(
                    self.token_endpoint, refresh_token=token.refresh_token,
                    auth=HTTPBasicAuth(self.client_id, self._client_secret), timeout=self.timeout))
            except TransientError as exc:
                last = exc
        assert last is not None
        raise last

    def revoke(self, token: OAuthToken) -> None:
        """Revoke the refresh token; Xero drops every connection of that grant (§1)."""
        if not token.refresh_token:
            return
        try:
            response = self.session.post(self.revocation_endpoint, data={"token": token.refresh_token},
                                         auth=HTTPBasicAuth(self.client_id, self._client_secret),
                                         timeout=self.timeout)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"no answer from Xero's revocation endpoint ({type(exc).__name__})") from None
        if response.status_code in TRANSIENT_STATUSES:
            raise TransientError(f"Xero's revocation endpoint answered {response.status_code}",
                                 status=response.status_code)
        if response.status_code >= 400:
            raise AuthError(f"Xero refused the revocation ({response.status_code})", status=response.status_code)

    def connections(self, token: OAuthToken) -> list[dict]:
        """GET {api_url}/connections: the tenants this token may use (§1 "Tenants")."""
        try:
            response = self.session.get(
                f"{self.api_url}/connections", timeout=self.timeout,
                headers={"Authorization": f"Bearer {token.access_token}", "Accept": "application/json"})
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"no answer from Xero's /connections ({type(exc).__name__})") from None
        if response.status_code in (401, 403):
            raise AuthError(f"Xero refused /connections ({response.status_code})", status=response.status_code)
        if response.status_code in TRANSIENT_STATUSES:
            raise TransientError(f"Xero's /connections answered {response.status_code}", status=response.status_code)
        if response.status_code != 200:
            raise XeroError(f"Xero's /connections answered {response.status_code}", status=response.status_code)
        try:
            body = parsing.loads(response.content)
        except ValueError:
            raise MalformedResponse("Xero's /connections answer is not JSON", status=response.status_code) from None
        if not isinstance(body, list) or not all(isinstance(c, dict) and "tenantId" in c for c in body):
            raise MalformedResponse("Xero's /connections answer is not a list of connections")
        return body


class TokenManager:
    """Gives out a usable access token; refreshes under the store's lock (§1 "Django implication").

    token = store.load(); if it expires within 60 s (or a call got 401 with it):
        with store.lock(): token = store.load(); if still stale: store.save(oauth.refresh(token))
    The new token is used only after the lock block is left (i.e. committed).
    """

    def __init__(self, oauth: XeroOAuth, store: TokenStore, *, now: Callable[[], datetime] | None = None):
        self.oauth = oauth
        self.store = store
        self._now = now or (lambda: datetime.now(UTC))
        self.refreshes = 0
        self._token: OAuthToken | None = None

    def access_token(self, *, rejected: str | None = None) -> str:
        """A usable access token. `rejected`: the access token a call just got 401 with.

        The token is read from the store once and kept while it is fresh (PERF-6: not one database
        read per call); a 401 or its expiry re-reads it, so a refresh by another worker is picked up."""
        token = self._token if rejected is None else None
        if token is None or token.expires_within(REFRESH_MARGIN, self._now()):
            token = self.store.load()
        if token is None:
            raise AuthError("no Xero token is stored: connect first")
        if rejected is None and not token.expires_within(REFRESH_MARGIN, self._now()):
            self._token = token
            return token.access_token
        with self.store.lock():
            token = self.store.load()
            if token is None:
                raise AuthError("no Xero token is stored: connect first")
            stale = token.expires_within(REFRESH_MARGIN, self._now()) or (
                rejected is not None and token.access_token == rejected)
            if stale:
                token = self.oauth.refresh(token)
                self.store.save(token)
                self.refreshes += 1
        self._token = token
        return token.access_token
