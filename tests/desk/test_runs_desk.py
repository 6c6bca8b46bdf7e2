"""RPT-4, REL-5: sync runs as the approver reads them: a run only when there is work, counts as a
sentence, "Finished with errors" only when something failed, and a run whose task died ends failed
with the reason; the dashboard names runs that look stuck."""

import datetime

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from integration import tasks
from integration.models import ErpStatus, SyncRun
from integration.services.runs import RunTracker
from tests.factories import LinkFactory, SubcontractorInvoiceFactory

pytestmark = pytest.mark.django_db


def test_an_export_task_with_nothing_accepted_opens_no_run(monkeypatch):
    """RPT-4: every accept queues an export; the ones that find nothing left to export leave no empty run."""
    link = LinkFactory()
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED, xero_id="x" * 36)
    assert tasks.export_link(link.pk) == {}
    assert not SyncRun.objects.filter(link=link).exists()


def test_a_write_back_with_nothing_pending_opens_no_run():
    """RPT-4: the write-back an export schedules finds nothing when the export wrote its origin_ids back
    itself, and leaves no empty "Procore write-back" run; with one pending it opens its run."""
    link = LinkFactory()
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED, xero_id="x" * 36, writeback_pending=False)
    assert tasks.writeback_link(link.pk) == {}
    assert not SyncRun.objects.filter(link=link).exists()
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED, xero_id="y" * 36, writeback_pending=True)
    try:
        tasks.writeback_link(link.pk)
    except Exception:  # noqa: BLE001  (the link has no Procore connection: its run ends failed, saying so)
        pass
    assert SyncRun.objects.filter(link=link, kind=SyncRun.Kind.WRITEBACK).exists()


def test_a_task_that_dies_on_a_database_error_ends_its_run_failed_with_the_reason(monkeypatch):
    """RPT-4, REL-5: SQLite's "database is locked" (or any error) inside the export leaves no run
    "running" for ever: it ends failed and says why, and the task still fails for django-q2."""
    link = LinkFactory()
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.EXPORTING)

    def export_dies(*, link_id, trigger):
        RunTracker.start(link=link, kind=SyncRun.Kind.EXPORT, trigger=trigger).total(2)
        raise OperationalError("database is locked")

    monkeypatch.setattr("integration.services.export.export_link", export_dies)
    with pytest.raises(OperationalError):
        tasks.export_link(link.pk)
    run = SyncRun.objects.get(link=link)
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
    assert "database is locked" in run.message


def test_a_pull_that_only_held_records_back_succeeds():
    """RPT-4: records waiting for their company or project in Xero are listed, but are no failure."""
    link = LinkFactory()
    tracker = RunTracker.start(link=link, kind=SyncRun.Kind.PULL, trigger="schedule")
    tracker.report(model="commitment", id=1, label="SC-001", message="qualifies but cannot be queued: no contact", held=True)
    assert tracker.finish().status == SyncRun.Status.SUCCEEDED
    tracker = RunTracker.start(link=link, kind=SyncRun.Kind.PULL, trigger="schedule")
    tracker.report(model="commitment", id=2, label="SC-002", message="Procore answered 500")
    assert tracker.finish().status == SyncRun.Status.PARTIAL


def test_the_run_list_reads_counts_as_a_sentence_and_names_who_started_it(client, approver):
    """RPT-4: no raw dict in the Counts column; the per-type counts are a small table on the run's page;
    held-back records are listed apart from the errors."""
    client.force_login(approver)
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.PULL, trigger="schedule", status=SyncRun.Status.SUCCEEDED,
        counts={"read": 227, "created": 126, "updated": 0, "skipped": 0, "failed": 0, "queued": 3, "not_queued": 47,
                "by_model": {"commitment": {"created": 10, "not_queued": 10}, "vendor": {"created": 12}}},
        errors=[{"model": "commitment", "id": 5, "label": "SC-001", "message": "qualifies but cannot be queued: x", "held": True}])
    listing = client.get(reverse("admin:integration_syncrun_changelist")).content.decode()
    table = listing.split('id="result_list"')[1].split("</table>")[0]
    assert "Read 227: 126 created, 3 queued for approval, 47 held back for what they need." in table
    assert "{" not in table and "the schedule" in table
    page = client.get(reverse("admin:integration_syncrun_change", args=[run.pk])).content.decode()
    assert "<td>Commitments</td><td>10</td><td>10</td>" in page  # Created, Held back
    assert "Errors (0)" in page and "Held back until what they need is in Xero (1)" in page
    assert "Started by the schedule" in page


