"""CO-3, PRJ-4: the link's pages to link companies to existing Xero contacts (with suggestions), archive
them, refresh the list, and import a Xero job as a Procore project, as an ERP admin uses them."""

import pytest
from django.urls import reverse

from integration.models import AuditEvent, ErpStatus, Project, Vendor
from integration.roles import ERP_ADMIN, STANDARD
from tests.factories import UserFactory, VendorFactory
from tests.imports.conftest import key

pytestmark = pytest.mark.django_db


def test_a_company_is_linked_to_the_suggested_xero_contact(world, client):
    """CO-3: the suggestion matches the normalised name; linking sets origin_id in Procore, nothing new in Xero."""
    procore_vendor = world.procore.create_record("vendor", {"name": "Tui Drywall & Linings Ltd."})
    vendor = VendorFactory(link=world.link, procore_id=procore_vendor["id"], name="Tui Drywall & Linings Ltd.",
                           xero_id="", erp_status=ErpStatus.NOT_SENT)
    [contact] = world.xero.create_contacts([{"Name": "TUI DRYWALL & LININGS LTD"}], idempotency_key=key("contact"))
    contacts_before = len(list(world.xero.iter_contacts()))
    client.force_login(UserFactory(username="erp-co3", role=ERP_ADMIN))
    page = reverse("admin:integration_companylink_contacts", args=[world.link.pk])
    html = client.get(page).content.decode()
    assert "TUI DRYWALL &amp; LININGS LTD" in html and "(name)" in html
    response = client.post(page, {"vendor": vendor.pk, "contact_id": contact.id}, follow=True)
    assert "is linked to its Xero contact" in response.content.decode()
    vendor.refresh_from_db()
    assert (vendor.erp_status, vendor.xero_id) == (ErpStatus.SYNCED, contact.id)
    assert world.procore.get_record("vendor", vendor.procore_id)["origin_id"] == contact.id
    assert AuditEvent.objects.filter(object_id=vendor.pk, action="link_existing").exists()
    assert len(list(world.xero.iter_contacts())) == contacts_before


def test_a_bad_contact_id_links_nothing(world, client):
    """CO-3, REL-6: a ContactID that is not a GUID, or a contact Xero does not have: a message, no change."""
    vendor = VendorFactory(link=world.link, xero_id="", erp_status=ErpStatus.NOT_SENT)
    client.force_login(UserFactory(username="erp-co3b", role=ERP_ADMIN))
    page = reverse("admin:integration_companylink_contacts", args=[world.link.pk])
    assert "GUID" in client.post(page, {"vendor": vendor.pk, "other_contact_id": "kauri"}, follow=True).content.decode()
    response = client.post(page, {"vendor": vendor.pk, "other_contact_id": "33333333-3333-3333-3333-333333333333"}, follow=True)
    assert "not linked" in response.content.decode()
    vendor.refresh_from_db()
    assert (vendor.erp_status, vendor.xero_id) == (ErpStatus.NOT_SENT, "")


def test_archive_and_restore_an_erp_company(world, client):
    """CO-3: archive an ERP company; the archived companies list shows it; restore it."""
    client.force_login(UserFactory(username="erp-co3c", role=ERP_ADMIN))
    changelist = reverse("admin:integration_vendor_changelist")
    client.post(changelist, {"action": "archive_companies", "_selected_action": [world.vendor.pk]})
    assert Vendor.objects.get(pk=world.vendor.pk).archived_in_erp
    client.post(changelist, {"action": "unarchive_companies", "_selected_action": [world.vendor.pk]})
    assert not Vendor.objects.get(pk=world.vendor.pk).archived_in_erp


def test_a_xero_job_becomes_a_procore_project(world, client):
    """PRJ-4: a tracking option that is no Procore project yet is offered, and imported as one, linked."""
    option = world.xero.create_tracking_option(world.category_id, "NS-404 Northcote School Gym", idempotency_key=key("opt"))
    client.force_login(UserFactory(username="erp-prj4", role=ERP_ADMIN))
    page = reverse("admin:integration_companylink_projects", args=[world.link.pk])
    assert "NS-404 Northcote School Gym" in client.get(page).content.decode()
    client.post(page, {"option_id": option["TrackingOptionID"], "project_number": "NS-404"})
    project = Project.objects.get(link=world.link, project_number="NS-404")
    assert project.xero_id == option["TrackingOptionID"].lower() and project.erp_status == ErpStatus.SYNCED
    assert f'value="{option["TrackingOptionID"]}"' not in client.get(page).content.decode()  # no longer offered


def test_standard_users_cannot_reach_these_pages(world, client):
    """SYNC-3: linking, refreshing and importing are the ERP admin's."""
    client.force_login(UserFactory(username="pm-co3", role=STANDARD))
    for name in ("contacts", "projects", "refresh_companies"):
        response = client.get(reverse(f"admin:integration_companylink_{name}", args=[world.link.pk]))
        assert response.status_code == 403, name
