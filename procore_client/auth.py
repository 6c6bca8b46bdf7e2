"""OAuth 2.0 for Procore: tokens, the token store protocol, and the token endpoint client.

Source: api/procore.md §3 (``DOC:oauth/oauth_endpoints.md``, ``OAS:OauthTokenPost``): access tokens
live 5400 s; refresh tokens are single use and die even when the answer is lost, so refreshes are
serialised through the caller's ``TokenStore.lock()`` (CONN-3).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from .errors import AuthError, InvalidGrant, MalformedResponse, ProcoreError, RateLimited, TransientError

#: A token that expires within this many seconds is refreshed before use.
REFRESH_MARGIN_SECONDS = 60


@dataclass
class OAuthToken:
    """An access token (and, for the authorization-code grant, its single-use refresh token)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime  # aware, UTC
    scope: str = ""
    token_type: str = "Bearer"
    id_token: str | None = field(default=None, repr=False)

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.expires_at.timestamp() - now < seconds

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict, for stores that persist (and encrypt) the token."""
        data = dataclasses.asdict(self)
        data["expires_at"] = self.expires_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OAuthToken:
        expires_at = data["expires_at"]
        if isinstance(expires_at, str):
            expires_at = datetime.fromisoformat(expires_at)
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=expires_at,
            scope=data.get("scope") or "",
            token_type=data.get("token_type") or "Bearer",
            id_token=data.get("id_token"),
        )


class TokenStore(Protocol):
    """Where the caller keeps the token of one company link.

    ``lock()`` is the caller's lock (the Django app: ``select_for_update`` on the token row):
    ``load()`` inside it re-reads, ``save()`` inside it persists, leaving the block commits.
    """

    def load(self) -> OAuthToken | None: ...

    def save(self, token: OAuthToken) -> None: ...

    def lock(self) -> AbstractContextManager[None]: ...


class MemoryTokenStore:
    """A thread-safe in-memory TokenStore (tests, scripts). ``saves`` counts save() calls."""

    def __init__(self, token: OAuthToken | None = None):
        self._token = token
        self._lock = threading.Lock()
        self.saves = 0

    def load(self) -> OAuthToken | None:
        return dataclasses.replace(self._token) if self._token is not None else None

    def save(self, token: OAuthToken) -> None:
        self._token = dataclasses.replace(token)
        self.saves += 1

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        with self._lock:
            yield

    def __repr__(self) -> str:
        return f"MemoryTokenStore(has_token={self._token is not None}, saves={self.saves})"


class ProcoreOAuth:
    """The OAuth endpoints at ``{login_url}/oauth/authorize|token|revoke``."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        login_url: str,
        redirect_uri: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 30,
        clock: Callable[[], float] = time.time,
    ):
        self.client_id = client_id
        self._client_secret = client_secret
        self.login_url = login_url.rstrip("/")
        self.redirect_uri = redirect_uri
        self.session = session or requests.Session()
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:
        return f"ProcoreOAuth(client_id={self.client_id!r}, login_url={self.login_url!r})"

    # -- the grants -------------------------------------------------------------------------------
    def authorization_url(self, state: str) -> str:
        """Where to send the user: Procore asks them to approve, then redirects back with code+state."""
        if not self.redirect_uri:
            raise ValueError("redirect_uri is needed for the authorization code grant")
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "redirect_uri": self.redirect_uri,
                "state": state,
            }
        )
        return f"{self.login_url}/oauth/authorize?{query}"

    def exchange_code(self, code: str) -> OAuthToken:
        """Authorization code → token pair (the code is single use and lives 10 minutes)."""
        if not self.redirect_uri:
            raise ValueError("redirect_uri is needed for the authorization code grant")
        return self._token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        )

    def client_credentials(self) -> OAuthToken:
        """A service-account (DMSA) token; it comes without a refresh token."""
        return self._token_request({"grant_type": "client_credentials"})

    def refresh(self, token: OAuthToken) -> OAuthToken:
        """Spend the single-use refresh token for a new pair. Call under the store's lock."""
        if not token.refresh_token:
            raise AuthError("this token has no refresh token (service account: use client_credentials)")
        data = {"grant_type": "refresh_token", "refresh_token": token.refresh_token}
        if self.redirect_uri:
            data["redirect_uri"] = self.redirect_uri
        return self._token_request(data)

    def revoke(self, token: OAuthToken | str) -> None:
        """Revoke a token; Procore revokes the access token and its refresh token together."""
        value = token.access_token if isinstance(token, OAuthToken) else token
        response = self._post("/oauth/revoke", {"token": value})
        if response.status_code >= 400:
            raise self._error(response, "/oauth/revoke")

    # -- plumbing ---------------------------------------------------------------------------------
    def _post(self, path: str, data: dict[str, str]) -> requests.Response:
        body = {**data, "client_id": self.client_id, "client_secret": self._client_secret}
        try:
            return self.session.post(
                self.login_url + path, data=body, timeout=self.timeout, headers={"Accept": "application/json"}
            )
        except requests.RequestException as exc:
            # The exception text may quote the URL but never the form body; we use only its class name.
            raise TransientError(
                f"could not reach Procore's OAuth endpoint ({type(exc).__name__})",
                committed_unknown=not isinstance(exc, requests.exceptions.ConnectTimeout),
                method="POST",
                path=path,
            ) from None

    def _token_request(self, data: dict[str, str]) -> OAuthToken:
        response = self._post("/oauth/token", data)
        if response.status_code >= 400:
            raise self._error(response, "/oauth/token")
        try:
            payload = response.json()
        except ValueError:
            raise MalformedResponse(
                "Procore's token endpoint did not answer JSON", status=response.status_code, path="/oauth/token"
            ) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
            raise MalformedResponse("Procore's token answer has no access_token", path="/oauth/token")
        try:
            expires_in = int(payload.get("expires_in", 5400))
        except (TypeError, ValueError):
            raise MalformedResponse("Procore's token answer has a bad expires_in", path="/oauth/token") from None
        # Local clock, not the server's created_at: with the 60 s margin this is the safe side.
        expires_at = datetime.fromtimestamp(self.clock() + expires_in, tz=UTC)
        return OAuthToken(
            access_token=payload["access_token"],
            refresh_token=payload.get("refresh_token") or None,
            expires_at=expires_at,
            scope=payload.get("scope") or "",
            token_type=(payload.get("token_type") or "Bearer").capitalize(),
            id_token=payload.get("id_token"),
        )

    @staticmethod
    def _error(response: requests.Response, path: str) -> ProcoreError:
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        code = str(payload.get("error") or "")
        description = str(payload.get("error_description") or payload.get("errors") or code or response.reason)
        kwargs = {"status": response.status_code, "method": "POST", "path": path}
        if code == "invalid_grant":
            return InvalidGrant(description, **kwargs)
        if response.status_code == 429:
            return RateLimited(description or "rate limited", **kwargs)
        if response.status_code >= 500:
            return TransientError(description or "server error", **kwargs)
        return AuthError(description or "OAuth request refused", **kwargs)