def _silent(run, minutes):
    SyncRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_the_sweep_fails_a_run_whose_worker_is_gone_whatever_its_kind():
    """RPT-4, REL-5: a run with no progress for the stale threshold ends failed with the reason from the
    every-few-minutes schedule, even when no next run of its kind ever starts; a live one is left alone."""
    from django_q.models import Schedule

    from integration.services.runs import STALE_AFTER

    link = LinkFactory()
    gone = [SyncRun.objects.create(link=link, kind=kind, progress_total=2)
            for kind in (SyncRun.Kind.JOB_COSTS, SyncRun.Kind.EXPORT)]
    orphan = SyncRun.objects.create(link=None, kind=SyncRun.Kind.PULL)
    for run in [*gone, orphan]:
        _silent(run, STALE_AFTER.total_seconds() // 60 + 1)
    alive = SyncRun.objects.create(link=link, kind=SyncRun.Kind.PULL)
    _silent(alive, STALE_AFTER.total_seconds() // 60 - 1)

    schedule = Schedule.objects.get(name="Close stale sync runs")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == ("integration.tasks.close_stale_runs", Schedule.MINUTES, 2)
    assert tasks.close_stale_runs() == 3
    for run in [*gone, orphan]:
        run.refresh_from_db()
        assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
        assert run.message.startswith("The worker stopped without finishing (no progress for 10 minutes")
    alive.refresh_from_db()
    assert alive.status == SyncRun.Status.RUNNING


def test_the_dashboard_names_a_stuck_run(client, approver):
    """RPT-4: a run whose worker is gone is ended by the dashboard too, and named on it (kind, link,
    since when, why), linked to its page, until a later run of its kind starts; a live run is not named."""
    client.force_login(approver)
    link = LinkFactory(name="Harbourside")
    run = SyncRun.objects.create(link=link, kind=SyncRun.Kind.EXPORT, progress_total=2)
    _silent(run, 11)
    since = timezone.localtime(SyncRun.objects.get(pk=run.pk).updated_at).strftime("%Y-%m-%d %H:%M")
    fresh = SyncRun.objects.create(link=link, kind=SyncRun.Kind.PULL)
    html = client.get(reverse("admin:index")).content.decode()
    stuck = html.split('id="stuck-runs"')[1].split("</div>")[0]
    assert f'href="{reverse("admin:integration_syncrun_change", args=[run.pk])}">Export to Xero #{run.pk}</a>' in stuck
    assert "of Harbourside" in stuck and "0 of 2 done" in stuck and f"no progress since {since}" in stuck
    assert "The worker stopped without finishing" in stuck
    assert f"#{fresh.pk}" not in stuck
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    listing = client.get(reverse("admin:integration_syncrun_changelist")).content.decode()
    row = listing.split(f"Export to Xero #{run.pk}")[1].split("</tr>")[0]
    assert "Failed" in row

    SyncRun.objects.create(link=link, kind=SyncRun.Kind.EXPORT)  # the next export takes up its work
    assert 'id="stuck-runs"' not in client.get(reverse("admin:index")).content.decode()


def test_a_run_that_hit_a_database_error_is_named_on_the_dashboard(client, approver, monkeypatch):
    """RPT-4, REL-5: "database is locked" inside a write-back ends its run failed with the reason at once
    (not at the stale threshold), and the dashboard names it."""
    client.force_login(approver)
    link = LinkFactory(name="Harbourside")

    def writeback_dies(*, link_id, trigger):
        tracker = RunTracker.start(link=link, kind=SyncRun.Kind.WRITEBACK, trigger=trigger)
        tracker.total(3)
        raise OperationalError("database is locked")

    monkeypatch.setattr("integration.services.writeback.writeback_link", writeback_dies)
    SubcontractorInvoiceFactory(link=link, erp_status=ErpStatus.SYNCED, xero_id="x" * 36, writeback_pending=True)
    with pytest.raises(OperationalError):
        tasks.writeback_link(link.pk)
    run = SyncRun.objects.get(link=link)
    assert run.status == SyncRun.Status.FAILED
    assert run.message == "Stopped by an error: OperationalError: database is locked"
    stuck = client.get(reverse("admin:index")).content.decode().split('id="stuck-runs"')[1].split("</div>")[0]
    assert f"#{run.pk}</a> of Harbourside" in stuck and "database is locked" in stuck


def test_the_sqlite_file_the_demo_shares_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """RPT-4: the demo's web server, its django-q2 cluster and the demo itself share one SQLite file;
    opened with the project's settings it is in WAL mode, a writer waits 20 s for another (busy
    timeout) and takes the write lock when its transaction begins, so none fails with "database is
    locked" at once."""
    import os
    import subprocess
    import sys

    script = ("import django; django.setup(); from django.db import connection; c = connection.cursor();"
              "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0],"
              " connection.settings_dict['OPTIONS']['transaction_mode'])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["wal", "20000", "IMMEDIATE"]
