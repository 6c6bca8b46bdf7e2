"""SYNC-3, SYNC-5, RPT-4, JC-4: the desk speaks an accountant's language: no requirement codes on any
page, labels in correct English, users by name, a refusal page that says what was tried and who may do
it (logged as one line), and the two small charts."""

import datetime
import logging
import re
import sys
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
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
    UserFactory,
    VendorFactory,
)

from .seeded import seed_month

pytestmark = pytest.mark.django_db
PREFIXES = "SYNC|INV|WBS|JC|BOOK|REL|PAY|RPT|CONN|SEC|PRJ|DRIFT|PERF|FID|CO|CMT|CRED|CCO|RET|ATT"
REQUIREMENT_ID = re.compile(rf"\b({PREFIXES})-\d{{1,2}}\b")


class VisibleText(HTMLParser):
    """What a person reads on a page: its text, the buttons' and fields' words, no scripts or styles."""

    def __init__(self):
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden += 1
        elif tag == "input" and attrs.get("type") in ("submit", "button"):
            self.parts.append(attrs.get("value") or "")
        for name in ("placeholder", "title", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# A brand outside a URL, an address or a code name (api.xero.com, xero_id, procore:projects).
OUTSIDE_A_NAME = r"(?<![\w./@:-]){}(?![\w@/-]|[.:]\w)"
SLIPS = {
    "a requirement code": REQUIREMENT_ID,
    "'Erp' for ERP": re.compile(r"\bErp\b"),
    "'erp' for ERP": re.compile(OUTSIDE_A_NAME.format("erp")),
    "'Pm' for pm or PM": re.compile(r"\bPm\b"),
    "'Id' or 'id' for ID": re.compile(r"\bId\b|" + OUTSIDE_A_NAME.format("id")),
    "a plural in -ys": re.compile(r"\b[a-z]*[b-df-hj-np-tv-z]ys\b"),
    "Xero spelt otherwise": re.compile(OUTSIDE_A_NAME.format("(?:xero|XERO)")),
    "Procore spelt otherwise": re.compile(OUTSIDE_A_NAME.format("(?:procore|PROCORE)")),
    "a Python value": re.compile(r"\{'|\['|\bNone\b|\bTrue\b|\bFalse\b"),
}


def slips_on(text: str) -> list[str]:
    return [f"{what}: ...{text[max(0, m.start() - 40):m.end() + 20]}..."
            for what, pattern in SLIPS.items() for m in pattern.finditer(text)]


def test_the_checker_catches_each_slip():
    """SYNC-3, SYNC-5: each slip the crawl looks for is found in a sentence that has it, and none in the
    same sentence written correctly, so a clean crawl means clean pages."""
    slipped = ("SYNC-5 Erp status Pm is not allowed Procore id Xero payment Id Job cost summarys "
               "Deleted in xero at Archived in erp From procore Counts: {'created': 1} Locked: True Lock: None")
    assert len(slips_on(visible_text(f"<p>{slipped}</p><script>var id = 1;</script>"))) == 12
    clean = ("ERP status pm is not allowed Procore ID Xero payment ID Job cost summaries Deleted in Xero at "
             "Archived in ERP From Procore 1 created Locked: yes https://api.xero.com xero_id procore:projects")
    assert slips_on(visible_text(f"<p>{clean}</p><style>.erp {{}}</style>")) == []


def desk_pages(link) -> list[str]:
    """Every page of the desk on this dataset: each registered model's list (each queue's every tab),
    a record page of each (one per status for the queues), the add pages, the dashboard, the reports,
    the run list and the link's settings and its pages."""
    pages = [reverse("admin:index"), reverse("desk:reports"),
             *(reverse(f"desk:report_{name}") for name in ("accountant", "job_costs", "unsyncable", "archived_companies",
                                                          "deleted_payments", "reconciliation")),
             reverse("admin:integration_companylink_contacts", args=[link.pk]),
             reverse("admin:integration_companylink_projects", args=[link.pk]),
             reverse("admin:integration_costcode_import_csv")]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        pages += [changelist, reverse(f"{info}_add")]
        rows = model.objects.order_by("pk")
        if model in EXPORTABLE_MODELS:
            statuses = set(rows.values_list("erp_status", flat=True))
            pages += [f"{changelist}?tab=all", *(f"{changelist}?erp_status__exact={s}" for s in statuses)]
            rows = [rows.filter(erp_status=s).first() for s in sorted(statuses)]
        else:
            rows = rows[:1]
        pages += [reverse(f"{info}_change", args=[row.pk]) for row in rows]
    return pages


@pytest.mark.django_db
def test_no_page_of_the_desk_shows_a_code_a_slip_or_a_python_value(client, link, sandboxes, approver, erp_admin, pm):
    """SYNC-3, SYNC-5: after the demo's month (exported, paid, job costs imported, a bill voided in Xero and
    reconciled, a record rejected and one failed), every page the ERP admin and the approver open (and
    the refusal pages of those they may not) names rules in words, spells ERP, ID, Xero and Procore as
    they are written, and shows no Python value; a Standard user's pages too."""
    seed_month(link, sandboxes, admin=erp_admin, approver=approver, pm=pm)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    pages = desk_pages(link)
    found, seen = {}, 0
    for user in (erp_admin, approver, pm, superuser):
        client.force_login(user)
        for url in pages if user != superuser else [u for u in pages if "webhookevent" in u]:
            response = client.get(url)
            assert response.status_code in (200, 403), f"{user.username} {url}: {response.status_code}"
            seen += response.status_code == 200
            for slip in slips_on(visible_text(response.content.decode())):
                found.setdefault(slip, f"{user.username} {url}")
    assert seen > 200
    assert not found, "\n".join(f"{where}: {slip}" for slip, where in found.items())


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


def test_booleans_read_as_their_state_in_words_with_the_help_text_beside(client, approver):
    """SYNC-3: a never-sent invoice's page says its link back to Procore is not yet made and that Procore
    allows edits, in words; a boolean of the record's own shows Yes or No with its help text beside it,
    never the help text as the value, never a ✔/✘ icon standing for True/False."""
    client.force_login(approver)
    invoice = SubcontractorInvoiceFactory(erp_status=ErpStatus.NOT_SENT, xero_id="")
    text = visible_text(client.get(reverse("admin:integration_subcontractorinvoice_change", args=[invoice.pk])).content.decode())
    assert "Link back to Procore: Not yet: the record is not in Xero" in text
    assert "Locked in Procore: No: not in Xero, so Procore allows edits" in text
    assert "Writeback pending" not in text and "Locked against edits in Procore" not in text

    vendor = VendorFactory(archived_in_erp=True)
    text = visible_text(client.get(reverse("admin:integration_vendor_change", args=[vendor.pk])).content.decode())
    assert "Archived in ERP: Yes" in text
