"""The pull keeps each document's currency as Procore's currency_configuration gives it (BOOK-7)."""

from __future__ import annotations

import pytest

from integration.models import Commitment, OwnerInvoice, SubcontractorInvoice, SyncRun
from integration.services.pull import pull_link

pytestmark = pytest.mark.django_db


def test_commitments_invoices_and_owner_invoices_keep_their_currency(link, company, sandboxes):
    """BOOK-7: a subcontract in Australian dollars (RestV10WorkOrderContractsPost currency_iso_code) and
    its requisition come back with currency_configuration.currency_iso_code AUD (the requisition in its
    contract's currency); the prime contract and its payment application are in the company's NZD."""
    store = sandboxes.procore.store
    store.records["work_order_contract"][company.contract["id"]]["currency_iso_code"] = "AUD"
    answer = sandboxes.procore.store.render("requisition", store.records["requisition"][company.invoice["id"]])
    assert answer["currency_configuration"]["currency_iso_code"] == "AUD"

    run = pull_link(link_id=link.pk)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert Commitment.objects.get(link=link, procore_id=company.contract["id"]).currency == "AUD"
    assert SubcontractorInvoice.objects.get(link=link, procore_id=company.invoice["id"]).currency == "AUD"
    assert OwnerInvoice.objects.get(link=link, procore_id=company.pay_app["id"]).currency == "NZD"
