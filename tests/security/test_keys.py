"""Never a known key (SEC-1, REL-7): a default install's tokens open with no key of the repository; a
changed key keeps the admin open and is named; `rotate_keys` says what it needs."""

from __future__ import annotations

import ast
import base64
import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection as db
from django.urls import reverse

from integration.models import CompanyLink, Connection
from integration.services.connections import NotConnected, connection_mark_needs_reconnect, xero_client_for
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"access_token": "xero-access-4f1c9a", "refresh_token": "xero-refresh-77be20",
          "service_client_secret": "dmsa-secret-0d93e1"}


def default_install_env(tmp_path: Path) -> dict:
    """The environment of a fresh clone on a new machine: nothing set but the database's place."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG", "DATABASE_URL") and not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    answer = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    return answer


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    if listed.returncode == 0 and listed.stdout:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [p for p in ROOT.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)]


def key_like_constants() -> set[str]:
    """Every string constant of the repository's Python files, and every word of 8 characters or more of
    its other text files: anything that could have been written down as a key."""
    found: set[str] = set()
    words = re.compile(r"[A-Za-z0-9_\-+/=:.!@#$%^&*]{8,}")
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found.update(words.findall(text))
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and node.value:
                    found.add(node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value)
    return found


def candidate_keys(constant: str):
    """The Fernet keys a constant could give: itself, and hashes of it (as a derived key would be made)."""
    raw = constant.encode("utf-8", "surrogatepass")
    yield base64.urlsafe_b64encode(hashlib.sha256(b"fields:" + raw).digest())
    yield base64.urlsafe_b64encode(hashlib.sha256(raw).digest())
    if len(raw) == 44:
        yield raw
    if len(raw) == 32:
        yield base64.urlsafe_b64encode(raw)


def opens(key: bytes, token: bytes) -> bool:
    try:
        Fernet(key).decrypt(token)
    except (InvalidToken, ValueError):
        return False
    return True


def test_a_default_install_s_tokens_open_with_no_key_of_the_repository(tmp_path):
    """SEC-1, REL-7: a fresh clone, nothing configured (DEBUG on by default, no SECRET_KEY, no
    FIELD_ENCRYPTION_KEY): the first start generates random keys into a 0600 file beside the database and
    says so once; tokens stored then cannot be decrypted with any key-like constant of the repository (nor
    any key derived from one), only with the generated key."""
    env = default_install_env(tmp_path)
    first = manage(env, "migrate", "--no-input")
    keys_file = tmp_path / "db.sqlite3.keys"
    assert f"into {keys_file}" in first.stderr
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    code = ("from integration.models import CompanyLink, Connection\n"
            "link = CompanyLink.objects.create(name='Fresh Install')\n"
            f"Connection.objects.create(link=link, provider='xero', status='connected', **{TOKENS!r})")
    second = manage(env, "shell", "-c", code)
    assert "Generated" not in second.stderr  # said once, at the first start only
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:
        row = raw.execute("SELECT access_token, refresh_token, service_client_secret FROM integration_connection").fetchone()
    tokens = [value.removeprefix("fernet:").encode() for value in row]
    assert all(value.startswith("fernet:") for value in row) and not any(t in "".join(row) for t in TOKENS.values())

    generated = dict(line.split("=", 1) for line in keys_file.read_text().splitlines() if "=" in line and line[0] != "#")
    assert all(opens(generated["FIELD_ENCRYPTION_KEY"].encode(), token) for token in tokens)  # the check can succeed

    constants = key_like_constants()
    assert len(constants) > 1000, len(constants)
    assert "uniq_connection_per_provider" in constants  # the whole repository was read
    opened = sorted({c for c in constants for key in candidate_keys(c) for token in tokens if opens(key, token)})
    assert not opened, f"{len(opened)} constant(s) of the repository open the stored tokens: {opened[:3]}"
    # The generated keys appear nowhere in the repository, and the file's default place is ignored by git.
    assert not {generated["SECRET_KEY"], generated["FIELD_ENCRYPTION_KEY"]} & constants
    ignored = subprocess.run(["git", "check-ignore", "-q", "db.sqlite3.keys", "connector.keys"], cwd=ROOT, timeout=60)
    assert ignored.returncode in (0, 128)  # 128: not a git checkout (an unpacked archive): nothing to ignore


def test_the_suite_runs_on_throwaway_keys():
    """SEC-1: the test suite's keys come from its own environment (tests/settings.py), never a keys file."""
    assert settings.FIELD_ENCRYPTION_KEY == os.environ["FIELD_ENCRYPTION_KEY"]
    assert settings.SECRET_KEY == os.environ["SECRET_KEY"]


