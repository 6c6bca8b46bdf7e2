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


def test_tax_codes_and_each_commitment_lines_tax_code_are_read(link, company, sandboxes):
    """BOOK-3: the pull reads Procore's tax codes (GET /rest/v1.0/tax_codes) and each commitment line's
    tax_code_id; a tax code Procore no longer lists is kept, archived."""
    from integration.models import CommitmentLine, TaxCode
    from integration.services.pull import pull_link

    procore = sandboxes.procore
    gst = procore.create_record("tax_code", {"code": "GST", "description": "GST 15%", "rate1": 15.0})
    old = procore.create_record("tax_code", {"code": "OLD", "description": "Retired"})
    contract = procore.get_record("work_order_contract", company.contract["id"])
    procore.update_record("work_order_contract", contract["id"],
                          {"line_items": [{"id": company.line_id, "tax_code_id": gst["id"]}]}, force=True)
    pull_link(link_id=link.pk)
    codes = {c.code: c for c in TaxCode.objects.filter(link=link)}
    assert codes["GST"].procore_id == gst["id"] and codes["GST"].rate == 15 and not codes["OLD"].archived
    assert CommitmentLine.objects.get(procore_id=company.line_id).procore_tax_code_id == gst["id"]

    procore.delete_record("tax_code", old["id"])
    pull_link(link_id=link.pk, full=True)
    assert TaxCode.objects.get(link=link, code="OLD").archived
