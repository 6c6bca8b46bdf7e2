"""CONN-3, REL-5: eight workers share one Xero connection whose access token has expired."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from integration.models import Connection
from integration.services.connections import xero_client_for

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the refresh lock is a PostgreSQL row lock; SQLite has none"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_threads_one_refresh_and_the_newest_refresh_token_kept(link, sandboxes):
    """CONN-3: one refresh happens, all eight calls succeed, the stored refresh token is the newest."""
    conn = Connection.objects.get(link=link, provider="xero")
    old_refresh = conn.refresh_token
    refreshes_before = conn.refresh_count
    sandboxes.xero.expire_access_tokens()
    Connection.objects.filter(pk=conn.pk).update(expires_at=sandboxes.clock.now() - timedelta(minutes=1))
    results, errors = [], []
    start = threading.Barrier(8)

    def worker():
        try:
            client = xero_client_for(link)
            start.wait()
            results.append(client.get_organisation()["Name"])
        except Exception as exc:  # reported by the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 8
    conn.refresh_from_db()
    assert conn.refresh_count == refreshes_before + 1
    assert conn.refresh_token != old_refresh
    live = [token for token, record in sandboxes.xero.refresh_tokens.items() if record["used_at"] is None]
    assert live == [conn.refresh_token]
    # And the stored pair keeps working: the next expiry refreshes from it without invalid_grant.
    sandboxes.xero.expire_access_tokens()
    Connection.objects.filter(pk=conn.pk).update(expires_at=sandboxes.clock.now() - timedelta(minutes=1))
    assert xero_client_for(link).get_organisation()["Name"]
