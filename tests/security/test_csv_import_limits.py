"""WBS-4, REL-6: the CSV import's limits agree. One documented size limit (CSV_IMPORT_MAX_BYTES, 5 MB)
is counted while the upload streams in; Django's own request limits follow it, so a file that
previews can be confirmed; a cell too long for a CSV reader is refused with its line and column."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from integration import models as m
from integration.admin.cost_codes import CsvUploadLimit
from integration.roles import ERP_ADMIN
from tests.factories import LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
IMPORT = "admin:integration_costtype_import_csv"


@pytest.fixture
def client(db):
    client = Client()
    client.force_login(UserFactory(username="erpadmin", role=ERP_ADMIN))
    return client


def _big_file(size: int) -> str:
    """A valid cost types file of about `size` bytes: 100 rows, each name padded with spaces (stripped
    on import), every cell well under the cell limit."""
    header = "code,name,base_type,active\n"
    pad = " " * ((size - len(header)) // 100 - 30)
    return header + "".join(f"T{n:03},{pad}Type {n},Labor,1\n" for n in range(100))


def test_a_3_45_mb_file_that_previews_is_imported(client):
    """WBS-4, REL-6: a 3.45 MB file (under the documented 5 MB) previews, and confirming it, with the
    file sent back as the page sends it (every line break as CRLF), imports it: Django's request limit
    no longer answers 400 on the confirmation."""
    assert settings.CSV_IMPORT_MAX_BYTES == 5 * 1024 * 1024
    link = LinkFactory()
    text = _big_file(int(3.45 * 1024 * 1024))
    assert 3.4 * 1024 * 1024 < len(text.encode()) <= 3.45 * 1024 * 1024
    preview = client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("types.csv", text.encode())})
    assert preview.status_code == 200
    assert "Would import 100 cost types: 100 new" in preview.content.decode()
    assert not m.CostType.objects.exists()
    sent_back = preview.context["content"].replace("\n", "\r\n")
    confirm = client.post(reverse(IMPORT), {"link": link.pk, "content": sent_back, "filename": "types.csv", "_confirm": "1"})
    assert confirm.status_code == 302
    assert m.CostType.objects.filter(link=link).count() == 100
    assert m.CostType.objects.get(code="T007").name == "Type 7"


@override_settings(CSV_IMPORT_MAX_BYTES=64 * 1024)
def test_a_file_over_the_limit_is_refused_while_it_streams(client):
    """WBS-4, REL-6: a file past CSV_IMPORT_MAX_BYTES is refused with the file and the limit named, and
    nothing is imported; the same holds for a file posted straight to the confirmation."""
    link = LinkFactory()
    text = _big_file(200 * 1024)
    answer = client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("huge.csv", text.encode())})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Nothing was imported: huge.csv is larger than 65,536 bytes" in page
    answer = client.post(reverse(IMPORT), {"link": link.pk, "content": text, "filename": "huge.csv", "_confirm": "1"})
    assert "at most 65,536 (0.0625 MB) are accepted" in answer.content.decode()
    assert not m.CostType.objects.exists()


def test_the_upload_handler_passes_on_no_more_than_the_limit():
    """REL-6: the handler counts chunks as they arrive and drops the file at the first chunk past the
    limit, so what the next handlers held never exceeds the limit."""
    with override_settings(CSV_IMPORT_MAX_BYTES=10_000):
        handler = CsvUploadLimit(RequestFactory().post("/"))
    handler.new_file("file", "huge.csv", "text/csv", None)
    passed = 0
    with pytest.raises(SkipFile):
        for start in range(0, 1_000_000, 4096):
            passed += len(handler.receive_data_chunk(b"x" * 4096, start))
    assert passed <= 10_000 and handler.too_big == "huge.csv"


def test_a_cell_over_the_csv_field_limit_is_refused_with_its_line_and_column(client):
    """WBS-4, REL-6: a name of 200,000 characters (past the csv module's 131,072 field limit) is refused
    naming line 3 and column name; no 500, nothing imported."""
    link = LinkFactory()
    text = "code,name,base_type,active\nL,Labor,Labor,1\nM," + "x" * 200_000 + ",Material,1\n"
    answer = client.post(reverse(IMPORT), {"link": link.pk, "file": SimpleUploadedFile("types.csv", text.encode())})
    assert answer.status_code == 200
    assert "Line 3, column name: the cell is 200,000 characters; at most 131,072 are accepted." in answer.content.decode()
    assert not m.CostType.objects.exists()
