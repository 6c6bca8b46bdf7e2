"""SYNC-3, SYNC-5, SYNC-6, SYNC-10: the approver's routine in a real browser (headless Chromium from
Debian's packages at 1366x768, driven by Selenium through the system chromedriver; nothing is downloaded).

The approver opens the dashboard, follows the count to the queue, takes the "Ready to export" tab, opens
a record and sees the Xero preview above the fold, accepts it and sees the row turn synced without
reloading, and rejects another with a reason; the pm sends a record and is offered no Accept. Each step
asserts what a person sees: text inside the viewport, not only present in the HTML. Screenshots of each
step are saved under build/desk-screenshots/ (DESK_SCREENSHOTS overrides it)."""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from integration.models import ErpStatus, SubcontractorInvoice
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from tests.factories import LinkFactory, SubcontractorInvoiceFactory, UserFactory

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = Path(os.environ.get("DESK_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "desk-screenshots"))
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[dev]'")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                       reason="Chromium is not installed: apt-get install -y chromium chromium-driver (.ci/run does it)"),
]

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                "--window-size=1366,768"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


@pytest.fixture
def roles(transactional_db):
    """A transactional test flushes the tables after each test, the migration's groups with them."""
    from integration.roles import sync_roles

    sync_roles()


@pytest.fixture
def export_queued(monkeypatch):
    """What accept enqueues is recorded, not run: the test plays the export's answer itself, later,
    while the approver's page is open."""
    queued = []
    monkeypatch.setattr("integration.services.dispatch.enqueue_export", lambda *, link_id: queued.append(link_id) or "test-task")
    return queued


def xero_answers(invoice):
    """The export's outcome, as the export writes it on Xero's answer: synced with its Xero id."""
    from integration.services.status import apply_transition, lock_record

    with transaction.atomic():
        apply_transition(lock_record(invoice), "export_succeeded", actor="system: export",
                         update_fields={"xero_id": str(uuid.uuid4()), "xero_synced_at": timezone.now()})


def shot(browser, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def seen(browser, element) -> bool:
    """The element is displayed and its top edge lies inside the viewport: a person sees it without scrolling."""
    top, bottom = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom];", element)
    return element.is_displayed() and 0 <= top < browser.execute_script("return window.innerHeight") and bottom > 0


def visible_text(browser, css) -> str:
    element = browser.find_element(By.CSS_SELECTOR, css)
    assert seen(browser, element), f"{css} is not in the viewport"
    return element.text


def log_in(browser, live_server, username):
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys("pw")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "user-tools")))


def row(browser, text):
    return browser.find_element(By.XPATH, f"//table[@id='result_list']//tr[contains(., '{text}')]")


