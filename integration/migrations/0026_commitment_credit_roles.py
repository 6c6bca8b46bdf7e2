from django.db import migrations


def grant_roles(apps, schema_editor):
    # Every role views the commitment credits (integration.roles.VIEWABLE): their permissions are created
    # here and the groups synced again, as 0002_roles ran before the model existed.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from integration.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("integration", "0025_link_tax_rates"),
    ]

    operations = [
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
