"""Procore's OAuth in the sandbox (api/procore.md §3), the company header (§4) and rate limits (§5)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from werkzeug.wrappers import Request, Response

from ..auth import OAuthToken
from .wire import ACCESS_TOKEN_SECONDS, AUTH_CODE_SECONDS, MISSING_COMPANY_MESSAGE, Reply


class OAuthFace:
    """Tokens, clients, the company header and the per-app rate window."""

    def set_rate_limit(self, limit: int, window_seconds: float) -> None:
        with self._lock:
            self.rate_limit, self.rate_window = int(limit), float(window_seconds)
            self.rate_limits = True
            self._windows.clear()

    def issue_token(self, client_id: str = "sandbox-client", client_secret: str = "sandbox-secret", *,
                    expires_in: int = ACCESS_TOKEN_SECONDS, refresh: bool = True,
                    service_account: bool = False) -> OAuthToken:
        """Register the client (if new) and hand out a token pair without the HTTP dance (a user's
        token, or with ``service_account`` a client-credentials one)."""
        with self._lock:
            self.clients.setdefault(client_id, client_secret)
            data = self._new_token(client_id, with_refresh=refresh, expires_in=expires_in,
                                   service_account=service_account)
        return OAuthToken(access_token=data["access_token"], refresh_token=data.get("refresh_token"),
                          expires_at=datetime.fromtimestamp(self.clock() + expires_in, tz=UTC))

    def expire_token(self, access_token: str) -> None:
        with self._lock:
            if access_token in self.access_tokens:
                self.access_tokens[access_token]["expires"] = self.clock() - 1

    # -- auth, company header, rate limits --------------------------------------------------------
    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        info = self.access_tokens.get(token)
        if info is None or info["expires"] <= self.clock():
            # §5: 401 = expired/invalid token.
            raise Reply(401, {"errors": "401 Unauthorized: the access token is invalid or has expired"})
        return info["client_id"]

    def _check_company(self, request: Request, endpoint: str) -> None:
        value = request.headers.get("Procore-Company-Id")
        if not value:
            if endpoint in ("me", "companies") and not self._service_account(request):
                # §4 (DOC:tutorials/tutorial_mpz.md): GET /me and GET /companies need no company header,
                # which is how a user's token finds its companies; a service account's token
                # (client credentials, DOC:oauth/oauth_client_credentials.md) must send it even there.
                return
            # §4: required on every other request. Status UNCONFIRMED (docs: "errors/404s"); the
            # sandbox answers 400 with the real message.
            raise Reply(400, {"errors": MISSING_COMPANY_MESSAGE})
        if value.strip() != str(self.company_id):
            raise Reply(403, {"errors": "App is not connected to this company"})  # §5 403 message

    def _service_account(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        info = self.access_tokens.get(header[7:].strip() if header.lower().startswith("bearer ") else "")
        return bool(info and info.get("service_account"))

    def _count_rate(self, client_id: str) -> dict[str, str]:
        """Fixed window per app (§5: limits are per app; failed calls count too)."""
        if not self.rate_limits:
            return {}
        now = self.clock()
        start, count = self._windows.get(client_id, (now, 0))
        if now >= start + self.rate_window:
            start, count = now, 0
        count += 1
        self._windows[client_id] = (start, count)
        remaining = self.rate_limit - count
        return {"X-Rate-Limit-Limit": str(self.rate_limit),
                "X-Rate-Limit-Remaining": str(max(remaining, -1)),
                "X-Rate-Limit-Reset": str(int(start + self.rate_window + 0.999))}

    # -- OAuth (§3) -------------------------------------------------------------------------------
    def _new_token(self, client_id: str, *, with_refresh: bool, expires_in: int = ACCESS_TOKEN_SECONDS,
                   service_account: bool = False) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        now = self.clock()
        data: dict[str, Any] = {"access_token": access, "token_type": "bearer", "expires_in": expires_in,
                                "created_at": int(now)}
        info: dict[str, Any] = {"client_id": client_id, "expires": now + expires_in, "refresh": None,
                                "service_account": service_account}
        if with_refresh:
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = {"client_id": client_id, "access": access}
            info["refresh"] = refresh
            data["refresh_token"] = refresh
        self.access_tokens[access] = info
        return data

    @staticmethod
    def _form(request: Request) -> dict[str, Any]:
        if request.mimetype == "application/json":
            data = request.get_json(silent=True)
            return data if isinstance(data, dict) else {}
        return request.form.to_dict()

    def _check_client(self, form: dict[str, Any]) -> str:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not client_id or not secret:
            raise Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        known = self.clients.setdefault(client_id, secret)  # any client id accepted on first use
        if not secrets.compare_digest(known, secret):
            raise Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        return client_id

    def h_oauth_authorize(self, request: Request) -> Response:
        """Approves at once and redirects with the code and the state (the sandbox's user says yes)."""
        args = request.args
        client_id, redirect_uri = args.get("client_id"), args.get("redirect_uri")
        if args.get("response_type") != "code" or not client_id or not redirect_uri:
            # OAS:OauthAuthorizeGet: response_type, client_id, redirect_uri are required.
            raise Reply(400, {"error": "invalid_request",
                              "error_description": "response_type=code, client_id and redirect_uri are required"})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri,
                            "expires": self.clock() + AUTH_CODE_SECONDS}
        if redirect_uri == "urn:ietf:wg:oauth:2.0:oob":  # §3: headless flow shows the code
            return self._json({"code": code})
        query = {"code": code}
        if args.get("state") is not None:
            query["state"] = args["state"]
        target = urljoin(request.host_url, redirect_uri)  # relative redirect URIs resolve against the request
        separator = "&" if "?" in target else "?"
        return Response(status=302, headers={"Location": f"{target}{separator}{urlencode(query)}"})

    def h_oauth_token(self, request: Request) -> Response:
        form = self._form(request)
        client_id = self._check_client(form)
        grant = form.get("grant_type")
        if grant in self.token_requests:
            self.token_requests[grant] += 1
        if grant == "authorization_code":
            info = self.codes.pop(form.get("code") or "", None)  # single use
            if (info is None or info["client_id"] != client_id or info["expires"] <= self.clock()
                    or (form.get("redirect_uri") and form["redirect_uri"] != info["redirect_uri"])):
                raise Reply(400, {"error": "invalid_grant", "error_description": "The provided authorization "
                                  "grant is invalid, expired, revoked, or was issued to another client."})
            return self._json(self._new_token(client_id, with_refresh=True))
        if grant == "refresh_token":
            # §3: single use — the old refresh token dies now, even if this answer is lost (drop fault).
            info = self.refresh_tokens.pop(form.get("refresh_token") or "", None)
            if info is None or info["client_id"] != client_id:
                raise Reply(400, {"error": "invalid_grant", "error_description": "The provided authorization "
                                  "grant is invalid, expired, revoked, or was issued to another client."})
            return self._json(self._new_token(client_id, with_refresh=True))
        if grant == "client_credentials":
            # DOC:oauth/oauth_client_credentials.md: the answer carries no refresh_token.
            return self._json(self._new_token(client_id, with_refresh=False, service_account=True))
        raise Reply(400, {"error": "unsupported_grant_type",
                          "error_description": "The authorization grant type is not supported."})

    def h_oauth_revoke(self, request: Request) -> Response:
        form = self._form(request)
        self._check_client(form)
        token = form.get("token") or ""
        # §3: revoking revokes the access token and its refresh token.
        info = self.access_tokens.pop(token, None)
        if info and info.get("refresh"):
            self.refresh_tokens.pop(info["refresh"], None)
        refresh = self.refresh_tokens.pop(token, None)
        if refresh:
            self.access_tokens.pop(refresh["access"], None)
        return self._json({})

    def h_oauth_token_info(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        info = self.access_tokens.get(header[7:].strip())
        if info is None or info["expires"] <= self.clock():
            raise Reply(401, {"error": "invalid_token"})
        return self._json({"resource_owner_id": None, "scope": [], "application": {"uid": info["client_id"]},
                           "expires_in_seconds": int(info["expires"] - self.clock())})
