"""Connecting a company link to Xero and to Procore (CONN-2), and disconnecting it.

The flows, as the admin sees them (views in `integration.views.connect`):

- Xero: `connect_start` gives the authorize URL and a fresh `state` (the view keeps it in the session);
  Xero sends the browser back to `<CONNECTOR_BASE_URL>/connect/xero/callback`; `connect_complete`
  checks the state, trades the code and stores the tokens encrypted; `xero_organisations_list` reads
  `GET /connections` and `xero_organisation_choose` pairs the link with one of them.
- Procore: the same with `/connect/procore/callback`, then `procore_companies_list` (`GET /companies`)
  and `procore_company_choose`; or `procore_service_account_connect` with a service account's (DMSA)
  client id and secret (client credentials grant, no refresh token).
- `connection_disconnect` revokes the tokens and forgets them; `connection_check` makes one cheap call
  and marks the link "needs reconnect" when the refresh token is dead (CONN-3); `connection_reconnect_service_account`
  is the one-click reconnect of a service account.

Every function is atomic where it writes and leaves one audit row. No token, secret or code ever
reaches a message, a log line, an audit row or a page (REL-7): errors are rebuilt from the
exception's class and status, never from the request that failed.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integration.models import CompanyLink, Connection
from integration.services import connections
from integration.services.audit import audit_record
from integration.services.connections import (
    DbTokenStore,
    connection_mark_needs_reconnect,
    procore_oauth,
    xero_oauth,
)

log = logging.getLogger(__name__)

XERO = Connection.Provider.XERO
PROCORE = Connection.Provider.PROCORE
PROVIDERS = (XERO, PROCORE)


class ConnectError(Exception):
    """A connect step failed; `str(exc)` is safe to show to the admin (no secret in it)."""


class ServiceSecretUnreadable(ConnectError):
    """The stored service account secret cannot be decrypted: the admin must enter it again."""


class StateRefused(ConnectError):
    """The callback's state is not the one this session started: nothing is done with the callback, and the
    connection the session started still waits for its own callback."""


class StateMalformed(StateRefused):
    """The callback's state is not even shaped like one of ours (a 400 for the browser)."""


# Ours are `secrets.token_urlsafe(32)`: 43 characters of the URL-safe base64 alphabet. Anything outside that
# alphabet, or of an implausible length, is malformed; a well-formed stranger is merely not ours (mismatch).
STATE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")


@dataclass(frozen=True)
class Started:
    url: str
    state: str


def redirect_uri(provider: str) -> str:
    """The callback registered with the provider's app: `<CONNECTOR_BASE_URL>/connect/<provider>/callback`."""
    return f"{settings.CONNECTOR_BASE_URL}/connect/{provider}/callback"


def _label(provider: str) -> str:
    return Connection.Provider(provider).label


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ConnectError(f"Unknown service {provider!r}.")


def _oauth(provider: str, *, conn: Connection | None = None):
    if provider == XERO:
        if not settings.XERO_CLIENT_ID or not settings.XERO_CLIENT_SECRET:
            raise ConnectError("XERO_CLIENT_ID and XERO_CLIENT_SECRET are not set: register the Xero app first "
                               "(README, 'Connecting real accounts').")
        return xero_oauth(redirect_uri=redirect_uri(XERO))
    if conn is None or conn.auth_type != Connection.AuthType.CLIENT_CREDENTIALS:
        if not settings.PROCORE_CLIENT_ID or not settings.PROCORE_CLIENT_SECRET:
            raise ConnectError("PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET are not set: register the Procore app "
                               "first, or connect with a service account.")
    return procore_oauth(redirect_uri=redirect_uri(PROCORE), conn=conn)


def _token_class(provider: str):
    if provider == XERO:
        from xero_client import OAuthToken
    else:
        from procore_client import OAuthToken
    return OAuthToken


def _safe(exc: Exception, provider: str) -> str:
    """A message for the admin built from the error's class and status only (REL-7)."""
    status = getattr(exc, "status", None)
    kind = type(exc).__name__
    return f"{_label(provider)} refused the request ({kind}{f', HTTP {status}' if status else ''})."


