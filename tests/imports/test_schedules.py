"""Schedules per link (PAY-5, JC-5) and the on-demand sync command (JC-9, RPT-4)."""

import datetime as dt

from django.core.management import call_command
from django_q.models import Schedule

from integration.models import SyncRun
from integration.services.imports import link_schedules_sync


def test_schedule_rows_follow_settings(link, django_capture_on_commit_callbacks):
    """PAY-5, JC-5: payments at the configured frequency (5 minutes included), job costs daily at the
    configured time, the pull hourly; a settings change updates the rows; "never" removes the payments row."""
    with django_capture_on_commit_callbacks(execute=True):
        link.payment_sync_frequency = "hourly"
        link.save()
    payments = Schedule.objects.get(name=f"link-{link.pk}-payments")
    assert (payments.func, payments.schedule_type, payments.args) == ("integration.tasks.import_payments", "H",
                                                                      str(link.pk))
    assert Schedule.objects.get(name=f"link-{link.pk}-pull").schedule_type == "H"
    job_costs = Schedule.objects.get(name=f"link-{link.pk}-job-costs")
    assert job_costs.schedule_type == "D" and (job_costs.next_run.hour, job_costs.next_run.minute) == (2, 0)

    with django_capture_on_commit_callbacks(execute=True):
        link.payment_sync_frequency = "5min"
        link.job_cost_sync_time = dt.time(23, 30)
        link.save()
    payments.refresh_from_db()
    job_costs.refresh_from_db()
    assert (payments.schedule_type, payments.minutes) == ("I", 5)
    assert (job_costs.next_run.hour, job_costs.next_run.minute) == (23, 30)
    assert Schedule.objects.filter(name__startswith=f"link-{link.pk}-").count() == 3

    link.payment_sync_frequency = "never"
    link_schedules_sync(link=link)
    assert not Schedule.objects.filter(name=f"link-{link.pk}-payments").exists()


def test_sync_command_runs_the_imports(world, capsys):
    """RPT-4, JC-9: `manage.py sync all --link ID` and `sync job-costs --project NUMBER`."""
    world.bill([("03-300", "RT-202", "90.00")], reference="CMD")
    call_command("sync", "job-costs", "--link", str(world.link.pk), "--project", "RT-202")
    call_command("sync", "all", "--link", str(world.link.pk))
    out = capsys.readouterr().out
    assert "Job costs import" in out and "Payments import" in out and "Contacts import" in out
    kinds = list(SyncRun.objects.filter(link=world.link).values_list("kind", flat=True))
    assert sorted(kinds) == ["contacts", "job_costs", "job_costs", "payments"]
