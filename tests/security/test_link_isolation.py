"""SEC-3: links isolated everywhere. A record of one link never refers to a record of another: every
admin form relating two records refuses a pair from two links with a message naming both and saves
nothing, every admin choice list offers the link's records only, and the services check it too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from integration import models as m
from integration.roles import ERP_ADMIN
from integration.services import cost_codes as cost_codes_service
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_links(db):
    """Two builders, each with a cost item, a cost type, a cost code, two projects and a vendor, of the same names."""
    out = {}
    for key, name in ((1, "Harbour Builders"), (2, "Quay Construction")):
        link = f.LinkFactory(name=name)
        out[key] = {
            "link": link,
            "item": f.CostItemFactory(link=link),
            "type": f.CostTypeFactory(link=link, code=f"M{key}", name="Material"),
            "code": f.CostCodeFactory(link=link, code="09-100", name="Painting"),
            "project": f.ProjectFactory(link=link, name="Main Street"),
            "vendor": f.VendorFactory(link=link, name=f"Acme {key}"),
        }
        f.ProjectFactory(link=link, name="Dock Road")  # a filter of one choice is not shown at all
    return out


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(f.UserFactory(username="erpadmin", role=ERP_ADMIN))
    return client


def _errors(answer) -> str:
    assert answer.status_code == 200, answer.status_code  # the form again, not a redirect to the list
    return answer.content.decode()


def test_an_account_mapping_to_another_links_cost_item_is_refused(two_links, admin_client):
    """SEC-3, JC-8: POST /admin/integration/accountmapping/add/ with link=2 and a cost item of link 1 is
    refused with the item and both links named; nothing is saved. Changing a saved mapping of link 2 to
    link 1's item is refused alike, and link 2's own item is accepted."""
    one, two = two_links[1], two_links[2]
    add = reverse("admin:integration_accountmapping_add")

    page = _errors(admin_client.post(add, {"link": two["link"].pk, "account_code": "610", "cost_item": one["item"].pk}))
    assert "belongs to link &#x27;Harbour Builders&#x27;" in page and "not to &#x27;Quay Construction&#x27;" in page
    assert not m.AccountMapping.objects.exists()

    assert admin_client.post(add, {"link": two["link"].pk, "account_code": "610", "cost_item": two["item"].pk}).status_code == 302
    mapping = m.AccountMapping.objects.get()
    change = reverse("admin:integration_accountmapping_change", args=[mapping.pk])
    page = _errors(admin_client.post(change, {"link": two["link"].pk, "account_code": "610", "cost_item": one["item"].pk}))
    assert "belongs to link &#x27;Harbour Builders&#x27;" in page
    mapping.refresh_from_db()
    assert mapping.cost_item == two["item"]
    # Moving the mapping to link 1 while keeping link 2's item is the same mistake.
    page = _errors(admin_client.post(change, {"link": one["link"].pk, "account_code": "610", "cost_item": two["item"].pk}))
    assert "belongs to link &#x27;Quay Construction&#x27;" in page
    mapping.refresh_from_db()
    assert mapping.link == two["link"]


def test_an_account_mapping_across_links_cannot_be_saved_by_code_either(two_links):
    """SEC-3, JC-8: outside the admin (a script, a shell), saving a mapping of link 2 to link 1's cost
    item raises with the reason, and nothing is written."""
    with pytest.raises(ValidationError, match="belongs to link 'Harbour Builders'"):
        m.AccountMapping.objects.create(link=two_links[2]["link"], account_code="610", cost_item=two_links[1]["item"])
    assert not m.AccountMapping.objects.exists()


def test_the_account_mapping_lookup_opens_on_the_links_cost_items(two_links, admin_client):
    """SEC-3: the cost item lookup of a mapping of link 2 (and of an add page opened with ?link=2) lists
    link 2's cost items only."""
    two = two_links[2]
    mapping = m.AccountMapping.objects.create(link=two["link"], account_code="610", cost_item=two["item"])
    for url in (reverse("admin:integration_accountmapping_change", args=[mapping.pk]),
                reverse("admin:integration_accountmapping_add") + f"?link={two['link'].pk}"):
        page = admin_client.get(url).content.decode()
        assert f"link__id__exact={two['link'].pk}" in page, url