def _client_errors(provider: str) -> tuple[type[Exception], ...]:
    if provider == XERO:
        from xero_client import XeroError

        return (XeroError,)
    from procore_client import ProcoreError

    return (ProcoreError,)


def _invalid_grant(provider: str) -> type[Exception]:
    if provider == XERO:
        from xero_client import InvalidGrant
    else:
        from procore_client import InvalidGrant
    return InvalidGrant


# ----------------------------------------------------------------------------- authorization code
def connect_start(*, link: CompanyLink, provider: str, actor) -> Started:
    """The provider's authorize URL (scopes from settings.XERO_SCOPES for Xero) with a new random state."""
    _check_provider(provider)
    state = secrets.token_urlsafe(32)
    url = _oauth(provider).authorization_url(state)
    log.info("%s: %s asked to connect %s", link, getattr(actor, "username", actor), _label(provider))
    return Started(url=url, state=state)


def _store_token(*, link: CompanyLink, provider: str, token, actor, auth_type: str, action: str,
                 service_client_id: str = "", service_client_secret: str = "") -> Connection:
    with transaction.atomic():
        conn, _ = Connection.objects.select_for_update().get_or_create(link=link, provider=provider)
        previous = conn.status
        conn.auth_type = auth_type
        conn.access_token = token.access_token
        conn.refresh_token = token.refresh_token or ""
        conn.expires_at = token.expires_at
        conn.scope = token.scope or ""
        conn.token_type = token.token_type or "Bearer"
        conn.status = Connection.Status.CONNECTED
        conn.status_message = ""
        conn.connected_by = actor if getattr(actor, "pk", None) else None
        conn.connected_at = timezone.now()
        conn.service_client_id = service_client_id
        conn.service_client_secret = service_client_secret
        conn.save()
        detail = f"scopes: {conn.scope}" if conn.scope else ""
        audit_record(conn, action=action, actor=actor, from_status=previous, to_status=conn.status,
                     message=f"{_label(provider)} connected ({conn.get_auth_type_display()}). {detail}".strip(),
                     link=link)
    return conn


def check_state(*, provider: str, state: str | None) -> None:
    """Refuse a callback whose state is missing or not shaped like the states `connect_start` makes."""
    if not state or not STATE_PATTERN.fullmatch(state):
        raise StateMalformed(f"This {_label(provider)} callback carries no valid state, so it cannot belong to a "
                             "connection started here. Nothing was stored; a connection you started is still "
                             "waiting for its own answer.")


def connect_complete(*, link: CompanyLink, provider: str, actor, state: str | None, expected_state: str | None,
                     code: str | None = None, error: str | None = None,
                     error_description: str | None = None) -> Connection:
    """The callback: refuse a malformed or wrong state first (StateRefused, nothing stored), then a denied
    consent, else trade the code and store the token pair encrypted. The organisation/company is chosen next."""
    _check_provider(provider)
    label = _label(provider)
    check_state(provider=provider, state=state)
    if not expected_state or not secrets.compare_digest(str(state).encode(), str(expected_state).encode()):
        audit_record(link, action="connect_refused", actor=actor, link=link,
                     message=f"{label} callback refused: its state does not match the one this session started.")
        raise StateRefused(f"{label} was not connected: the answer does not belong to the connection you "
                           "started (state mismatch). Nothing was stored; start again.")
    if error:  # honoured only now that the state proves the answer belongs to this session's connection
        reason = "consent was denied" if error == "access_denied" else f"{label} answered {str(error)[:100]!r}"
        audit_record(link, action="connect_refused", actor=actor, link=link,
                     message=f"{label} connection not made: {reason}. Nothing was stored.")
        raise ConnectError(f"{label} was not connected: {reason}. Nothing was stored; try again when ready.")
    if not code:
        raise ConnectError(f"{label} was not connected: the answer carries no authorization code.")
    try:
        token = _oauth(provider).exchange_code(code)
    except _client_errors(provider) as exc:
        raise ConnectError(f"{label} was not connected: {_safe(exc, provider)}") from None
    return _store_token(link=link, provider=provider, token=token, actor=actor,
                        auth_type=Connection.AuthType.AUTHORIZATION_CODE, action="connected")


