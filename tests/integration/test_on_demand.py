"""PAY-5, JC-9, RPT-4: the link page's "Sync now" buttons queue the scheduled work at once."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration.models import AuditEvent
from integration.roles import ACCOUNTING_APPROVER, ERP_ADMIN, STANDARD
from tests.factories import LinkFactory, ProjectFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def queued():
    return [task.func() for task in OrmQ.objects.all()]


def post(client, link, **data):
    return client.post(reverse("admin:integration_companylink_sync", args=[link.pk]), data, follow=True)


def test_erp_admin_queues_each_sync_and_the_job_costs_of_one_project(client, django_capture_on_commit_callbacks):
    """JC-9, PAY-5: the whole link, or one project by its job number; each request is audited."""
    link = LinkFactory()
    ProjectFactory(link=link, project_number="HV-101")
    client.force_login(UserFactory(username="erp", role=ERP_ADMIN))
    page = client.get(reverse("admin:integration_companylink_change", args=[link.pk])).content.decode()
    assert "Sync payments for synced invoices" in page and "Get direct invoices for project #" in page
    with django_capture_on_commit_callbacks(execute=True):
        post(client, link, what="payments")
        post(client, link, what="job_costs", project_number="HV-101")
        post(client, link, what="pull")
    assert queued() == ["integration.tasks.import_payments", "integration.tasks.import_job_costs", "integration.tasks.pull_link"]
    assert AuditEvent.objects.filter(action__startswith="sync_requested").count() == 3


def test_bad_requests_name_the_problem_and_queue_nothing(client, django_capture_on_commit_callbacks):
    """REL-6: an unknown job number, a project not in Xero, a malformed contact: a message, nothing queued."""
    link = LinkFactory()
    ProjectFactory(link=link, project_number="NEW-1", xero_id="")
    client.force_login(UserFactory(username="erp", role=ERP_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        assert "No project with job number &#x27;ZZ-9&#x27;" in post(client, link, what="job_costs", project_number="ZZ-9").content.decode()
        assert "not in Xero yet" in post(client, link, what="job_costs", project_number="NEW-1").content.decode()
        assert "is not a Xero ContactID" in post(client, link, what="job_costs", contact_id="; drop").content.decode()
        assert "Unknown sync" in post(client, link, what="everything").content.decode()
    assert queued() == []


def test_one_contact_and_who_may_press_what(client, django_capture_on_commit_callbacks):
    """JC-9 (one contact); the seed: approvers may sync payments on demand, Standard users nothing."""
    link = LinkFactory()
    vendor = VendorFactory(link=link)
    client.force_login(UserFactory(username="approver", role=ACCOUNTING_APPROVER))
    with django_capture_on_commit_callbacks(execute=True):
        assert "may not run" in post(client, link, what="job_costs", contact_id=vendor.xero_id).content.decode()
        post(client, link, what="payments")
    assert queued() == ["integration.tasks.import_payments"]
    client.force_login(UserFactory(username="erp", role=ERP_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, link, what="job_costs", contact_id=vendor.xero_id)
    assert OrmQ.objects.count() == 2
    client.force_login(UserFactory(username="pm", role=STANDARD))
    response = client.post(reverse("admin:integration_companylink_sync", args=[link.pk]), {"what": "payments"})
    assert response.status_code in (302, 403) and OrmQ.objects.count() == 2
