"""Hostile CSV files for the cost code import (WBS-4, REL-6, issue 9 item 4): wrong encodings, extra
columns, formulas, 10,000 rows, a bad row at the very end. Each imports nothing and says why; the
export neutralises formula-looking cells (CSV injection) and still imports back unchanged."""

from __future__ import annotations

import codecs
import csv
import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from integration import models as m
from integration.roles import ERP_ADMIN
from integration.services import cost_codes as svc
from tests.factories import CostCodeFactory, CostTypeFactory, LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
IMPORT = "admin:integration_costcode_import_csv"


@pytest.fixture
def link(db):
    link = LinkFactory(name="Hostile Builders")
    CostTypeFactory(link=link, code="L", name="Labor")
    return link


@pytest.fixture
def admin_user(db):
    return UserFactory(username="csv-admin", role=ERP_ADMIN)


def nothing_changed():
    return m.CostCode.objects.count() == 0 and m.CostItem.objects.count() == 0 and \
        not m.AuditEvent.objects.filter(action="cost_codes_import").exists()


def refused(link, user, data: bytes) -> str:
    """The reason the import gives; both the preview and the import refuse, nothing is saved."""
    for call in (lambda: svc.cost_codes_preview(link=link, data=data),
                 lambda: svc.cost_codes_import(link=link, data=data, actor=user, filename="x.csv")):
        try:
            report = call()
        except svc.ImportRefused as exc:
            reason = str(exc)
        else:
            assert not report.ok and not report.imported
            reason = report.summary() + " " + " ".join(r.describe() for r in report.bad_rows)
        assert nothing_changed()
    return reason


@pytest.mark.parametrize("data, says", [
    (codecs.BOM_UTF16_LE + "code,description\n01-100,Béton armé\n".encode("utf-16-le"), "UTF-16"),
    ("code,description\n01-100,Concrete\n".encode("utf-16-be"), "UTF-16"),  # no BOM: NUL bytes
    ("code,description\n01-100,Béton armé\n".encode("latin-1"), "not UTF-8"),
    (bytes(random.Random(9).randrange(256) for _ in range(4096)), "UTF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "UTF"),
    (b"code,description,colour\n01-100,Concrete,red\n", "Unknown column colour"),
    (b"code,description\n01-100,Concrete,extra\n", "Line 2 has more values"),
    (b"", "empty"),
    (b"code,description\n", "no row"),
], ids=["utf16-bom", "utf16-no-bom", "latin1", "random-bytes", "png", "extra-column", "extra-value", "empty", "header-only"])
def test_unreadable_or_misshapen_files_import_nothing(link, admin_user, data, says):
    """REL-6, WBS-4: wrong encodings, binary junk, extra columns or values: refused with the reason."""
    assert says in refused(link, admin_user, data)


@pytest.mark.parametrize("cell", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://evil","x")'])
def test_formulas_are_refused(link, admin_user, cell):
    """WBS-4, REL-6, SEC-2: CSV injection: a cell a spreadsheet would run is refused (line and column named),
    nothing imported."""
    out = io.StringIO()
    csv.writer(out).writerows([["code", "description", "cost_types"], ["01-100", "Concrete", "L"], ["02-200", cell, "L"]])
    reason = refused(link, admin_user, out.getvalue().encode())
    assert "Line 3, column description" in reason and "formula" in reason


def test_ten_thousand_rows_with_a_bad_row_at_the_very_end(link, admin_user):
    """WBS-4: 10,000 good rows and one bad last row: nothing imported, the last line is named."""
    rows = "".join(f"{n:05d},Cost code {n}\n" for n in range(10_000))
    reason = refused(link, admin_user, f"code,description\n{rows}99999,\n".encode())
    assert "row 10002" in reason.lower() or "10002" in reason
    assert "description is missing" in reason


def test_ten_thousand_rows_over_the_item_limit(link, admin_user):
    """WBS-2: 10,000 cost codes each with a cost type would be 10,000 Xero Items: refused, nothing imported."""
    rows = "".join(f"{n:05d},Cost code {n},L\n" for n in range(10_000))
    reason = refused(link, admin_user, f"code,description,cost_types\n{rows}".encode())
    assert "4000" in reason


def test_the_admin_says_why_and_saves_nothing(link, admin_user):
    """REL-6: through the upload page, a UTF-16 file gives the reason on the page, nothing saved."""
    client = Client()
    client.force_login(admin_user)
    data = "code,description\n01-100,Concrete\n".encode("utf-16")
    for extra in ({}, {"_confirm": "1"}):
        page = client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("c.csv", data), **extra}, follow=True)
        assert page.status_code == 200 and "Nothing was imported: The file is UTF-16" in page.content.decode()
    assert nothing_changed()


def test_the_export_neutralises_formulas_and_imports_back_unchanged(link, admin_user):
    """WBS-4, SEC-2: CSV injection: a cost code whose description came from elsewhere (Procore) and looks like
    a formula is exported with a leading apostrophe; importing that export changes nothing."""
    CostCodeFactory(link=link, code="01-100", name="=cmd|' /C calc'!A0")
    CostCodeFactory(link=link, code="02-200", name="-Misc")
    CostCodeFactory(link=link, code="03-300", name="Concrete")
    exported = svc.cost_codes_export(link=link)
    cells = [c for row in csv.reader(io.StringIO(exported)) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'-Misc" in cells and "Concrete" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    report = svc.cost_codes_import(link=link, data=exported.encode(), actor=admin_user)
    assert report.ok and report.count("unchanged") == 3
    assert sorted(m.CostCode.objects.values_list("name", flat=True)) == ["-Misc", "=cmd|' /C calc'!A0", "Concrete"]


def test_report_csv_neutralises_formulas_but_keeps_numbers(admin_user):
    """RPT-2, SEC-2: CSV injection in the reports: a vendor named like a formula is neutralised; amounts stay
    numbers."""
    from tests.factories import VendorFactory

    link = LinkFactory()
    VendorFactory(link=link, name="=HYPERLINK(\"http://evil\")", archived_in_erp=True)
    client = Client()
    client.force_login(UserFactory(username="rpt", is_superuser=True))
    body = client.get(reverse("desk:report_archived_companies") + "?format=csv").content.decode()
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    from integration.csv_safety import csv_safe

    assert csv_safe("-120.50") == "-120.50" and csv_safe("-x") == "'-x" and csv_safe(12) == 12