# ----------------------------------------------------------------------------- token use
def _live_token(link: CompanyLink, provider: str):
    """A usable token of the link's connection, refreshed under the row lock when stale (CONN-3).
    A dead refresh token marks the link "needs reconnect" and raises ConnectError."""
    conn = Connection.objects.filter(link=link, provider=provider).first()
    if conn is not None and conn.key_changed:
        raise ConnectError(f"{link}'s {_label(provider)} connection needs reconnect: {Connection.KEY_CHANGED} (its "
                           "stored tokens cannot be decrypted with FIELD_ENCRYPTION_KEY). Reconnect it.")
    if conn is None or not conn.access_token:
        raise ConnectError(f"{link} is not connected to {_label(provider)}.")
    store = DbTokenStore(conn.pk, _token_class(provider))
    oauth = _oauth(provider, conn=conn)
    try:
        if provider == XERO:
            from xero_client import TokenManager

            opts = connections.runtime_options(XERO).get("oauth", {})
            TokenManager(oauth, store, **({"now": opts["now"]} if "now" in opts else {})).access_token()
        else:
            token = store.load()
            clock = connections.runtime_options(PROCORE).get("oauth", {}).get("clock")
            if token.expires_within(60, now=clock() if clock else None):
                with store.lock():
                    token = store.load()
                    if token.expires_within(60, now=clock() if clock else None):
                        store.save(oauth.refresh(token) if token.refresh_token else oauth.client_credentials())
    except _invalid_grant(provider) as exc:
        connection_mark_needs_reconnect(
            link=link, provider=provider,
            message=f"{_label(provider)} refused the refresh token ({type(exc).__name__}): reconnect {_label(provider)}.")
        raise ConnectError(f"{_label(provider)} refused the stored refresh token: the link needs reconnecting.") from None
    except _client_errors(provider) as exc:
        raise ConnectError(_safe(exc, provider)) from None
    conn.refresh_from_db()
    return conn, store.load(), oauth


def xero_organisations_list(*, link: CompanyLink) -> list[dict]:
    """The organisations the link's Xero token may use (`GET /connections`): tenantId, tenantName, ..."""
    _, token, oauth = _live_token(link, XERO)
    try:
        return oauth.connections(token)
    except _client_errors(XERO) as exc:
        raise ConnectError(_safe(exc, XERO)) from None


def xero_organisation_choose(*, link: CompanyLink, tenant_id: str, actor) -> CompanyLink:
    """Pair the link with one organisation of its Xero connection (checked against `GET /connections`)."""
    tenants = {t["tenantId"]: t for t in xero_organisations_list(link=link)}
    tenant = tenants.get(tenant_id)
    if tenant is None:
        raise ConnectError("That organisation is not among those this Xero connection may use.")
    owner = organisation_owner(tenant_id=tenant_id, besides=link)
    if owner is not None:
        raise ConnectError(f"The Xero organisation {tenant.get('tenantName') or tenant_id} already belongs to the company "
                           f"link '{owner}': one Xero organisation belongs to one link only, so that its "
                           "webhooks and its books have one owner. Choose another organisation, or clear it on "
                           f"'{owner}' first.")
    return _pair(link=link, actor=actor, fields={"xero_tenant_id": tenant_id,
                                                  "xero_tenant_name": tenant.get("tenantName") or ""},
                 message=f"Xero organisation chosen: {tenant.get('tenantName') or tenant_id}")


def organisation_owner(*, tenant_id: str, besides: CompanyLink | None = None) -> CompanyLink | None:
    """The link that already holds this Xero organisation (tenant ids compare case-insensitively)."""
    links = CompanyLink.objects.filter(xero_tenant_id__iexact=tenant_id)
    if besides is not None:
        links = links.exclude(pk=besides.pk)
    return links.order_by("pk").first()


def _procore_client(link: CompanyLink, company_id: int):
    from procore_client import OAuthToken, ProcoreClient

    conn = Connection.objects.get(link=link, provider=PROCORE)
    session = connections.http_session()
    return ProcoreClient(api_url=settings.PROCORE_API_URL, company_id=company_id,
                         oauth=procore_oauth(session=session, conn=conn, redirect_uri=redirect_uri(PROCORE)),
                         token_store=DbTokenStore(conn.pk, OAuthToken), session=session,
                         timeout=settings.HTTP_TIMEOUT, **connections.runtime_options(PROCORE).get("client", {}))