@pytest.fixture
def changed_key(db, settings):
    """A link whose connections were encrypted under a key that is no longer configured."""
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    link = f.LinkFactory(name="Keyless Builders")
    xero = Connection.objects.create(link=link, provider="xero", status="connected", access_token="xa-1", refresh_token="xr-1")
    procore = Connection.objects.create(link=link, provider="procore", status="connected", access_token="pa-1",
                                        refresh_token="pr-1")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return {"link": link, "old": old, "xero": xero, "procore": procore}


def raw(pk: int) -> tuple:
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integration_connection WHERE id = %s", [pk])
        return cursor.fetchone()


def test_a_changed_key_keeps_the_admin_open_and_names_the_connections(changed_key, admin_client):
    """SEC-1, REL-6: with FIELD_ENCRYPTION_KEY changed, the dashboard, the link's page and the connection
    pages open, the connections show "needs reconnect: the encryption key changed", a system check names
    them, a sync says why it cannot run, and nothing stored is lost."""
    link, xero = changed_key["link"], changed_key["xero"]
    dashboard = admin_client.get(reverse("admin:index"))
    assert dashboard.status_code == 200
    assert "Needs reconnect: the encryption key changed" in dashboard.content.decode()
    assert "Keyless Builders · Xero: the encryption key changed" in dashboard.content.decode()
    page = admin_client.get(reverse("admin:integration_companylink_change", args=[link.pk])).content.decode()
    assert page.count("the encryption key changed") == 2 and "Reconnect Xero" in page and "Reconnect Procore" in page
    for url in (reverse("admin:integration_connection_changelist"), reverse("admin:integration_connection_change", args=[xero.pk])):
        answer = admin_client.get(url)
        assert answer.status_code == 200 and "encryption key changed" in answer.content.decode(), url
    assert admin_client.get(reverse("admin:integration_companylink_changelist")).status_code == 200

    warnings = [w for w in run_checks() if w.id == "integration.W001"]
    assert len(warnings) == 1 and "Keyless Builders · Xero" in warnings[0].msg and "Keyless Builders · Procore" in warnings[0].msg
    assert "rotate_keys" in warnings[0].hint

    with pytest.raises(NotConnected, match="the encryption key changed"):
        xero_client_for(link)
    stored = raw(xero.pk)
    connection_mark_needs_reconnect(link=link, provider="xero", message="checked")  # a save of other fields
    Connection.objects.get(pk=xero.pk).save()
    assert raw(xero.pk) == stored  # the ciphertext is kept: the old key can still recover it


def test_rotate_keys_names_what_it_cannot_open_and_what_it_needs(changed_key, settings, capsys):
    """SEC-1, REL-7: rotate_keys under a key that opens nothing explains what it needs (the old key after
    the new one) and names the rows, changes none of them and prints no secret; given the old key it
    re-encrypts everything and the connections are readable again."""
    xero = changed_key["xero"]
    before = raw(xero.pk)
    with pytest.raises(CommandError) as refused:
        call_command("rotate_keys")
    message = str(refused.value)
    assert "cannot be decrypted" in message and "Keyless Builders · Xero" in message and "Keyless Builders · Procore" in message
    assert "FIELD_ENCRYPTION_KEY=<new key>,<old key>" in message and "reconnect" in message
    assert raw(xero.pk) == before
    new = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = f"{new},{changed_key['old']}"
    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "xa-1" not in out + message and "remove the old key" in out
    settings.FIELD_ENCRYPTION_KEY = new
    conn = Connection.objects.get(pk=xero.pk)
    assert not conn.key_changed and (conn.access_token, conn.refresh_token) == ("xa-1", "xr-1")
    assert [w for w in run_checks() if w.id == "integration.W001"] == []


def test_a_service_account_whose_secret_no_key_opens_asks_for_it_again(db, settings, admin_client):
    """SEC-1: one-click reconnect of a service account needs its stored secret; when the key changed, the
    admin is sent to the service account form with the reason, and nothing is changed."""
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    link = CompanyLink.objects.create(name="Service Keys", procore_company_id=77)
    Connection.objects.create(link=link, provider="procore", auth_type="client_credentials", status="connected",
                              access_token="t", service_client_id="dmsa", service_client_secret="s3cret")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    answer = admin_client.post(reverse("connect:reconnect", args=[link.pk, "procore"]), follow=True)
    assert answer.redirect_chain[-1][0] == reverse("connect:procore_service_account", args=[link.pk])
    assert "Enter the service account&#x27;s secret again" in answer.content.decode()
