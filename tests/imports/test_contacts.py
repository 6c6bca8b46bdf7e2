"""Contacts and jobs from Xero (CO-2, CO-3, PRJ-4)."""

from integration.models import Project, Vendor
from integration.services.imports import (
    import_contacts,
    project_import_from_xero,
    tracking_options_importable,
    vendor_link,
    vendor_link_suggestions,
    vendor_unlink,
)
from tests.factories import UserFactory, VendorFactory


def _group(world, *contact_ids):
    group = world.xero.create_contact_group("Procore", idempotency_key="test-group")
    world.xero.add_contacts_to_group(group["ContactGroupID"], contact_ids, idempotency_key="test-group-add")


def test_group_contacts_become_vendors_and_follow_name_and_phone(world):
    """CO-2: a contact in the "Procore" group becomes a Procore vendor; later name and phone changes follow,
    the address never does once linked."""
    [contact] = world.xero.create_contacts([{
        "Name": "Tasman Glazing", "EmailAddress": "ap@tasman.example", "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "09 555 0101"}],
        "Addresses": [{"AddressType": "POBOX", "AddressLine1": "1 Shore Rd", "City": "Auckland"}]}],
        idempotency_key="test-c1")
    _group(world, contact.id)

    run = import_contacts(link=world.link)

    assert run.counts["created"] == 1, run.errors
    vendor = Vendor.objects.get(link=world.link, xero_id=contact.id)
    shown = world.procore.get_record("vendor", vendor.procore_id)
    assert (shown["name"], shown["business_phone"], shown["address"], shown["origin_id"]) == (
        "Tasman Glazing", "09 555 0101", "1 Shore Rd", contact.id)

    world.xero.update_contacts([{"ContactID": contact.id, "Name": "Tasman Glazing Ltd",
                                 "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "09 555 0199"}],
                                 "Addresses": [{"AddressType": "POBOX", "AddressLine1": "9 New St"}]}],
                               idempotency_key="test-c1-update")
    again = import_contacts(link=world.link)

    assert again.counts["updated"] == 1 and again.counts["created"] == 0
    shown = world.procore.get_record("vendor", vendor.procore_id)
    assert (shown["name"], shown["business_phone"], shown["address"]) == (
        "Tasman Glazing Ltd", "09 555 0199", "1 Shore Rd")


def test_link_suggestions_and_link_unlink(world):
    """CO-3: suggested matches by normalised name, tax number and email; link sets origin_id in Procore,
    unlink clears it."""
    procore_vendor = world.procore.create_record("vendor", {"name": "Pacific Steel & Co."})
    vendor = VendorFactory(link=world.link, procore_id=procore_vendor["id"], name="Pacific Steel & Co.", xero_id="",
                           erp_status="not_sent", tax_number="12-345-678")
    [by_name] = world.xero.create_contacts([{"Name": "PACIFIC STEEL AND COMPANY LTD"}], idempotency_key="test-s1")
    [by_tax] = world.xero.create_contacts([{"Name": "PSC Holdings", "TaxNumber": "12345678"}], idempotency_key="test-s2")

    suggestions = vendor_link_suggestions(link=world.link)[vendor.pk]

    assert [s.contact_id for s in suggestions] == [by_tax.id, by_name.id]
    assert suggestions[0].reasons == ("tax number",) and suggestions[1].reasons == ("name",)

    admin = UserFactory()
    vendor = vendor_link(vendor=vendor, contact_id=by_name.id, actor=admin)
    assert vendor.xero_id == by_name.id and world.procore.get_record("vendor", vendor.procore_id)["origin_id"] == by_name.id
    vendor = vendor_unlink(vendor=vendor, actor=admin)
    assert vendor.xero_id == "" and not world.procore.get_record("vendor", vendor.procore_id)["origin_id"]


def test_tracking_option_becomes_a_procore_project(world):
    """PRJ-4: an option of the project tracking category, not yet a project, becomes a new Procore project."""
    option = world.xero.create_tracking_option(world.category_id, "QB-303 Quay Basin", idempotency_key="test-o1")
    assert [o["Name"] for o in tracking_options_importable(link=world.link)] == ["QB-303 Quay Basin"]

    project = project_import_from_xero(link=world.link, option_id=option["TrackingOptionID"], actor=UserFactory())

    shown = world.procore.get_record("project", project.procore_id)
    assert (shown["name"], shown["project_number"], shown["origin_id"]) == (
        "Quay Basin", "QB-303", option["TrackingOptionID"])
    assert Project.objects.get(pk=project.pk).xero_option_name == "QB-303 Quay Basin"
    assert tracking_options_importable(link=world.link) == []