@pytest.mark.django_db(transaction=True)
def test_the_approvers_routine(browser, live_server, roles, export_queued):
    """SYNC-3, SYNC-5, SYNC-6, SYNC-10: dashboard → queue tab → record with its preview above the fold →
    accept → the row turns synced without a reload; another is rejected with a reason. At most four clicks
    per record: the dashboard's count, the tab, the record, the decision."""
    UserFactory(username="approver", first_name="Alex", last_name="Approver", role=ACCOUNTING_APPROVER)
    link = LinkFactory(name="Harbourside")
    accepted = SubcontractorInvoiceFactory(link=link, invoice_number="INV-QUAY-1")
    SubcontractorInvoiceFactory(link=link, invoice_number="INV-QUAY-2")
    SubcontractorInvoiceFactory(link=link, invoice_number="INV-SYNCED", erp_status=ErpStatus.SYNCED, xero_id="s" * 36)

    log_in(browser, live_server, "approver")
    shot(browser, "1-dashboard")
    board = browser.find_element(By.ID, f"link-{link.pk}")
    assert "awaiting approval: 2" in board.text.lower()
    # No header or report name wraps one letter per line ("< 1 DAY" read vertically): each is at most two lines.
    tall = browser.execute_script(
        "return [...document.querySelectorAll('#content th')].filter(th => th.innerText.trim()).map(th => {"
        "  const line = parseFloat(getComputedStyle(th).lineHeight) || 16, r = document.createRange();"
        "  r.selectNodeContents(th); const lines = Math.round(r.getBoundingClientRect().height / line);"
        "  return [th.innerText.trim(), lines]; }).filter(([text, lines]) => lines > 2);")
    assert browser.find_elements(By.CSS_SELECTOR, "#reports th a") and not tall, f"headers that wrap: {tall}"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    board.find_element(By.CSS_SELECTOR, "tr.awaiting-subcontractorinvoice td.total a").click()  # click 1

    tabs = browser.find_element(By.ID, "queue-tabs")
    selected = tabs.find_element(By.CSS_SELECTOR, "a.selected")
    assert seen(browser, tabs) and selected.text == "Awaiting decision2"  # the queue opens on what awaits a decision
    tabs.find_element(By.CSS_SELECTOR, "a.desk-tab-ready_to_export").click()  # click 2
    shot(browser, "2-queue-ready-to-export")
    listing = visible_text(browser, "#result_list")
    assert "INV-QUAY-1" in listing and "INV-QUAY-2" in listing and "INV-SYNCED" not in listing
    header = browser.find_element(By.CSS_SELECTOR, "#result_list thead").text.upper()
    assert header.index("ERP STATUS") < header.index("PROJECT") and "ERP SYNCED" in header
    width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the queue scrolls sideways at 1366 px: {width}"

    row(browser, "INV-QUAY-1").find_element(By.PARTIAL_LINK_TEXT, "INV-QUAY-1").click()  # click 3
    shot(browser, "3-record")
    assert "Subcontractor invoice INV-QUAY-1" in visible_text(browser, "#record-summary")
    assert "All 12 export checks pass" in visible_text(browser, "#export-checks")
    assert "Bill (ACCPAY) it becomes in Xero" in visible_text(browser, "#xero-preview")
    decision = visible_text(browser, "#record-decision")  # sticky at the bottom of the viewport
    assert "Accept" in decision and "Reject with reason" in decision
    assert "Idempotency key" not in browser.find_element(By.TAG_NAME, "body").text  # technical fields are collapsed
    browser.find_element(By.CSS_SELECTOR, "button[data-erp-action=accept]").click()  # click 4
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    assert "accepted" in visible_text(browser, "ul.messagelist")
    assert "Exporting" in visible_text(browser, "#record-summary")
    assert export_queued == [link.pk]

    # The queue, all statuses: the accepted row shows Exporting; Xero answers; the row turns synced by itself.
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/?tab=all")
    browser.execute_script("window.notReloaded = true;")
    assert "Exporting" in row(browser, "INV-QUAY-1").text
    xero_answers(SubcontractorInvoice.objects.get(pk=accepted.pk))
    WebDriverWait(browser, 15).until(lambda b: "Synced" in row(b, "INV-QUAY-1").text)
    assert browser.execute_script("return window.notReloaded === true;"), "the page was reloaded"
    assert row(browser, "INV-QUAY-1").find_elements(By.CSS_SELECTOR, ".erp-synced-yes")
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "#queue-tabs a.desk-tab-synced").text == "Synced2")  # the counts follow
    shot(browser, "4-row-turned-synced")

    # Reject the other with a reason, from its page.
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/?erp_status__exact=ready_to_export")
    row(browser, "INV-QUAY-2").find_element(By.PARTIAL_LINK_TEXT, "INV-QUAY-2").click()
    browser.find_element(By.ID, "reject-reason").send_keys("Wrong period: bill it in December")
    browser.find_element(By.CSS_SELECTOR, "button[data-erp-action=reject]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    shot(browser, "5-rejected")
    assert "Rejected by the approver: Wrong period: bill it in December" in visible_text(browser, "#record-summary")
    rejected = SubcontractorInvoice.objects.get(invoice_number="INV-QUAY-2")
    assert (rejected.erp_status, rejected.erp_message) == (ErpStatus.REJECTED, "Wrong period: bill it in December")


@pytest.mark.django_db(transaction=True)
def test_pm_sends_a_record_and_is_offered_no_accept(browser, live_server, roles, export_queued):
    """SYNC-3: the pm sends a record from its page; neither its page nor the list offers Accept, and a
    crafted POST of the accept action is refused and changes nothing."""
    UserFactory(username="pm", role=STANDARD)
    invoice = SubcontractorInvoiceFactory(invoice_number="INV-PM-1", erp_status=ErpStatus.NOT_SENT)

    log_in(browser, live_server, "pm")
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/{invoice.pk}/change/")
    decision = visible_text(browser, "#record-decision")
    assert "Send to the approval queue" in decision and "Accept" not in decision
    browser.find_element(By.CSS_SELECTOR, "button[data-erp-action=send]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    shot(browser, "6-pm-sent")
    assert "Ready to export" in visible_text(browser, "#record-summary")
    decision = visible_text(browser, "#record-decision")
    assert "Retrieve" in decision and "Accept" not in decision
    assert SubcontractorInvoice.objects.get(pk=invoice.pk).erp_status == ErpStatus.READY_TO_EXPORT

    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/")
    values = [o.get_attribute("value") for o in Select(browser.find_element(By.NAME, "action")).options]
    assert "accept_selected" not in values and "reject_selected" not in values and "send_selected" in values
    # Craft the POST: add the accept option to the form and submit it.
    browser.execute_script(
        "const s = document.querySelector('select[name=action]');"
        "const o = document.createElement('option'); o.value = 'accept_selected'; o.text = 'Accept'; s.add(o); s.value = 'accept_selected';"
    )
    browser.find_element(By.ID, "action-toggle").click()
    browser.find_element(By.NAME, "index").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "result_list")))
    assert browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text == "No action selected."  # Django refuses it
    assert SubcontractorInvoice.objects.get(pk=invoice.pk).erp_status == ErpStatus.READY_TO_EXPORT
    assert export_queued == []