def test_a_cost_code_cannot_take_another_links_cost_type(two_links, admin_client):
    """SEC-3, WBS-5: adding a cost code to link 2 with link 1's cost type as a default is refused with both
    named and nothing saved; on a saved cost code the choices are its link's cost types, a foreign one
    posted is refused, and its link cannot be changed (its items would stay behind in the old link)."""
    one, two = two_links[1], two_links[2]
    add = reverse("admin:integration_costcode_add")
    before = m.CostCode.objects.count()
    page = _errors(admin_client.post(add, {"link": two["link"].pk, "code": "10-200", "name": "Drywall", "active": "on",
                                            "default_cost_types": [one["type"].pk]}))
    assert "Cost type M1 Material belongs to link &#x27;Harbour Builders&#x27;" in page
    assert m.CostCode.objects.count() == before

    code = two["code"]
    change = reverse("admin:integration_costcode_change", args=[code.pk])
    page = admin_client.get(change).content.decode()
    assert f'value="{two["type"].pk}"' in page and f'value="{one["type"].pk}"' not in page
    page = _errors(admin_client.post(change, {"code": code.code, "name": code.name, "active": "on",
                                               "default_cost_types": [one["type"].pk, two["type"].pk]}))
    assert "belongs to link &#x27;Harbour Builders&#x27;" in page
    assert list(code.default_cost_types.all()) == []
    # The link is shown, not offered: a posted link is ignored.
    answer = admin_client.post(change, {"link": one["link"].pk, "code": code.code, "name": code.name, "active": "on",
                                        "default_cost_types": [two["type"].pk]})
    assert answer.status_code == 302
    code.refresh_from_db()
    assert code.link == two["link"] and list(code.default_cost_types.all()) == [two["type"]]


def test_a_cost_type_stays_in_its_link(two_links, admin_client):
    """SEC-3: a saved cost type's link is not editable; a posted link is ignored."""
    cost_type = two_links[2]["type"]
    change = reverse("admin:integration_costtype_change", args=[cost_type.pk])
    answer = admin_client.post(change, {"link": two_links[1]["link"].pk, "code": "M2", "name": "Materials", "base_type": "",
                                        "active": "on"})
    assert answer.status_code == 302
    cost_type.refresh_from_db()
    assert (cost_type.link, cost_type.name) == (two_links[2]["link"], "Materials")


def test_assigning_default_cost_types_across_links_is_refused(two_links, admin_client):
    """SEC-3, WBS-5: the action offers the link's cost types only; the service refuses another link's cost
    type and cost codes of two links, creating no cost item."""
    one, two = two_links[1], two_links[2]
    items = m.CostItem.objects.count()
    changelist = reverse("admin:integration_costcode_changelist")
    page = admin_client.post(changelist, {"action": "assign_default_cost_types", "_selected_action": [two["code"].pk]}).content.decode()
    assert f'value="{two["type"].pk}"' in page and f'value="{one["type"].pk}"' not in page
    admin_client.post(changelist, {"action": "assign_default_cost_types", "_selected_action": [two["code"].pk],
                                   "confirm_assign": "1", "cost_types": [one["type"].pk]})
    assert list(two["code"].default_cost_types.all()) == []
    admin = f.UserFactory(username="erpadmin")
    with pytest.raises(ValueError, match="belongs to another link"):
        cost_codes_service.cost_codes_assign_types(cost_codes=[two["code"]], cost_types=[one["type"]], actor=admin)
    with pytest.raises(ValueError, match="several links"):
        cost_codes_service.cost_codes_assign_types(cost_codes=[one["code"], two["code"]], cost_types=[two["type"]], actor=admin)
    assert m.CostItem.objects.count() == items


def test_a_csv_import_finds_cost_types_in_its_own_link_only(two_links):
    """SEC-3, WBS-4: a cost codes file imported into link 2 naming link 1's cost type M1 is refused as an
    unknown cost type; nothing is imported."""
    report = cost_codes_service.cost_codes_preview(link=two_links[2]["link"], data=b"code,description,cost_types\n11-100,Roofing,M1\n")
    assert not report.ok
    assert "unknown cost type" in report.bad_rows[0].describe().lower()


