"""Searching the subcontractor invoice queue (PERF-8): the same matches as Django's search (invoice number,
vendor name, commitment number, every word), found through indexes rather than a scan of the queue."""

import pytest
from django.db import connection
from django.urls import reverse

from integration.models import ErpStatus
from tests.factories import CommitmentFactory, LinkFactory, SubcontractorInvoiceFactory, VendorFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:integration_subcontractorinvoice_changelist"


def found(client, term: str) -> set[str]:
    html = client.get(reverse(CHANGELIST), {"q": term, "tab": "all"}).content.decode()
    return {n for n in ("KC-1001", "KC-1002", "TS-2001") if n in html}


def test_search_finds_by_invoice_number_vendor_and_commitment(client, approver):
    """PERF-8, SYNC-3: an approver searching the queue finds an invoice by part of its number, by its
    vendor's name or its commitment's number, and with two words only what matches both."""
    link = LinkFactory()
    kauri, totara = VendorFactory(link=link, name="Kauri Concrete"), VendorFactory(link=link, name="Totara Steel")
    slab = CommitmentFactory(link=link, vendor=kauri, number="SC-SLAB", lines=0)
    frame = CommitmentFactory(link=link, vendor=totara, number="SC-FRAME", project=slab.project, lines=0)
    for number, commitment in (("KC-1001", slab), ("KC-1002", slab), ("TS-2001", frame)):
        SubcontractorInvoiceFactory(link=link, commitment=commitment, invoice_number=number, erp_status=ErpStatus.READY_TO_EXPORT)
    client.force_login(approver)
    assert found(client, "kc-100") == {"KC-1001", "KC-1002"}
    assert found(client, "2001") == {"TS-2001"}
    assert found(client, "totara") == {"TS-2001"}
    assert found(client, "sc-slab") == {"KC-1001", "KC-1002"}
    assert found(client, "kauri 1002") == {"KC-1002"}
    assert found(client, "nothing-like-it") == set()


def test_the_invoice_number_search_has_its_index(approver):
    """PERF-8: on PostgreSQL the invoice number is searched through a trigram index (the admin's
    UPPER(...) LIKE "%term%" can use no other kind); the queue benchmark times it at 100,000 invoices."""
    if connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'subinv_number_trgm'")
        [(definition,)] = cursor.fetchall()
    assert "gin" in definition and "gin_trgm_ops" in definition and "upper" in definition.lower()
