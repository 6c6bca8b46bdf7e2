"""SYNC-9: the django-q2 schedule of the "ERP Integrations Daily Summary" (every day at 07:00)."""

import datetime

from django.conf import settings
from django.db import migrations

NAME = "ERP Integrations Daily Summary"
FUNC = "integration.tasks.send_daily_summary"


def next_seven_o_clock():
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.now(zone)
    run = now.replace(hour=7, minute=0, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "D", "repeats": -1, "next_run": next_seven_o_clock()}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0003_export_claims"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
