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
from django.contrib.messages import get_messages
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
    missing (400), and when it is replayed in another person's session; nothing is stored either time, and
    neither refusal cancels the connection this session started: its own answer still completes it, once."""
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
    assert mine.get(f"/connect/xero/callback?code={query['code']}").status_code == 400
    assert not Connection.objects.filter(link=link).exclude(access_token="").exists()
    # the session's own answer still completes the connection it started, and only once
    mine.get(local(callback))
    assert Connection.objects.filter(link=link).exclude(access_token="").count() == 1
    assert "No Xero connection was started" in " ".join(messages(mine.get(local(callback))))


def messages(answer) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["%C3%A9", "", "a" * 8, "x" * 200, "%00" + "a" * 42, "<script>" + "a" * 35])
def test_a_malformed_state_gets_a_400_and_keeps_the_pending_connection(manager, sandboxes, state):
    """CONN-2, REL-6, REL-7: a callback whose state is not shaped like ours (non-ASCII, missing, the wrong
    length or alphabet) gets a 400 with the reason, never a 500; nothing is stored or audited as a decision,
    and the connection this session started still completes with its own answer."""
    link = CompanyLink.objects.create(name="Malformed Builders")
    client = Client()
    client.force_login(manager)
    callback = consent(sandboxes, client.post(reverse("connect:start", args=[link.pk, "xero"]))["Location"])
    for query in (f"state={state}&code=c", f"state={state}&code=c&error=access_denied"):
        answer = client.get(f"/connect/xero/callback?{query}")
        assert answer.status_code == 400 and b"no valid state" in answer.content, query
    assert not Connection.objects.filter(link=link).exclude(access_token="").exists()
    client.get(local(callback))
    assert Connection.objects.filter(link=link).exclude(access_token="").exists()


@pytest.mark.django_db
def test_an_error_callback_is_honoured_only_with_the_session_s_state(manager, sandboxes):
    """CONN-2, REL-7: `?error=access_denied` with a forged state is refused as not this session's answer
    and does not discard the pending connection; with the session's own state it ends the attempt."""
    link = CompanyLink.objects.create(name="Denied Builders")
    client = Client()
    client.force_login(manager)
    callback = consent(sandboxes, client.post(reverse("connect:start", args=[link.pk, "xero"]))["Location"])
    forged = messages(client.get("/connect/xero/callback?error=access_denied&state=" + "f" * 43))
    assert any("state mismatch" in m for m in forged) and not any("consent was denied" in m for m in forged)
    client.get(local(callback))  # the genuine answer still works
    assert Connection.objects.filter(link=link).exclude(access_token="").exists()

    other = CompanyLink.objects.create(name="Denied Twice")
    client.post(reverse("connect:start", args=[other.pk, "xero"]))
    state = client.session["connect_oauth"]["xero"]["state"]
    denied = messages(client.get(f"/connect/xero/callback?error=access_denied&state={state}"))
    assert any("consent was denied" in m for m in denied)
    assert "xero" not in client.session["connect_oauth"]
