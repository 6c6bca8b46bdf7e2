"""Cost codes stay Procore's (BOOK-9): a cost code imported from CSV is created in Procore's standard
cost code list in the same import, survives the next pull, and a cost code Procore no longer lists
keeps its items and their documents out of Xero with the reason shown."""

from __future__ import annotations

import pytest

from integration.models import CostCode, CostItem, CostType, ErpStatus, SubcontractorInvoice
from integration.selectors import validate_record
from integration.services import cost_codes as svc
from integration.services.pull import pull_link
from integration.services.queue import ValidationRefused, record_accept
from tests.factories import UserFactory
from tests.pull.conftest import later, mark_in_xero

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp_admin(db):
    from integration.roles import ERP_ADMIN

    return UserFactory(username="erpadmin", role=ERP_ADMIN)


def _pulled(link, sandboxes):
    run = pull_link(link_id=link.pk)
    link.refresh_from_db()
    return run


def _procore_codes(sandboxes, list_id) -> dict[str, str]:
    return {r["code"]: r["name"] for r in sandboxes.procore.store.records["standard_cost_code"].values()
            if r["standard_cost_code_list_id"] == list_id}


def test_a_csv_cost_code_is_created_in_procore_and_survives_the_next_pull(link, company, sandboxes, erp_admin):
    """BOOK-9, WBS-4: a cost code imported from CSV is in Procore's standard cost code list after the
    import (with the id the connector keeps), and the next pull leaves it active with its cost item;
    a renamed code is renamed in Procore too."""
    _pulled(link, sandboxes)
    report = svc.cost_codes_import(link=link, data="code,description,cost_types\n09-900,Painting,L\n", actor=erp_admin)
    assert report.imported, [r.describe() for r in report.rows]
    code = CostCode.objects.get(link=link, code="09-900")
    assert _procore_codes(sandboxes, company.std_list["id"])["09-900"] == "Painting"
    assert code.procore_id == next(r["id"] for r in sandboxes.procore.store.records["standard_cost_code"].values()
                                   if r["code"] == "09-900")

    later(sandboxes)
    run = _pulled(link, sandboxes)
    code.refresh_from_db()
    assert code.active, run.counts
    assert run.counts.get("costcode", {}).get("removed", 0) == 0
    assert CostItem.objects.filter(cost_code=code, cost_type__code="L").exists()

    report = svc.cost_codes_import(link=link, data="code,description,cost_types\n09-900,Painting and coating,L\n",
                                   actor=erp_admin)
    assert report.imported
    assert _procore_codes(sandboxes, company.std_list["id"])["09-900"] == "Painting and coating"


def test_procore_refusing_a_cost_code_imports_nothing_and_names_the_reason(link, company, sandboxes, erp_admin):
    """BOOK-9: a file whose code Procore refuses (03-300 exists in Procore's list, not yet pulled here)
    imports nothing, not even its good row, and the refused row names Procore's reason."""
    CostType.objects.create(link=link, code="L", name="Labor")
    report = svc.cost_codes_import(link=link, data="code,description,cost_types\n09-900,Painting,L\n03-300,Concrete,L\n",
                                   actor=erp_admin)
    assert not report.imported and not report.ok
    [bad] = report.bad_rows
    assert bad.code == "03-300" and "Procore refused it: code has already been taken" in bad.describe()
    assert "Nothing was imported" in report.summary()
    assert not CostCode.objects.filter(link=link).exists()


def test_a_csv_import_without_procore_imports_nothing_and_says_why(erp_admin):
    """BOOK-9: a link with no Procore connection cannot take a cost code Procore would not have: every
    row names the reason and nothing is saved."""
    from tests.factories import CostTypeFactory, LinkFactory

    link = LinkFactory(name="Unconnected")
    CostTypeFactory(link=link, code="L", name="Labor")
    report = svc.cost_codes_import(link=link, data="code,description,cost_types\n09-900,Painting,L\n", actor=erp_admin)
    assert not report.imported
    assert "Procore is not connected" in report.rows[0].describe()
    assert not CostCode.objects.filter(link=link).exists()


def test_an_inactive_cost_code_blocks_its_item_and_its_invoice_with_the_reason(link, company, sandboxes):
    """BOOK-9: a cost code removed from Procore's standard list is made inactive by the pull; its cost
    item and an invoice with a line on it fail their export checks naming the cost code, and the
    invoice cannot be accepted."""
    _pulled(link, sandboxes)
    mark_in_xero(link)
    invoice = SubcontractorInvoice.objects.get(link=link)
    sandboxes.procore.delete_record("standard_cost_code", company.std["id"])
    later(sandboxes)
    _pulled(link, sandboxes)
    code = CostCode.objects.get(link=link, code="03-300")
    assert not code.active

    item = CostItem.objects.get(cost_code=code)
    assert any("Cost code 03-300 is inactive in Procore" in str(f) for f in validate_record(item))
    invoice.refresh_from_db()
    failures = [str(f) for f in validate_record(invoice)]
    assert any("Cost code 03-300 is inactive in Procore" in f for f in failures), failures
    SubcontractorInvoice.objects.filter(pk=invoice.pk).update(erp_status=ErpStatus.READY_TO_EXPORT)
    invoice.refresh_from_db()
    with pytest.raises(ValidationRefused, match="inactive in Procore"):
        record_accept(record=invoice, actor="system: test")