@pytest.mark.django_db(transaction=True)
def test_every_queue_fits_1366_px_with_the_erp_columns_first(browser, live_server, roles):
    """SYNC-3, SYNC-6: on each of the seven queues (All tab, a failed row with long names and a long
    failure message), nothing scrolls sideways at 1366 px and the ERP status and ERP synced columns are
    on screen, right after the record's name."""
    from tests.factories import (
        ChangeOrderFactory,
        CommitmentFactory,
        CostItemFactory,
        OwnerInvoiceFactory,
        ProjectFactory,
        VendorFactory,
    )

    UserFactory(username="approver", role=ACCOUNTING_APPROVER)
    link = LinkFactory(name="Harbourside Builders Auckland Region")
    failed = {"erp_status": ErpStatus.FAILED, "erp_message": "Xero refused it: " + "the account code is archived; " * 8}
    project = ProjectFactory(link=link, name="Devonport Ferry Terminal Upgrade and Wharf Extension", **failed)
    vendor = VendorFactory(link=link, name="Southern Steel Erectors and Fabricators Limited", **failed)
    commitment = CommitmentFactory(link=link, project=project, vendor=vendor, title="Structural steel package, levels 1 to 14", **failed)
    CostItemFactory(link=link, **failed)
    ChangeOrderFactory(link=link, commitment=commitment, **failed)
    SubcontractorInvoiceFactory(link=link, commitment=commitment, project=project, vendor=vendor, **failed)
    OwnerInvoiceFactory(link=link, **failed)

    log_in(browser, live_server, "approver")
    for name in ("project", "vendor", "costitem", "commitment", "changeorder", "subcontractorinvoice", "ownerinvoice"):
        browser.get(f"{live_server.url}/admin/integration/{name}/?tab=all")
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        shot(browser, f"queue-{name}")
        cells = browser.execute_script(  # each cell's width, to name the one that is too wide
            "return [...document.querySelectorAll('#result_list tbody tr:first-child td')]"
            ".map(c => [c.className, Math.round(c.getBoundingClientRect().width)])")
        assert width[0] <= width[1], f"the {name} queue scrolls sideways at 1366 px: {width} {cells}"
        headers = [th.text.upper() for th in browser.find_elements(By.CSS_SELECTOR, "#result_list thead th") if th.text.strip()]
        assert headers[1:3] == ["ERP STATUS", "ERP SYNCED"], f"{name}: {headers}"
        for label in ("ERP STATUS", "ERP SYNCED"):
            th = next(th for th in browser.find_elements(By.CSS_SELECTOR, "#result_list thead th") if th.text.upper() == label)
            right = browser.execute_script("return arguments[0].getBoundingClientRect().right", th)
            assert right <= width[1], f"{name}: {label} is off screen"
