"""The README's first command sets up a working demo (issue: foundation)."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from integration.models import ErpStatus, SubcontractorInvoice

pytestmark = pytest.mark.django_db


def test_demo_creates_the_users_and_a_queue_to_work_on(capsys):
    """SYNC-3: the demo's approver and pm exist with their roles and the password 'demo'."""
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/admin/" in out and "approver" in out
    approver = authenticate(username="approver", password="demo")
    pm = authenticate(username="pm", password="demo")
    assert approver.has_perm("integration.push_to_accounting")
    assert not pm.has_perm("integration.push_to_accounting") and pm.has_perm("integration.send_to_erp")
    assert authenticate(username="admin", password="demo").is_superuser
    assert SubcontractorInvoice.objects.filter(erp_status=ErpStatus.READY_TO_EXPORT).exists()
    call_command("demo", "--no-serve")  # running it twice is harmless
