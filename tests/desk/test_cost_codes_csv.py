"""WBS-4, WBS-5: cost codes and cost types from and to CSV, with a preview, all or nothing; default cost types."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integration import models as m
from integration.models import ErpStatus
from integration.services import cost_codes as svc
from integration.validation import MAX_ITEMS_PER_LINK
from tests.factories import CostCodeFactory, CostItemFactory, CostTypeFactory, LinkFactory
from tests.fixtures.integration import procore_cost_code_list

pytestmark = pytest.mark.django_db
IMPORT = "admin:integration_costcode_import_csv"
CLEAN = "code,description,cost_types\n01-100,General Conditions,L;M\n03-300,Concrete,L\n"


@pytest.fixture
def link(db, sandboxes):
    link = procore_cost_code_list(LinkFactory(name="Harbourside"), sandboxes)  # BOOK-9: the codes go to Procore too
    CostTypeFactory(link=link, code="L", name="Labor")
    CostTypeFactory(link=link, code="M", name="Materials")
    return link


def upload(client, link, text, **extra):
    return client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("codes.csv", text.encode()), **extra}, follow=True)


def test_clean_file_previews_then_imports(client, erp_admin, link):
    """WBS-4: the preview says what each row will do and saves nothing; confirming imports it, audited."""
    client.force_login(erp_admin)
    html = upload(client, link, CLEAN).content.decode()
    assert "Would import 2 cost codes: 2 new, 0 updated, 0 unchanged." in html
    assert "new; new Xero Items 01-100.L, 01-100.M" in html
    assert m.CostCode.objects.count() == 0 and m.CostItem.objects.count() == 0
    response = client.post(reverse(IMPORT), {"link": link.pk, "content": CLEAN, "filename": "codes.csv", "_confirm": "1"}, follow=True)
    assert "Imported 2 cost codes: 2 new, 0 updated, 0 unchanged." in response.content.decode()
    assert sorted(m.CostCode.objects.values_list("code", "name")) == [("01-100", "General Conditions"), ("03-300", "Concrete")]
    items = dict(m.CostItem.objects.values_list("item_code", "description"))
    assert items == {"01-100.L": "General Conditions - Labor", "01-100.M": "General Conditions - Materials", "03-300.L": "Concrete - Labor"}
    assert set(m.CostItem.objects.values_list("erp_status", flat=True)) == {ErpStatus.NOT_SENT}
    event = m.AuditEvent.objects.get(action="cost_codes_import")
    assert event.actor == erp_admin and "Imported 2 cost codes" in event.message


def test_one_bad_row_imports_nothing_and_names_every_bad_row(client, erp_admin, link):
    """WBS-4, REL-6: code over 30 characters as an Item code, missing description, unknown cost type,
    duplicate code: nothing is imported and each bad row is named with why."""
    CostCodeFactory(link=link, code="01-100", name="Old name")
    before = list(m.CostCode.objects.values_list("code", "name"))
    text = ("code,description,cost_types\n"
            "01-100,General Conditions,L\n"
            "02-" + "9" * 26 + ",Long code,L\n"
            "03-300,,L\n"
            "04-400,Masonry,X\n"
            "01-100,Again,M\n")
    client.force_login(erp_admin)
    for extra in ({}, {"_confirm": "1"}):
        html = upload(client, link, text, **extra).content.decode()
        assert "Nothing was imported: 4 of 5 rows are bad." in html
        assert f"the Xero Item code &#x27;02-{'9' * 26}.L&#x27; is 31 characters; Xero allows 30" in html
        assert "the description is missing" in html
        assert "unknown cost type &#x27;X&#x27;" in html
        assert "duplicate code &#x27;01-100&#x27; (also on row 2)" in html
        assert "Confirm the import" not in html
    assert list(m.CostCode.objects.values_list("code", "name")) == before
    assert not m.AuditEvent.objects.filter(action="cost_codes_import").exists()


def test_more_than_4000_items_imports_nothing(link, erp_admin):
    """WBS-2, WBS-4: rows whose Items would pass 4000 on the link are bad, and nothing is imported."""
    lab = m.CostType.objects.get(link=link, code="L")
    codes = m.CostCode.objects.bulk_create([m.CostCode(link=link, code=f"X{i:04d}", name="x") for i in range(MAX_ITEMS_PER_LINK - 1)])
    m.CostItem.objects.bulk_create([m.CostItem(link=link, cost_code=c, cost_type=lab, item_code=f"{c.code}.L", description="x") for c in codes])
    report = svc.cost_codes_import(link=link, data="code,description,cost_types\nA-1,One,L\nA-2,Two,L\n", actor=erp_admin)
    assert not report.imported and [r.number for r in report.bad_rows] == [3]
    assert "would make 4001 cost code items on this link; Xero allows 4000" in report.bad_rows[0].errors[0]
    assert not m.CostCode.objects.filter(code__startswith="A-").exists()


def test_unreadable_files_are_refused_with_a_reason(client, erp_admin, link):
    """REL-6: a file without the columns, an empty file or one that is not UTF-8 changes nothing."""
    client.force_login(erp_admin)
    assert "The file has no column description" in upload(client, link, "code,name\n1,x\n").content.decode()
    assert "has a header but no row" in upload(client, link, "code,description\n").content.decode()
    response = client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("c.csv", "code,description\n1,Caf\xe9\n".encode("latin-1"))}, follow=True)
    assert "is not UTF-8 text" in response.content.decode()
    assert m.CostCode.objects.count() == 0


def test_export_round_trips(client, erp_admin, link, sandboxes):
    """WBS-4: the export imports back unchanged, and into a new link it recreates the same list."""
    svc.cost_codes_import(link=link, data=CLEAN, actor=erp_admin)
    client.force_login(erp_admin)
    response = client.get(reverse("admin:integration_costcode_export_csv") + f"?link={link.pk}")
    exported = response.content.decode()
    assert exported.splitlines() == ["code,description,cost_types", "01-100,General Conditions,L;M", "03-300,Concrete,L"]
    again = svc.cost_codes_preview(link=link, data=exported)
    assert again.ok and [r.action for r in again.rows] == ["unchanged", "unchanged"]
    types = client.get(reverse("admin:integration_costtype_export_csv") + f"?link={link.pk}").content.decode()
    assert types.splitlines() == ["code,name,base_type,active", "L,Labor,,1", "M,Materials,,1"]
    new_link = procore_cost_code_list(LinkFactory(), sandboxes)
    assert svc.cost_types_import(link=new_link, data=types, actor=erp_admin).imported
    assert svc.cost_codes_import(link=new_link, data=exported, actor=erp_admin).imported
    assert svc.cost_codes_export(link=new_link) == svc.cost_codes_export(link=link)


def test_changed_description_updates_synced_items(erp_admin, link):
    """WBS-3, WBS-4: a new description on a synced Item sends it back for approval (ready to update)."""
    svc.cost_codes_import(link=link, data=CLEAN, actor=erp_admin)
    m.CostItem.objects.filter(item_code="03-300.L").update(erp_status=ErpStatus.SYNCED, xero_id="z" * 36)
    report = svc.cost_codes_import(link=link, data=CLEAN.replace("Concrete", "Cast-in-place concrete"), actor=erp_admin)
    assert [r.action for r in report.rows] == ["unchanged", "update"]
    item = m.CostItem.objects.get(item_code="03-300.L")
    assert item.description == "Cast-in-place concrete - Labor" and item.erp_status == ErpStatus.READY_TO_UPDATE


def test_cost_types_csv_bad_rows(erp_admin, link):
    """WBS-4: cost types too: missing name, duplicate code, bad active flag; nothing imported."""
    report = svc.cost_types_import(link=link, data="code,name,base_type,active\nS,Subcontract,,1\nE,,,1\nS,Again,,1\nQ,Equip,,maybe\n", actor=erp_admin)
    assert not report.imported
    assert [r.describe() for r in report.bad_rows] == [
        "Row 3 (E): the name is missing",
        "Row 4 (S): duplicate code 'S' (also on row 2)",
        "Row 5 (Q): active is 'maybe'; use 1 or 0 (or true/false)",
    ]
    assert not m.CostType.objects.filter(code="S").exists()


def test_pm_cannot_import(client, pm, link):
    """WBS-4: importing needs the permission to change cost codes."""
    client.force_login(pm)
    assert client.get(reverse(IMPORT)).status_code == 403


def test_assign_default_cost_types(client, erp_admin, link):
    """WBS-5: the action gives cost codes default cost types and creates the new cost items."""
    concrete = CostCodeFactory(link=link, code="03-300", name="Concrete")
    steel = CostCodeFactory(link=link, code="05-100", name="Steel")
    lab, mat = m.CostType.objects.get(link=link, code="L"), m.CostType.objects.get(link=link, code="M")
    CostItemFactory(link=link, cost_code=concrete, cost_type=lab, item_code="03-300.L")
    client.force_login(erp_admin)
    url = reverse("admin:integration_costcode_changelist")
    page = client.post(url, {"action": "assign_default_cost_types", "_selected_action": [concrete.pk, steel.pk]})
    assert page.status_code == 200 and b"Assign default cost types to 2 cost codes" in page.content
    response = client.post(url, {"action": "assign_default_cost_types", "_selected_action": [concrete.pk, steel.pk],
                                 "confirm_assign": "yes", "cost_types": [lab.pk, mat.pk]}, follow=True)
    assert "new cost items: 03-300.M, 05-100.L, 05-100.M" in response.content.decode()
    assert set(concrete.default_cost_types.values_list("code", flat=True)) == {"L", "M"}
    assert m.CostItem.objects.filter(link=link).count() == 4
    listing = client.get(url).content.decode()
    assert "L;M" in listing
