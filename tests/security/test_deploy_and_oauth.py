"""Production settings pass `check --deploy`; the OAuth `state` gaps the connect tests leave (REL-7, CONN-2).

Already covered elsewhere, not repeated here: a forged state and a callback no session started
(tests/connect/test_connect_flows.py::test_a_wrong_state_is_refused_and_nothing_is_stored); tokens
encrypted at rest, read from the raw column (tests/integration/test_connections.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from integration.models import CompanyLink, Connection
from tests.connect.test_connect_flows import consent, local

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    """REL-7: DEBUG off, SECRET_KEY, FIELD_ENCRYPTION_KEY and ALLOWED_HOSTS set: no warning at all."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DEBUG="off", SECRET_KEY="k" + Fernet.generate_key().decode() * 2, ALLOWED_HOSTS="connector.example.com",
               FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(), DJANGO_SETTINGS_MODULE="config.settings",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    answer = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "System check identified no issues (0 silenced)." in answer.stdout


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    """REL-7: DEBUG off without SECRET_KEY or FIELD_ENCRYPTION_KEY: the process does not start."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")}
    base.update(DEBUG="off", ALLOWED_HOSTS="connector.example.com", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                DJANGO_SETTINGS_MODULE="config.settings")
    for missing in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
        env = {**base, "SECRET_KEY": "s" * 60, "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}
        env.pop(missing)
        answer = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert answer.returncode != 0 and f"{missing} must be set" in answer.stderr


@pytest.fixture
def manager(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ops-sec", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_erp"))
    return user


@pytest.mark.django_db
def test_a_callback_without_state_or_from_another_session_stores_nothing(manager, sandboxes):
    """CONN-2, REL-7: the genuine callback URL (right code, right state) is refused when its state is
    missing, and when it is replayed in another person's session; nothing is stored either time."""
    link = CompanyLink.objects.create(name="State Builders")
    mine, theirs = Client(), Client()
    mine.force_login(manager)
    theirs.force_login(manager)
    start = mine.post(reverse("connect:start", args=[link.pk, "xero"]))
    callback = consent(sandboxes, start["Location"])
    query = dict(p.split("=", 1) for p in urlsplit(callback).query.split("&"))
    # another session (an attacker who got the URL) cannot use it
    theirs.get(local(callback))
    assert not Connection.objects.filter(link=link).exclude(access_token="").exists()
    # no state at all
    mine.get(f"/connect/xero/callback?code={query['code']}")
    assert not Connection.objects.filter(link=link).exclude(access_token="").exists()
    # and the state was spent by that attempt: the genuine URL no longer works in this session either
    mine.get(local(callback))
    assert not Connection.objects.filter(link=link).exclude(access_token="").exists()
