"""SYNC-3, SYNC-5, RPT-4, JC-4: the desk speaks an accountant's language: no requirement codes on any
page, labels in correct English, users by name, a refusal page that says what was tried and who may do
it (logged as one line), and the two small charts."""

import datetime
import logging
import re
import sys
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.logging import OneLineRefusals
from integration.models import EXPORTABLE_MODELS, ErpStatus, JobCostSummary, SyncRun
from integration.services import queue
from integration.services.status import TransitionRefused
from tests.factories import (
    CostItemFactory,
    LinkFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
)

pytestmark = pytest.mark.django_db
PREFIXES = "SYNC|INV|WBS|JC|BOOK|REL|PAY|RPT|CONN|SEC|PRJ|DRIFT|PERF|FID|CO|CMT|CRED|CCO|RET|ATT"
REQUIREMENT_ID = re.compile(rf"\b({PREFIXES})-\d{{1,2}}\b")


def test_no_page_of_the_desk_shows_a_requirement_code(client, approver):
    """SYNC-5: the dashboard, every queue and record page (with failing checks), the runs and the reports
    name rules in words; requirement codes stay in the tests and the docs."""
    client.force_login(approver)
    link = LinkFactory()
    bad = SubcontractorInvoiceFactory(link=link, billing_date=None, vendor=None, invoice_number="TUI-0007")
    SyncRun.objects.create(link=link, kind=SyncRun.Kind.PULL, status=SyncRun.Status.SUCCEEDED, counts={"read": 1},
                           errors=[{"model": "subcontractorinvoice", "id": bad.pk, "label": str(bad),
                                    "message": "qualifies but cannot be queued: The billing date is missing.", "held": True}])
    pages = [reverse("admin:index"), reverse("desk:reports"), reverse("admin:integration_syncrun_changelist"),
             reverse("admin:integration_syncrun_change", args=[SyncRun.objects.get().pk]),
             reverse("admin:integration_subcontractorinvoice_change", args=[bad.pk])]
    for model in EXPORTABLE_MODELS:
        pages.append(reverse(f"admin:integration_{model._meta.model_name}_changelist") + "?tab=all")
    for name in ("accountant", "job_costs", "unsyncable", "archived_companies", "deleted_payments", "reconciliation"):
        pages.append(reverse(f"desk:report_{name}"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = REQUIREMENT_ID.findall(response.content.decode())
        assert not found, f"{url} shows {found}"


def test_labels_read_as_english_and_users_by_name(client, approver, pm):
    """SYNC-3: 'Job cost summaries', 'ERP status' (not 'Erp status'), a cost item called a cost item,
    and a refusal that names the user as typed and the role that may act."""
    client.force_login(approver)
    home = client.get(reverse("admin:index")).content.decode()
    assert "Job cost summaries" in home and "summarys" not in home
    item = CostItemFactory(erp_status=ErpStatus.NOT_SENT)
    page = client.get(reverse("admin:integration_costitem_change", args=[item.pk])).content.decode()
    assert "ERP status" in page and "Erp status" not in page
    with pytest.raises(TransitionRefused, match=r"^Cannot accept cost item "):
        queue.record_accept(record=item, actor=approver)
    with pytest.raises(Exception, match=r"^pm is not allowed to accept records for export to Xero: only Accounting Approvers can\."):
        queue.record_accept(record=SubcontractorInvoiceFactory(), actor=pm)
    run = SyncRun.objects.create(kind=SyncRun.Kind.EXPORT, triggered_by=approver, status=SyncRun.Status.SUCCEEDED)
    assert "Started by Alex Approver" in client.get(reverse("admin:integration_syncrun_change", args=[run.pk])).content.decode()


def test_a_refusal_says_what_was_tried_who_may_do_it_and_links_back(client, pm):
    """SYNC-3: a Standard user opening the reports gets a page with the reason, the roles, a link back to
    where they came from and to the dashboard, never a bare '403 Forbidden'."""
    client.force_login(pm)
    response = client.get(reverse("desk:reports"), HTTP_REFERER="http://testserver/admin/integration/commitment/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this" in html and "/admin/reports/" in html
    assert "Viewing the ERP reports: only Accounting Approvers and ERP Admins can." in html
    assert '<a href="http://testserver/admin/integration/commitment/" class="button">Back</a>' in html
    assert '<a href="/admin/" class="button">The dashboard</a>' in html
    foreign = client.get(reverse("desk:reports"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in foreign


def test_a_refusal_is_logged_as_one_line():
    """SYNC-3: the 403's log record keeps its reason and loses its traceback."""
    try:
        raise PermissionError("Viewing the ERP reports: only Accounting Approvers and ERP Admins can.")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s",
                               ("/admin/reports/",), exc_info)
    record.status_code = 403
    assert OneLineRefusals().filter(record)
    assert record.exc_info is None
    assert logging.Formatter().format(record) == ("Forbidden (Permission denied): /admin/reports/: "
                                                  "Viewing the ERP reports: only Accounting Approvers and ERP Admins can.")


def test_the_charts_draw_job_costs_per_project_and_activity_per_day(client, approver):
    """JC-4, RPT-4: bars scaled to the largest figure on the job costs report; exports and imports per
    day over 30 days on the dashboard, from the runs' counts."""
    client.force_login(approver)
    link = LinkFactory()
    big, small = ProjectFactory(link=link, name="Harbour View"), ProjectFactory(link=link, name="Gym")
    JobCostSummary.objects.create(link=link, project=big, cost_item=CostItemFactory(link=link),
                                  job_to_date_cost=Decimal("2000.00"), commitment_invoiced=Decimal("1500.00"))
    JobCostSummary.objects.create(link=link, project=small, cost_item=CostItemFactory(link=link),
                                  job_to_date_cost=Decimal("500.00"), commitment_invoiced=Decimal("0.00"))
    html = client.get(reverse("desk:report_job_costs")).content.decode()
    chart = html.split('id="job-costs-chart"')[1].split("</table>")[0]
    assert 'class="bar-cost" x="0" y="0" width="100.0"' in chart and 'class="bar-invoiced" x="0" y="8" width="75.0"' in chart
    assert 'width="25.0"' in chart and 'class="bar-invoiced" x="0" y="8" width="0.0"' in chart

    SyncRun.objects.create(link=link, kind=SyncRun.Kind.EXPORT, status="succeeded", counts={"created": 8, "updated": 2})
    old = SyncRun.objects.create(link=link, kind=SyncRun.Kind.PAYMENTS, status="succeeded", counts={"created": 99})
    SyncRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - datetime.timedelta(days=40))
    SyncRun.objects.create(link=link, kind=SyncRun.Kind.PAYMENTS, status="succeeded", counts={"created": 5})
    home = client.get(reverse("admin:index")).content.decode()
    chart = home.split('id="activity-chart"')[1].split("</svg>")[0]
    assert "records exported to Xero: 10" in chart and "records imported from Xero: 5" in chart
    assert chart.count('class="bar-exported"') == 30
    assert 'class="bar-exported" x="580" y="0.0" width="9" height="120.0"' in chart  # today, the tallest