def procore_companies_list(*, link: CompanyLink, company_id: int | None = None) -> list[dict]:
    """The companies the link's Procore token may reach (`GET /rest/v1.0/companies`).

    Procore wants the `Procore-Company-Id` header even here for service accounts (api/procore.md §4), so
    the known id (given, or the link's) is sent when there is one. Without one, a user's token is asked
    without the header; when Procore insists on it, ConnectError asks the admin for the company id.
    """
    _, token, _ = _live_token(link, PROCORE)
    company_id = company_id or link.procore_company_id
    if company_id:
        try:
            return _procore_client(link, int(company_id)).companies()
        except _client_errors(PROCORE) as exc:
            raise ConnectError(f"Procore would not list the companies for company id {company_id}: "
                               f"{_safe(exc, PROCORE)} Check the id (it is in the Procore URL).") from None
    import requests

    try:
        response = connections.http_session().get(f"{settings.PROCORE_API_URL}/rest/v1.0/companies", timeout=settings.HTTP_TIMEOUT,
                                      headers={"Authorization": f"Bearer {token.access_token}",
                                               "Accept": "application/json"})
    except requests.RequestException as exc:
        raise ConnectError(f"Procore did not answer ({type(exc).__name__}).") from None
    if response.status_code == 200:
        body = response.json()
        if isinstance(body, list):
            return body
    raise ConnectError("Procore needs the company id to list the companies: enter it below (it is the number "
                       "after app.procore.com/ in the address bar of the company's Procore home page).")


def procore_company_choose(*, link: CompanyLink, company_id: int, actor) -> CompanyLink:
    """Pair the link with one Procore company the token may reach."""
    companies = {int(c["id"]): c for c in procore_companies_list(link=link, company_id=company_id)}
    company = companies.get(int(company_id))
    if company is None:
        raise ConnectError("That company is not among those this Procore connection may reach.")
    return _pair(link=link, actor=actor, fields={"procore_company_id": int(company_id),
                                                  "procore_company_name": company.get("name") or ""},
                 message=f"Procore company chosen: {company.get('name') or company_id}")


def _pair(*, link: CompanyLink, actor, fields: dict, message: str) -> CompanyLink:
    try:
        with transaction.atomic():
            locked = CompanyLink.objects.select_for_update().get(pk=link.pk)
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.save(update_fields=[*fields, "updated_at"])
            audit_record(locked, action="link_paired", actor=actor, message=message, link=locked)
    except IntegrityError:  # another link took the organisation meanwhile (the database's constraint)
        raise ConnectError("Another company link already holds this Xero organisation: one Xero organisation "
                           "belongs to one link only.") from None
    for key, value in fields.items():
        setattr(link, key, value)
    return link


# ----------------------------------------------------------------------------- service account
def procore_service_account_connect(*, link: CompanyLink, client_id: str, client_secret: str, company_id: int,
                                    actor) -> Connection:
    """Connect Procore with a service account (DMSA): client credentials, then the company is checked
    against `GET /companies` (sent with its id, as Procore requires for service accounts)."""
    from procore_client import ProcoreOAuth

    client_id, client_secret = (client_id or "").strip(), (client_secret or "").strip()
    if not client_id or not client_secret or not company_id:
        raise ConnectError("Give the service account's client id, its client secret and the company id.")
    oauth = ProcoreOAuth(client_id, client_secret, login_url=settings.PROCORE_LOGIN_URL, session=connections.http_session(),
                         timeout=settings.HTTP_TIMEOUT, **connections.runtime_options(PROCORE).get("oauth", {}))
    try:
        token = oauth.client_credentials()
    except _client_errors(PROCORE) as exc:
        raise ConnectError(f"Procore refused the service account: {_safe(exc, PROCORE)}") from None
    conn = _store_token(link=link, provider=PROCORE, token=token, actor=actor,
                        auth_type=Connection.AuthType.CLIENT_CREDENTIALS, action="connected",
                        service_client_id=client_id, service_client_secret=client_secret)
    procore_company_choose(link=link, company_id=int(company_id), actor=actor)
    return conn


