"""SYNC-3, SYNC-6: the approver's desk in a real browser (headless Chromium from Debian's packages,
driven by Selenium through the system chromedriver; nothing is downloaded).

The approver logs in, filters the queue, bulk-accepts, and sees green ticks once the export has run;
the pm is offered no accept action, and a crafted POST of it is refused and changes nothing."""

import os
import shutil
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from integration.models import ErpStatus, SubcontractorInvoice
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from tests.factories import LinkFactory, SubcontractorInvoiceFactory, UserFactory

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
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
                "--window-size=1600,1200"):
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
def export_succeeds(monkeypatch):
    """What accept enqueues, run at once: each accepted record of the link is marked synced through the
    status machine, with its Xero id, the way the export does on Xero's answer."""
    from integration.services.status import apply_transition, lock_record

    def export(*, link_id):
        for invoice in SubcontractorInvoice.objects.filter(link_id=link_id, erp_status=ErpStatus.EXPORTING):
            with transaction.atomic():
                invoice = lock_record(invoice)
                apply_transition(invoice, "export_succeeded", actor="system: export",
                                 update_fields={"xero_id": str(uuid.uuid4()), "xero_synced_at": timezone.now()})
        return "test-task"

    monkeypatch.setattr("integration.services.dispatch.enqueue_export", export)


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
def test_approver_filters_bulk_accepts_and_sees_green_ticks(browser, live_server, roles, export_succeeds):
    """SYNC-3, SYNC-6: filter, select all, accept; the records come back synced with a green tick."""
    UserFactory(username="approver", role=ACCOUNTING_APPROVER)
    link = LinkFactory(name="Harbourside")
    SubcontractorInvoiceFactory(link=link, invoice_number="INV-QUAY-1")
    SubcontractorInvoiceFactory(link=link, invoice_number="INV-QUAY-2")
    SubcontractorInvoiceFactory(link=link, invoice_number="INV-HILL-1")

    log_in(browser, live_server, "approver")
    assert "awaiting approval: 3" in browser.find_element(By.ID, f"link-{link.pk}").text.lower()  # the dashboard
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/?erp_status__exact=ready_to_export")
    search = browser.find_element(By.ID, "searchbar")
    search.send_keys("INV-QUAY")
    search.submit()
    WebDriverWait(browser, 10).until(lambda b: "INV-HILL-1" not in b.find_element(By.ID, "result_list").text)
    assert "INV-QUAY-1" in browser.find_element(By.ID, "result_list").text
    assert row(browser, "INV-QUAY-1").find_elements(By.CSS_SELECTOR, ".erp-synced-no")

    browser.find_element(By.ID, "action-toggle").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("accept_selected")
    browser.find_element(By.NAME, "index").click()

    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist")))
    assert "2 accepted." in browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/")
    for number in ("INV-QUAY-1", "INV-QUAY-2"):
        tick = row(browser, number).find_element(By.CSS_SELECTOR, ".erp-synced-yes")
        assert tick.text == "✔" and "In Procore and in Xero" in tick.get_attribute("title")
        assert row(browser, number).find_elements(By.CSS_SELECTOR, "a.erp-open-xero")
    assert row(browser, "INV-HILL-1").find_elements(By.CSS_SELECTOR, ".erp-synced-no")
    assert SubcontractorInvoice.objects.get(invoice_number="INV-HILL-1").erp_status == ErpStatus.READY_TO_EXPORT


@pytest.mark.django_db(transaction=True)
def test_pm_sees_no_accept_and_a_crafted_post_is_refused(browser, live_server, roles, export_succeeds):
    """SYNC-3: the pm's action list has no accept; forcing it into the form is refused and changes nothing."""
    UserFactory(username="pm", role=STANDARD)
    SubcontractorInvoiceFactory(invoice_number="INV-PM-1")

    log_in(browser, live_server, "pm")
    browser.get(f"{live_server.url}/admin/integration/subcontractorinvoice/")
    values = [o.get_attribute("value") for o in Select(browser.find_element(By.NAME, "action")).options]
    assert "accept_selected" not in values and "reject_selected" not in values
    assert "send_selected" in values

    # Craft the POST: add the accept option to the form and submit it.
    browser.execute_script(
        "const s = document.querySelector('select[name=action]');"
        "const o = document.createElement('option'); o.value = 'accept_selected'; o.text = 'Accept'; s.add(o); s.value = 'accept_selected';"
    )
    browser.find_element(By.ID, "action-toggle").click()
    browser.find_element(By.NAME, "index").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "result_list")))
    assert browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text == "No action selected."  # Django refuses it
    assert row(browser, "INV-PM-1").find_elements(By.CSS_SELECTOR, ".erp-synced-no")
    assert SubcontractorInvoice.objects.get(invoice_number="INV-PM-1").erp_status == ErpStatus.READY_TO_EXPORT
