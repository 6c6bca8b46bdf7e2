"""`manage.py rotate_keys` (CONN-3, REL-7): every token re-encrypted with the first key, none printed."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from integration.models import CompanyLink, Connection

pytestmark = pytest.mark.django_db


def raw_access_token(pk):
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM integration_connection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotate_keys_re_encrypts_with_the_first_key(settings, capsys):
    """CONN-3, REL-7: after rotate_keys every token is stored under the first key and still reads back, so the
    old key can be removed; no secret is printed."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    link = CompanyLink.objects.create(name="Rotating")
    conn = Connection.objects.create(link=link, provider="xero", access_token="access-secret-1",
                                     refresh_token="refresh-secret-1", status="connected")
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "1 row(s) re-encrypted" in out and "secret-1" not in out
    settings.FIELD_ENCRYPTION_KEY = new  # the old key can go now
    conn = Connection.objects.get(pk=conn.pk)
    assert (conn.access_token, conn.refresh_token) == ("access-secret-1", "refresh-secret-1")
    assert Fernet(new.encode()).decrypt(raw_access_token(conn.pk)[len("fernet:"):].encode()) == b"access-secret-1"
