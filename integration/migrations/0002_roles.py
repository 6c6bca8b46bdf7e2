"""Create the four roles (SYNC-3) with their permissions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the roles need them now.
    from integration.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


def remove_roles(apps, schema_editor):
    from integration.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