def connection_reconnect_service_account(*, link: CompanyLink, actor) -> Connection:
    """One-click reconnect of a service account: a new client-credentials token with the stored credentials."""
    conn = Connection.objects.filter(link=link, provider=PROCORE).first()
    if conn is None or conn.auth_type != Connection.AuthType.CLIENT_CREDENTIALS or not conn.service_client_id:
        raise ConnectError("This link's Procore connection is not a service account.")
    if conn.key_changed:
        raise ServiceSecretUnreadable(f"Procore not reconnected: {Connection.KEY_CHANGED}, so the stored service "
                                      "account secret cannot be decrypted. Enter the service account's secret again.")
    try:
        token = _oauth(PROCORE, conn=conn).client_credentials()
    except _client_errors(PROCORE) as exc:
        raise ConnectError(f"Procore refused the service account: {_safe(exc, PROCORE)}") from None
    return _store_token(link=link, provider=PROCORE, token=token, actor=actor,
                        auth_type=Connection.AuthType.CLIENT_CREDENTIALS, action="reconnected",
                        service_client_id=conn.service_client_id, service_client_secret=conn.service_client_secret)


# ----------------------------------------------------------------------------- check and disconnect
def connection_check(*, link: CompanyLink, provider: str) -> str:
    """One cheap authenticated call; a dead refresh token marks the link "needs reconnect" (CONN-3).
    Returns a short description for the admin; raises ConnectError when the connection does not work."""
    _check_provider(provider)
    if provider == XERO:
        tenants = xero_organisations_list(link=link)
        return f"Xero answers: {len(tenants)} organisation(s) reachable."
    companies = procore_companies_list(link=link)
    return f"Procore answers: {len(companies)} company(ies) reachable."


def connection_disconnect(*, link: CompanyLink, provider: str, actor) -> Connection | None:
    """Revoke the tokens at the provider, then forget them (the link and its records stay)."""
    _check_provider(provider)
    conn = Connection.objects.filter(link=link, provider=provider).first()
    if conn is None:
        return None
    note = ""
    token_class = _token_class(provider)
    token = DbTokenStore(conn.pk, token_class).load()
    if token is not None:
        try:
            _oauth(provider, conn=conn).revoke(token)
            note = "tokens revoked"
        except (*_client_errors(provider), ConnectError) as exc:
            note = f"revocation not confirmed ({type(exc).__name__}); remove the app's access in {_label(provider)}"
    with transaction.atomic():
        conn = Connection.objects.select_for_update().get(pk=conn.pk)
        previous = conn.status
        conn.access_token = ""
        conn.refresh_token = ""
        conn.service_client_secret = ""
        conn.expires_at = None
        conn.status = Connection.Status.DISCONNECTED
        conn.status_message = f"Disconnected: {note}." if note else "Disconnected."
        conn.save()
        audit_record(conn, action="disconnected", actor=actor, from_status=previous, to_status=conn.status,
                     message=f"{_label(provider)} disconnected ({note or 'no token was stored'}).", link=link)
    return conn


def connect_via_redirect(*, link: CompanyLink, provider: str, actor, follow) -> Connection:
    """The whole authorization code flow for a headless caller (the demo): start, let `follow(url)`
    play the browser and return the callback URL it was sent to, then complete with its query."""
    from urllib.parse import parse_qs, urlsplit

    started = connect_start(link=link, provider=provider, actor=actor)
    callback = follow(started.url)
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    return connect_complete(link=link, provider=provider, actor=actor, state=query.get("state"),
                            expected_state=started.state, code=query.get("code"), error=query.get("error"))


__all__ = [
    "ConnectError", "ServiceSecretUnreadable", "Started", "StateMalformed", "StateRefused", "check_state",
    "connect_complete", "connect_start", "connect_via_redirect",
    "connection_check", "connection_disconnect", "connection_reconnect_service_account",
    "organisation_owner", "procore_companies_list", "procore_company_choose", "procore_service_account_connect", "redirect_uri",
    "xero_organisation_choose", "xero_organisations_list",
]
