"""The demo's three people: admin (superuser), approver (Accounting Approver) and pm (Standard)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from integration.roles import ACCOUNTING_APPROVER, STANDARD, sync_roles

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("admin", None, True, "Ada Admin"),
    ("approver", ACCOUNTING_APPROVER, False, "Alex Approver"),
    ("pm", STANDARD, False, "Pat Project-Manager"),
]


def ensure_demo_users() -> dict:
    # The groups come from a data migration; anything that emptied the tables since (a restored dump, a
    # flush) would leave the demo's people without their roles, so they are put back first.
    sync_roles()
    User = get_user_model()
    users = {}
    for username, group, superuser, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.example"
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users
