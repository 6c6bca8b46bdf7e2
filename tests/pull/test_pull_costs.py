"""What a pull costs in Procore calls (PERF-5): with Procore's webhooks on, the hourly pull costs nothing
and the events' targeted pulls read what changed; once a day the full read is the safety net."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integration.models import SubcontractorInvoice, SyncRun, Vendor
from integration.services.pull import pull_link, pull_record
from tests.pull.conftest import later

pytestmark = pytest.mark.django_db


def scheduled(link) -> SyncRun:
    run = pull_link(link_id=link.pk, trigger=SyncRun.Trigger.SCHEDULE)
    link.refresh_from_db()
    return run


def test_with_webhooks_on_the_hourly_pull_costs_no_call_and_events_read_the_changes(link, company, sandboxes):
    """PERF-5, SYNC-2: after the first (full) read, an hourly scheduled pull of a link with Procore's
    webhooks on makes no Procore call; the invoice an event names is re-read at once; the next day's
    scheduled pull is the full read that finds a vendor deleted in Procore."""
    link.procore_webhooks = True
    link.save()
    first = scheduled(link)
    assert first.parameters["full"] is True and first.counts["created"] >= 9

    later(sandboxes)
    sandboxes.procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001-R"})
    before = len(sandboxes.procore.calls)
    hourly = scheduled(link)
    assert hourly.status == SyncRun.Status.SUCCEEDED
    assert sandboxes.procore.calls[before:] == []
    assert "Procore webhooks are on" in hourly.message

    event = pull_record(link_id=link.pk, resource_name="Requisitions", resource_id=company.invoice["id"],
                        project_id=company.project["id"])
    assert event.status == SyncRun.Status.SUCCEEDED, event.errors
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001-R"

    sandboxes.procore.delete_record("vendor", company.owner["id"])
    link.sync_cursors["full_read_at"] = (timezone.now() - timedelta(hours=25)).isoformat()
    link.save()
    daily = scheduled(link)
    assert daily.parameters["full"] is True
    assert Vendor.objects.get(procore_id=company.owner["id"]).removed_in_procore


def test_without_webhooks_the_hourly_pull_reads_each_projects_lists(link, company, sandboxes):
    """PERF-5, SYNC-2: a link without webhooks keeps the hourly incremental read, which does find a change."""
    scheduled(link)
    later(sandboxes)
    sandboxes.procore.update_record("requisition", company.invoice["id"], {"invoice_number": "KC-0001-R"})
    before = len(sandboxes.procore.calls)
    scheduled(link)
    assert sandboxes.procore.calls[before:]
    assert SubcontractorInvoice.objects.get(procore_id=company.invoice["id"]).invoice_number == "KC-0001-R"
