from django.db import migrations


def grant_roles(apps, schema_editor):
    # Every role views the commitment credits (integration.roles.VIEWABLE).
    from integration.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("integration", "0025_link_tax_rates"),
    ]

    operations = [
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
