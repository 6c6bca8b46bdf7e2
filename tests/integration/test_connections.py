"""CONN-3, CONN-5: the connector's clients reach the sandboxes through the encrypted token store."""

import pytest
from django.db import connection as db

from integration.models import Connection
from integration.services.connections import procore_client_for, xero_client_for

pytestmark = pytest.mark.django_db


def test_clients_of_a_connected_link_talk_to_both_sandboxes(link):
    """CONN-1, CONN-5: one link, one Procore company and one Xero organisation."""
    assert xero_client_for(link).get_organisation()["Name"]
    assert procore_client_for(link).me()["id"]


def test_tokens_are_encrypted_at_rest(link):
    """CONN-3: the raw column holds ciphertext, never the token."""
    conn = Connection.objects.get(link=link, provider="xero")
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integration_connection WHERE id = %s", [conn.pk])
        raw_access, raw_refresh = cursor.fetchone()
    assert raw_access.startswith("fernet:") and conn.access_token not in raw_access
    assert raw_refresh.startswith("fernet:") and conn.refresh_token not in raw_refresh
