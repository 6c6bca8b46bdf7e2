"""System checks of the install (SEC-1): named at every start (runserver, migrate, the demo, `check`)."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.db import DatabaseError

KEY_CHANGED = "integration.W001"


@register()
def stored_secrets_readable(app_configs=None, databases=None, **kwargs):
    """A database whose tokens were encrypted under a key that is no longer in FIELD_ENCRYPTION_KEY."""
    from integration.services.keys import unreadable_secrets

    try:
        unreadable = unreadable_secrets()
    except DatabaseError:  # not migrated yet, or not reachable: nothing stored to check
        return []
    if not unreadable:
        return []
    records = sorted({u.record for u in unreadable})
    return [Warning(
        f"{len(unreadable)} stored token(s) or secret(s) cannot be decrypted with FIELD_ENCRYPTION_KEY: the encryption "
        f"key changed. Affected: {'; '.join(records)}.",
        hint="Put the old key after the new one (FIELD_ENCRYPTION_KEY=<new key>,<old key>), restart and run "
             "`python manage.py rotate_keys`; or, if the old key is lost, reconnect these connections from their "
             "company link's page. Until then the admin shows them as \"needs reconnect: the encryption key changed\".",
        id=KEY_CHANGED,
    )]


CROSS_LINK = "integration.W002"


@register()
def links_isolated(app_configs=None, databases=None, **kwargs):
    """Account mappings saved before links were checked (SEC-3) that point at another link's cost item:
    the job cost import ignores them, so they are named here to be corrected."""
    from django.db.models import F

    from integration.models import AccountMapping

    try:
        crossed = list(AccountMapping.objects.exclude(cost_item__link=F("link"))
                       .select_related("link", "cost_item__link").order_by("link__name", "account_code")[:50])
    except DatabaseError:
        return []
    if not crossed:
        return []
    named = "; ".join(f"{m.link}: account {m.account_code} → {m.cost_item.item_code} of {m.cost_item.link}" for m in crossed)
    return [Warning(
        f"{len(crossed)} account mapping(s) point at a cost item of another link, and the job cost import ignores "
        f"them: {named}.",
        hint="Open each under Integration › Account mappings and choose a cost item of its own link.",
        id=CROSS_LINK,
    )]