@pytest.mark.parametrize("model_name,field", [
    ("commitment", "project"), ("commitment", "vendor"), ("subcontractorinvoice", "project"),
    ("subcontractorinvoice", "vendor"), ("changeorder", "project"), ("ownerinvoice", "project"),
    ("directcost", "project"), ("jobcostsummary", "project"),
])
def test_list_filters_offer_the_chosen_links_records_only(two_links, admin_client, model_name, field):
    """SEC-3: with a link chosen in a list's filter, its project and vendor filters list that link's
    records only; without, two links' "Main Street" projects are told apart by their link."""
    one, two = two_links[1], two_links[2]
    url = reverse(f"admin:integration_{model_name}_changelist")
    page = admin_client.get(url, {"link__id__exact": two["link"].pk}).content.decode()
    assert f"{field}__id__exact={two[field].pk}" in page
    assert f"{field}__id__exact={one[field].pk}" not in page
    page = admin_client.get(url).content.decode()
    assert f"{two[field]} · Quay Construction" in page and f"{one[field]} · Harbour Builders" in page


def test_a_mapping_saved_across_links_before_the_check_is_named_and_ignored(two_links):
    """SEC-3, JC-8: a mapping already in the database that points at another link's cost item (written
    before forms checked links) is named by the system check integration.W002, and the job cost import of
    its link does not use it."""
    from django.core import checks

    from integration.services.imports.job_costs import JobCostImporter

    one, two = two_links[1], two_links[2]
    m.AccountMapping.objects.bulk_create([m.AccountMapping(link=two["link"], account_code="610", cost_item=one["item"]),
                                          m.AccountMapping(link=two["link"], account_code="620", cost_item=two["item"])])
    [warning] = [w for w in checks.run_checks() if w.id == "integration.W002"]
    assert f"Quay Construction: account 610 → {one['item'].item_code} of Harbour Builders" in warning.msg
    importer = JobCostImporter(two["link"], xero=None, procore=None, tracker=None)
    assert importer.mappings == {"620": two["item"]}


def test_linking_another_links_company_to_a_xero_contact_is_refused(two_links, admin_client):
    """SEC-3, CO-3: the "link companies" page of link 2 cannot link link 1's vendor: the posted vendor is
    looked up in link 2 only (404), and link 1's vendor keeps its Xero contact."""
    one, two = two_links[1], two_links[2]
    vendor = one["vendor"]
    m.Vendor.objects.filter(pk=vendor.pk).update(xero_id="")
    answer = admin_client.post(reverse("admin:integration_companylink_contacts", args=[two["link"].pk]),
                               {"vendor": vendor.pk, "contact_id": "00000000-0000-0000-0000-000000000001"})
    assert answer.status_code == 404
    vendor.refresh_from_db()
    assert vendor.xero_id == "" and vendor.link == one["link"]


def test_every_admin_form_relating_a_links_records_checks_the_link():
    """SEC-3: every admin of a link's records whose form can relate it to another link's records (a
    foreign key or many-to-many to them, editable by someone) uses the link-checking form, so a mapping
    or setting added later cannot skip the check."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from integration.admin.isolation import LinkScopedForm
    from integration.isolation import is_link_scoped

    request = RequestFactory().get("/")
    request.user = get_user_model()(username="root", is_superuser=True, is_staff=True, is_active=True)
    unchecked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "integration" or not is_link_scoped(model):
            continue
        relations = [fld.name for fld in model._meta.get_fields()
                     if (fld.many_to_one or fld.many_to_many) and not fld.auto_created and fld.name != "link"
                     and fld.related_model is not None and is_link_scoped(fld.related_model) and fld.editable]
        if not relations or not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue  # written by the services only: no form relates it by hand
        editable = set(relations) - set(model_admin.readonly_fields)
        if editable and not issubclass(model_admin.form, LinkScopedForm):
            unchecked.append((model.__name__, sorted(editable)))
    assert unchecked == []


def test_a_tax_code_mapping_to_another_links_tax_code_is_refused(two_links, admin_client):
    """SEC-3, BOOK-3: a tax code mapping of link 2 naming link 1's Procore tax code is refused, through
    the admin (the tax code and both links named, nothing saved) and by code alike."""
    one, two = two_links[1], two_links[2]
    foreign = m.TaxCode.objects.create(link=one["link"], procore_id=901, code="GST")
    page = _errors(admin_client.post(reverse("admin:integration_taxcodemapping_add"),
                                     {"link": two["link"].pk, "tax_code": foreign.pk, "xero_tax_type": "INPUT2"}))
    assert "belongs to link &#x27;Harbour Builders&#x27;" in page and "not to &#x27;Quay Construction&#x27;" in page
    with pytest.raises(ValidationError, match="belongs to link 'Harbour Builders'"):
        m.TaxCodeMapping.objects.create(link=two["link"], tax_code=foreign, xero_tax_type="INPUT2")
    assert not m.TaxCodeMapping.objects.exists()
