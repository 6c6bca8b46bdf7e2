"""Connections to Procore and Xero: the token store the clients lock and refresh through (CONN-3),
and the factories that build a client for a company link (CONN-5)."""

from __future__ import annotations

from contextlib import contextmanager

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integration.models import CompanyLink, Connection
from integration.services.audit import audit_record


class NotConnected(Exception):
    """The link has no working connection to that service; the admin must (re)connect it."""


class DbTokenStore:
    """The token store protocol of both clients, on one Connection row.

    `lock()` holds a row lock in its own transaction: the client re-reads the token inside it,
    refreshes once, saves, and only uses the new access token after the block has committed, so
    two workers can never both spend a single-use refresh token (CONN-3).
    Clients must not be called inside an outer transaction for the same reason.
    """

    def __init__(self, connection_id: int, token_class):
        self.connection_id = connection_id
        self.token_class = token_class

    def load(self):
        conn = Connection.objects.get(pk=self.connection_id)
        if not conn.access_token:
            return None
        return self.token_class(
            access_token=conn.access_token,
            refresh_token=conn.refresh_token or None,
            expires_at=conn.expires_at,
            scope=conn.scope,
            token_type=conn.token_type or "Bearer",
        )

    @contextmanager
    def lock(self):
        with transaction.atomic():
            Connection.objects.select_for_update().get(pk=self.connection_id)
            yield

    def save(self, token) -> None:
        conn = Connection.objects.get(pk=self.connection_id)
        conn.access_token = token.access_token
        conn.refresh_token = token.refresh_token or ""
        conn.expires_at = token.expires_at
        conn.scope = token.scope or conn.scope
        conn.token_type = token.token_type or "Bearer"
        conn.last_refreshed_at = timezone.now()
        conn.status = Connection.Status.CONNECTED
        conn.status_message = ""
        conn.save()
        Connection.objects.filter(pk=self.connection_id).update(refresh_count=F("refresh_count") + 1)


def http_session() -> requests.Session:
    """The HTTP session every client uses. Tests replace it with one that routes to the sandboxes."""
    return requests.Session()


def runtime_options(provider: str) -> dict:
    """Extra keyword arguments for a provider's client and OAuth objects: {"client": {...}, "oauth": {...}}.
    Empty in production; tests give the clients a virtual clock so that nothing really sleeps."""
    return {}


def _connection(link: CompanyLink, provider: str) -> Connection:
    conn = Connection.objects.filter(link=link, provider=provider).first()
    if conn is not None and conn.key_changed:
        raise NotConnected(f"{link}'s {provider.capitalize()} connection needs reconnecting: {Connection.KEY_CHANGED} "
                           "(its stored tokens cannot be decrypted with FIELD_ENCRYPTION_KEY).")
    if conn is None or conn.status == Connection.Status.DISCONNECTED or not conn.access_token:
        raise NotConnected(f"{link} is not connected to {provider.capitalize()}: connect it in the admin.")
    if conn.status == Connection.Status.NEEDS_RECONNECT:
        raise NotConnected(f"{link}'s {provider.capitalize()} connection needs reconnecting: {conn.status_message}")
    return conn


def xero_oauth(*, session: requests.Session | None = None, redirect_uri: str | None = None):
    from xero_client import XeroOAuth

    return XeroOAuth(
        settings.XERO_CLIENT_ID,
        settings.XERO_CLIENT_SECRET,
        login_url=settings.XERO_LOGIN_URL,
        identity_url=settings.XERO_IDENTITY_URL,
        api_url=settings.XERO_API_URL,
        redirect_uri=redirect_uri,
        scopes=settings.XERO_SCOPES,
        session=session or http_session(),
        timeout=settings.HTTP_TIMEOUT,
        **runtime_options(Connection.Provider.XERO).get("oauth", {}),
    )


def procore_oauth(*, session: requests.Session | None = None, redirect_uri: str | None = None, conn: Connection | None = None):
    from procore_client import ProcoreOAuth

    client_id, secret = settings.PROCORE_CLIENT_ID, settings.PROCORE_CLIENT_SECRET
    if conn is not None and conn.auth_type == Connection.AuthType.CLIENT_CREDENTIALS and conn.service_client_id:
        client_id, secret = conn.service_client_id, conn.service_client_secret
    return ProcoreOAuth(
        client_id,
        secret,
        login_url=settings.PROCORE_LOGIN_URL,
        redirect_uri=redirect_uri,
        session=session or http_session(),
        timeout=settings.HTTP_TIMEOUT,
        **runtime_options(Connection.Provider.PROCORE).get("oauth", {}),
    )


def xero_client_for(link: CompanyLink, **overrides):
    from xero_client import OAuthToken, XeroClient

    conn = _connection(link, Connection.Provider.XERO)
    if not link.xero_tenant_id:
        raise NotConnected(f"{link} has no Xero organisation chosen: finish connecting it in the admin.")
    session = overrides.pop("session", None) or http_session()
    return XeroClient(
        api_url=settings.XERO_API_URL,
        tenant_id=link.xero_tenant_id,
        oauth=xero_oauth(session=session),
        token_store=DbTokenStore(conn.pk, OAuthToken),
        session=session,
        timeout=settings.HTTP_TIMEOUT,
        **{**runtime_options(Connection.Provider.XERO).get("client", {}), **overrides},
    )


def procore_client_for(link: CompanyLink, **overrides):
    from procore_client import OAuthToken, ProcoreClient

    conn = _connection(link, Connection.Provider.PROCORE)
    if not link.procore_company_id:
        raise NotConnected(f"{link} has no Procore company chosen: finish connecting it in the admin.")
    session = overrides.pop("session", None) or http_session()
    return ProcoreClient(
        api_url=settings.PROCORE_API_URL,
        company_id=link.procore_company_id,
        oauth=procore_oauth(session=session, conn=conn),
        token_store=DbTokenStore(conn.pk, OAuthToken),
        session=session,
        timeout=settings.HTTP_TIMEOUT,
        **{**runtime_options(Connection.Provider.PROCORE).get("client", {}), **overrides},
    )


def connection_mark_needs_reconnect(*, link: CompanyLink, provider: str, message: str) -> None:
    """A refresh token died (invalid_grant): the link shows "needs reconnect"; nothing is deleted (CONN-3)."""
    with transaction.atomic():
        conn = Connection.objects.select_for_update().filter(link=link, provider=provider).first()
        if conn is None or conn.status == Connection.Status.NEEDS_RECONNECT:
            return
        previous = conn.status
        conn.status = Connection.Status.NEEDS_RECONNECT
        conn.status_message = message
        conn.save(update_fields=["status", "status_message"])
        audit_record(conn, action="needs_reconnect", actor="system", from_status=previous,
                     to_status=conn.status, message=message, link=link)
