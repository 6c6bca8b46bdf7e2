"""SYNC-3, REL-7: permissions as written. Every URL's allowed roles are derived from the README's role
table (parsed here, not restated): each URL names the capability it needs in the table's own words,
the roles whose row lists that capability must reach it and every other role is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from integration import roles
from tests import factories as f
from tests.security.test_access import PUBLIC, everything, urls  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"

# The table's words each URL needs (a pattern matched against the role's "can" cell, first match wins);
# None: no role, superusers only.
VIEW = "view"  # every row says "view": the admin's pages, the dashboard
NEEDS: list[tuple[str, str | None]] = [
    (r"^desk:(reports|report_\w+)$", "the reports"),
    (r"^desk:export_now$", "run syncs"),
    (r"^desk:reconcile_now$", "check against Xero"),
    (r"^admin:integration_(costcode|costtype)_(import_csv|export_csv|add)$", "cost codes and cost types"),
    (r"^admin:integration_accountmapping_(add|delete)$", "account mappings"),
    (r"^admin:integration_taxcodemapping_(add|delete)$", "tax code mappings"),
    (r"^admin:integration_companylink_add$", "configure links"),
    (r"^admin:integration_companylink_delete$", None),  # it deletes every record of the link
    (r"^admin:integration_companylink_(contacts|refresh_companies)$", "link companies"),
    (r"^admin:integration_companylink_projects$", "configure links"),
    (r"^admin:integration_companylink_sync$", "run syncs|run the payment sync"),  # posted: the payment sync
    (r"^connect:(?!\w+_callback$)\w+$", "connections"),
    (r"^admin:(auth|django_q)_", None),  # users, groups and the task queue's own pages
    (r"^admin:integration_webhookevent_", None),  # the providers' raw deliveries
    (r"^admin:integration_\w+_(add|delete)$", None),  # mirrors and logs: written by the services only
    (r"^admin:integration_\w+_(changelist|change|history|erp_action)$", VIEW),
    (r"^(desk:dashboard|admin:index|admin:app_list)$", VIEW),
]
# The admin's own pages of any logged-in staff member, and the flows reached without a role.
NOT_ROLE_PAGES = {"admin:login", "admin:logout", "admin:password_change", "admin:password_change_done", "admin:jsi18n",
                  "admin:view_on_site", "admin:autocomplete", "connect:xero_callback", "connect:procore_callback"}


def role_table() -> dict[str, str]:
    """{role: what it can} from the README's "### Roles" table."""
    text = README.read_text(encoding="utf-8").split("### Roles", 1)[1]
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", text.split("\n\n", 2)[1], flags=re.M)
    table = {role.strip(): can.strip() for role, can in rows if role.strip() not in ("role", "---")}
    assert set(table) == {roles.ACCOUNTING_APPROVER, roles.ERP_ADMIN, roles.STANDARD, roles.READ_ONLY}, table
    return table


def needed(name: str | None) -> tuple[bool, str | None]:
    for pattern, words in NEEDS:
        if name and re.search(pattern, name):
            return True, words
    return False, None


def allowed_roles(words: str | None, table: dict[str, str]) -> set[str]:
    if words is None:
        return set()
    return {role for role, can in table.items() if re.search(rf"\b({words})\b", can)}


def refused(answer) -> bool:
    if answer.status_code == 403:
        return True
    if answer.status_code == 302:  # a thin view whose service refused: the reason is an error message
        return any(m.level_tag == "error" and ("may not" in str(m) or "not allowed" in str(m))
                   for m in get_messages(answer.wsgi_request))
    return False


def test_the_role_table_is_read_from_the_readme():
    """SYNC-3: the parser reads the four roles and their capabilities as the README writes them."""
    table = role_table()
    assert "accept and reject" in table[roles.ACCOUNTING_APPROVER]
    assert allowed_roles("the reports", table) == {roles.ACCOUNTING_APPROVER, roles.ERP_ADMIN}
    assert allowed_roles(VIEW, table) == set(table)
    assert allowed_roles("cost codes and cost types", table) == {roles.ERP_ADMIN}


def test_every_url_answers_the_roles_the_readme_gives_it(everything, django_capture_on_commit_callbacks):  # noqa: F811
    """SYNC-3, REL-7: for every URL of the URL conf, each of the four roles is let in exactly when its row
    of the README's table lists what the URL needs (the cost code and cost type CSV export included:
    ERP admins only); a URL the table does not cover fails the test."""
    table = role_table()
    users = {role: f.UserFactory(username=f"role-{i}", role=role) for i, role in enumerate(table)}
    unclassified, problems = [], []
    with django_capture_on_commit_callbacks():  # nothing queued is run
        for route, name, url in urls(everything):
            if name in PUBLIC or name in NOT_ROLE_PAGES or "(?P<url>" in route or (name is None and "<path:object_id>/" in route):
                continue
            known, words = needed(name)
            if not known:
                unclassified.append(name or route)
                continue
            allowed = allowed_roles(words, table)
            for role, user in users.items():
                client = Client()
                client.force_login(user)
                answer = client.get(url)
                if answer.status_code == 405:  # a button: POST with no choice made
                    answer = client.post(url, {"what": "payments"})
                if answer.status_code == 404 and name == "admin:app_list" and not allowed:
                    continue
                if (role in allowed) == refused(answer):
                    problems.append((name, url, role, "allowed" if role in allowed else "refused", answer.status_code))
    assert unclassified == [], f"URLs the role table does not cover: {unclassified}"
    assert problems == [], "\n".join(map(str, problems))
