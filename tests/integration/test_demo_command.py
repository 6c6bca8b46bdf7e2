"""The demo's people (the whole demo is played end to end in tests/demo/test_demo_e2e.py)."""

import pytest
from django.contrib.auth import authenticate

from integration.demo_users import ensure_demo_users

pytestmark = pytest.mark.django_db


def test_the_demo_users_have_their_roles_and_the_password_demo():
    """SYNC-3: the demo's approver and pm exist with their roles and the password 'demo'; twice is harmless."""
    ensure_demo_users()
    ensure_demo_users()
    approver = authenticate(username="approver", password="demo")
    pm = authenticate(username="pm", password="demo")
    assert approver.has_perm("integration.push_to_accounting")
    assert not pm.has_perm("integration.push_to_accounting") and pm.has_perm("integration.send_to_erp")
    assert authenticate(username="admin", password="demo").is_superuser
