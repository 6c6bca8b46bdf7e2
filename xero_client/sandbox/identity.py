"""Xero's identity face in the sandbox: authorize, token, revocation and /connections (api/xero.md §1)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from .books import new_id
from .wire import ApiError, _iso, _json_response, _redirect, problem

ACCESS_TOKEN_SECONDS = 1800  # §1 "Access token: 30 minutes (expires_in: 1800)"


REFRESH_TOKEN_DAYS = 60  # §1 "unused refresh tokens expire after 60 days"


REFRESH_GRACE = timedelta(minutes=30)  # §1 "retry ... for a grace period of 30 minutes"


CODE_SECONDS = 300


KNOWN_SCOPES = frozenset({
    "openid", "profile", "email", "offline_access", "accounting.transactions", "accounting.transactions.read",
    "accounting.contacts", "accounting.contacts.read", "accounting.settings", "accounting.settings.read",
    "accounting.invoices", "accounting.invoices.read", "accounting.payments", "accounting.payments.read",
    "accounting.banktransactions", "accounting.banktransactions.read", "accounting.manualjournals",
    "accounting.manualjournals.read", "accounting.attachments", "accounting.attachments.read",
    "accounting.reports.read", "accounting.journals.read", "accounting.budgets.read",
})


@dataclass
class Grant:
    """One authorisation: a user approved a client for some organisations (an auth event)."""

    id: str
    client_id: str
    scope: str
    tenants: dict[str, dict] = field(default_factory=dict)  # tenant id -> connection
    revoked: bool = False


class IdentityFace:
    """OAuth 2.0 and the tenants' connections (§1)."""

    def expire_access_tokens(self) -> None:
        with self._lock:
            past = self.clock() - timedelta(seconds=1)
            for record in self.access_tokens.values():
                record["expires_at"] = past

    # ------------------------------------------------------------------ OAuth (§1)
    def _authorize(self, request: Request) -> Response:
        # §1: response_type=code, client_id, redirect_uri, scope, state. The sandbox approves at once
        # and connects every organisation it holds.
        args = request.args
        if args.get("response_type") != "code":
            return _json_response({"error": "unsupported_response_type"}, 400)
        client_id, redirect_uri = args.get("client_id"), args.get("redirect_uri")
        if not client_id:
            return _json_response({"error": "invalid_request", "error_description": "client_id is required"}, 400)
        if not redirect_uri or not urlsplit(redirect_uri).scheme:
            return _json_response({"error": "invalid_request", "error_description": "redirect_uri is required"}, 400)
        scopes = (args.get("scope") or "").split()
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if not scopes or unknown:
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": args.get("state", "")})
        with self._lock:
            grant = Grant(id=new_id(), client_id=client_id, scope=" ".join(scopes))
            now = self.clock()
            for tenant_id, books in self.organisations.items():
                grant.tenants[tenant_id] = {
                    "id": new_id(), "authEventId": grant.id, "tenantId": tenant_id, "tenantType": "ORGANISATION",
                    "tenantName": books.name, "createdDateUtc": now, "updatedDateUtc": now}
            self.grants[grant.id] = grant
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"grant": grant.id, "client_id": client_id, "redirect_uri": redirect_uri,
                                "expires_at": now + timedelta(seconds=CODE_SECONDS)}
        params = {"code": code, "scope": grant.scope, "session_state": secrets.token_hex(8)}
        if args.get("state") is not None:
            params["state"] = args["state"]
        return _redirect(redirect_uri, params)

    def _client_auth(self, request: Request) -> str:
        client_id = secret = None
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                client_id = None
        else:
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
        if not client_id or not secret:
            raise ApiError(400, {"error": "invalid_client"})
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
        # Any client id is accepted on first use and its secret remembered; a wrong secret later is
        # invalid_client (issue 3, standing in for an app registered at developer.xero.com).
        known = self.clients.setdefault(client_id, digest)
        if not secrets.compare_digest(known, digest):
            raise ApiError(400, {"error": "invalid_client"})
        return client_id

    def _issue(self, grant: Grant) -> dict:
        now = self.clock()
        access = secrets.token_urlsafe(32)
        self.access_tokens[access] = {"grant": grant.id, "expires_at": now + timedelta(seconds=ACCESS_TOKEN_SECONDS)}
        body = {"access_token": access, "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer",
                "scope": grant.scope}
        if "openid" in grant.scope.split():
            claims = base64.urlsafe_b64encode(json.dumps({"sub": grant.client_id}).encode()).decode().rstrip("=")
            body["id_token"] = f"eyJhbGciOiJub25lIn0.{claims}."
        if "offline_access" in grant.scope.split():  # §1: offline_access is required for a refresh token
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = {"grant": grant.id, "issued_at": now, "used_at": None, "successor": None,
                                            "revoked": False}
            body["refresh_token"] = refresh
        return body

    def _token(self, request: Request) -> Response:
        with self._lock:
            try:
                client_id = self._client_auth(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            grant_type = request.form.get("grant_type")
            now = self.clock()
            if grant_type == "authorization_code":
                code = self.codes.pop(request.form.get("code", ""), None)
                if (code is None or code["client_id"] != client_id or code["expires_at"] < now
                        or (request.form.get("redirect_uri") and request.form["redirect_uri"] != code["redirect_uri"])):
                    return _json_response({"error": "invalid_grant"}, 400)
                return _json_response(self._issue(self.grants[code["grant"]]), 200, no_store=True)
            if grant_type == "refresh_token":
                token = request.form.get("refresh_token", "")
                record = self.refresh_tokens.get(token)
                grant = self.grants.get(record["grant"]) if record else None
                # §1 "Failure mode": a stale, rotated, revoked or unknown refresh token is HTTP 400
                # {"error":"invalid_grant"}.
                if (record is None or grant is None or grant.revoked or record["revoked"]
                        or grant.client_id != client_id
                        or now - record["issued_at"] > timedelta(days=REFRESH_TOKEN_DAYS)):
                    return _json_response({"error": "invalid_grant"}, 400)
                if record["used_at"] is not None:
                    # §1 rotation: the old token may be retried for 30 minutes only when the answer was
                    # lost, i.e. its successor was never used. The successor it replaces is revoked.
                    successor = self.refresh_tokens.get(record["successor"] or "")
                    if now - record["used_at"] > REFRESH_GRACE or (successor and successor["used_at"] is not None):
                        return _json_response({"error": "invalid_grant"}, 400)
                    if successor:
                        successor["revoked"] = True
                body = self._issue(grant)
                record["used_at"] = now
                record["successor"] = body.get("refresh_token")
                return _json_response(body, 200, no_store=True)
            return _json_response({"error": "unsupported_grant_type"}, 400)

    def _revocation(self, request: Request) -> Response:
        with self._lock:
            try:
                client_id = self._client_auth(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            record = self.refresh_tokens.get(request.form.get("token", ""))
            if record is not None:
                grant = self.grants.get(record["grant"])
                if grant is not None and grant.client_id == client_id:
                    # §1: "Revoking removes all of that user's connections"
                    grant.revoked = True
                    grant.tenants.clear()
            return Response(b"", 200)

    def _bearer_grant(self, request: Request) -> Grant:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
        record = self.access_tokens.get(header[7:].strip())
        grant = self.grants.get(record["grant"]) if record else None
        if record is None or grant is None or grant.revoked:
            raise problem(401, "Unauthorized", "AuthenticationUnsuccessful")
        if record["expires_at"] <= self.clock():  # §1: access tokens live 30 minutes
            raise problem(401, "Unauthorized", f"TokenExpired: token expired at {record['expires_at']:%m/%d/%Y %H:%M:%S}")
        return grant

    def _connections(self, request: Request) -> Response:
        with self._lock:
            try:
                grant = self._bearer_grant(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            wanted = request.args.get("authEventId")
            rows = [dict(c, createdDateUtc=_iso(c["createdDateUtc"]), updatedDateUtc=_iso(c["updatedDateUtc"]))
                    for g in self.grants.values() if g.client_id == grant.client_id and not g.revoked
                    for c in g.tenants.values() if (wanted is None or c["authEventId"] == wanted)]
            # one row per tenant: the latest authorisation wins
            latest: dict[str, dict] = {}
            for row in rows:
                latest[row["tenantId"]] = row
            return _json_response(list(latest.values()), 200)

    def _connection_delete(self, request: Request, conn_id: str) -> Response:
        with self._lock:
            try:
                grant = self._bearer_grant(request)
            except ApiError as exc:
                return _json_response(exc.body, exc.status)
            for g in self.grants.values():
                if g.client_id != grant.client_id:
                    continue
                for tenant_id, conn in list(g.tenants.items()):
                    if conn["id"] == conn_id:  # §1: DELETE /connections/{id} uses the connection id
                        del g.tenants[tenant_id]
                        return Response(b"", 204)
            return _json_response({"Type": None, "Title": "NotFound", "Status": 404, "Detail": "No connection"}, 404)
