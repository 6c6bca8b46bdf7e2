"""The four roles of the seed's permission matrix (SYNC-3), as groups with custom permissions.

- Accounting Approver: accepts and rejects (`push_to_accounting`), sends, views everything and the reports.
- ERP Admin: configures links and connections, runs syncs, unlinks, locks and unlocks, links companies,
  views everything and the reports; accepting is still the approver's privilege.
- Standard: sends, retrieves and resends records; views the queue.
- Read-only: views.
"""

ACCOUNTING_APPROVER = "Accounting Approver"
ERP_ADMIN = "ERP Admin"
STANDARD = "Standard"
READ_ONLY = "Read-only"

# Models whose changelists each role may view.
VIEWABLE = [
    "companylink", "connection", "accountmapping", "project", "vendor", "costcode", "costtype", "costitem",
    "commitment", "commitmentline", "changeorder", "changeorderline", "subcontractorinvoice", "invoiceline",
    "primecontract", "ownerinvoice", "ownerinvoiceline", "payment", "paymentattachment", "directcost",
    "directcostline", "jobcostsummary", "auditevent", "syncrun", "unsyncabletransaction", "taxcode",
    "taxcodemapping", "commitmentcredit",
]

ROLE_PERMISSIONS = {
    READ_ONLY: [f"view_{m}" for m in VIEWABLE],
    STANDARD: [f"view_{m}" for m in VIEWABLE] + ["send_to_erp"],
    ACCOUNTING_APPROVER: [f"view_{m}" for m in VIEWABLE] + ["send_to_erp", "push_to_accounting", "view_erp_reports"],
    ERP_ADMIN: [f"view_{m}" for m in VIEWABLE]
    + ["send_to_erp", "manage_erp", "view_erp_reports", "change_companylink", "add_companylink",
       "change_connection", "add_accountmapping", "change_accountmapping", "delete_accountmapping",
       "add_taxcodemapping", "change_taxcodemapping", "delete_taxcodemapping",
       "change_costcode", "add_costcode", "change_costtype", "add_costtype", "change_payment",
       "add_paymentattachment", "change_paymentattachment", "delete_paymentattachment"],
}


def grant_roles_in_migration(apps, schema_editor=None):
    """A migration's RunPython that adds models the roles grant: their permissions are created first
    (Django creates them only after `migrate`), then the groups are synced, as 0002_roles ran before
    those models existed."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


def sync_roles(apps=None):
    """Create or update the four groups with exactly their permissions. Idempotent."""
    historical = apps is not None
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="integration")}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        missing = [c for c in codenames if c not in perms]
        if missing and historical:
            # An earlier migration runs before the models a later one adds (and grants): it grants what exists.
            codenames = [c for c in codenames if c in perms]
        elif missing:
            raise RuntimeError(f"Permissions missing for role {name}: {', '.join(missing)}")
        group.permissions.set([perms[c] for c in codenames])
