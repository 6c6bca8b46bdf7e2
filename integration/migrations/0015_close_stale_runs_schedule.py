"""RPT-4, REL-5: the django-q2 schedule that ends stale sync runs (every SWEEP_MINUTES minutes).

A run whose worker died would otherwise stay "running" until the next run of its kind starts, which
for a daily job-costs import is a day later."""

from django.db import migrations

NAME = "Close stale sync runs"
FUNC = "integration.tasks.close_stale_runs"
MINUTES = 2  # integration.services.runs.SWEEP_MINUTES; a migration keeps its own copy of the value


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=NAME, defaults={"func": FUNC, "schedule_type": "I", "minutes": MINUTES, "repeats": -1})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0014_book_retention_accounts_and_tax"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
