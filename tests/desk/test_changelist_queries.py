"""PERF-3: every changelist of the connector runs the same number of SQL queries with 10 rows and
with 1,000 rows (each row with its own related records, so a query per row would show)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration import models as m
from integration.models import ErpStatus
from tests.factories import LinkFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 31)


class Rows:
    """Builds n rows of one model in bulk, each pointing at its own related records."""

    def __init__(self):
        self.link = LinkFactory()
        self.n = 0

    def _seq(self, count):
        start, self.n = self.n, self.n + count
        return range(start, start + count)

    def projects(self, count):
        return m.Project.objects.bulk_create([m.Project(link=self.link, procore_id=i + 1, name=f"P{i}", project_number=f"J{i}",
                                                        erp_status=ErpStatus.SYNCED, xero_id=f"p{i}") for i in self._seq(count)])

    def vendors(self, count):
        return m.Vendor.objects.bulk_create([m.Vendor(link=self.link, procore_id=i + 1, name=f"V{i}", xero_id=f"v{i}",
                                                      erp_status=ErpStatus.SYNCED) for i in self._seq(count)])

    def cost_types(self, count):
        return m.CostType.objects.bulk_create([m.CostType(link=self.link, code=f"T{i}", name="Labor") for i in self._seq(count)])

    def cost_codes(self, count):
        codes = m.CostCode.objects.bulk_create([m.CostCode(link=self.link, code=f"C{i}", name="Code") for i in self._seq(count)])
        types = self.cost_types(count)
        for code, kind in zip(codes, types, strict=True):
            code.default_cost_types.add(kind)
        return codes

    def cost_items(self, count):
        codes = m.CostCode.objects.bulk_create([m.CostCode(link=self.link, code=f"C{i}", name="Code") for i in self._seq(count)])
        types = self.cost_types(count)
        return m.CostItem.objects.bulk_create([m.CostItem(link=self.link, cost_code=c, cost_type=t, item_code=f"{c.code}.{t.code}",
                                                          description="x", erp_status=ErpStatus.READY_TO_EXPORT)
                                               for c, t in zip(codes, types, strict=True)])

    def commitments(self, count):
        projects, vendors = self.projects(count), self.vendors(count)
        return m.Commitment.objects.bulk_create([m.Commitment(link=self.link, project=p, vendor=v, number=f"SC{i}", status="Approved",
                                                              procore_id=i + 1, erp_status=ErpStatus.SYNCED, xero_id=f"c{i}")
                                                 for i, p, v in zip(self._seq(count), projects, vendors, strict=True)])

    def change_orders(self, count):
        return m.ChangeOrder.objects.bulk_create([m.ChangeOrder(link=self.link, commitment=c, project_id=c.project_id, number=f"{i}",
                                                                status="approved", procore_id=i + 1, erp_status=ErpStatus.FAILED,
                                                                erp_message="no")
                                                  for i, c in zip(self._seq(count), self.commitments(count), strict=True)])

    def subcontractor_invoices(self, count):
        return m.SubcontractorInvoice.objects.bulk_create([
            m.SubcontractorInvoice(link=self.link, project_id=c.project_id, vendor_id=c.vendor_id, commitment=c, invoice_number=f"I{i}",
                                   status="approved", billing_date=TODAY, procore_id=i + 1, erp_status=ErpStatus.READY_TO_EXPORT,
                                   erp_status_changed_at=timezone.now())
            for i, c in zip(self._seq(count), self.commitments(count), strict=True)])

    def prime_contracts(self, count):
        return m.PrimeContract.objects.bulk_create([m.PrimeContract(link=self.link, project=p, owner=v, number=f"PC{i}", procore_id=i + 1)
                                                    for i, p, v in zip(self._seq(count), self.projects(count), self.vendors(count), strict=True)])

    def owner_invoices(self, count):
        return m.OwnerInvoice.objects.bulk_create([
            m.OwnerInvoice(link=self.link, prime_contract=pc, project_id=pc.project_id, invoice_number=f"O{i}", status="approved",
                           procore_id=i + 1, erp_status=ErpStatus.SYNCED, xero_id=f"o{i}")
            for i, pc in zip(self._seq(count), self.prime_contracts(count), strict=True)])

    def company_links(self, count):
        return m.CompanyLink.objects.bulk_create([m.CompanyLink(name=f"L{i}") for i in self._seq(count)])

    def connections(self, count):
        return m.Connection.objects.bulk_create([m.Connection(link=link, provider="xero") for link in self.company_links(count)])

    def account_mappings(self, count):
        return m.AccountMapping.objects.bulk_create([m.AccountMapping(link=self.link, account_code=f"{i}", cost_item=ci)
                                                     for i, ci in zip(self._seq(count), self.cost_items(count), strict=True)])

    def tax_codes(self, count):
        return m.TaxCode.objects.bulk_create([m.TaxCode(link=self.link, procore_id=i, code=f"T{i}") for i in self._seq(count)])

    def tax_code_mappings(self, count):
        return m.TaxCodeMapping.objects.bulk_create([m.TaxCodeMapping(link=self.link, tax_code=tc, xero_tax_type="INPUT2")
                                                     for tc in self.tax_codes(count)])

    def commitment_credits(self, count):
        invoices = self.subcontractor_invoices(count)
        items = self.cost_items(count)
        return m.CommitmentCredit.objects.bulk_create([
            m.CommitmentCredit(link=self.link, xero_credit_note_id=f"cn{i}", credit_note_number=f"CN-{i}",
                               subcontractor_invoice=inv, project_id=inv.project_id, cost_item=ci, date=TODAY,
                               amount=Decimal("-1.00"))
            for i, inv, ci in zip(self._seq(count), invoices, items, strict=True)])

    def payments(self, count):
        invoices = self.subcontractor_invoices(count)
        return m.Payment.objects.bulk_create([
            m.Payment(link=self.link, xero_payment_id=f"x{i}", commitment_id=inv.commitment_id, subcontractor_invoice=inv,
                      amount=Decimal("1.00"), date=TODAY) for i, inv in zip(self._seq(count), invoices, strict=True)])

    def direct_costs(self, count):
        return m.DirectCost.objects.bulk_create([
            m.DirectCost(link=self.link, project=p, xero_document_id=f"d{i}", xero_document_type="ACCPAY", direct_cost_type="invoice",
                         date=TODAY, amount=Decimal("1.00")) for i, p in zip(self._seq(count), self.projects(count), strict=True)])

    def job_cost_summaries(self, count):
        return m.JobCostSummary.objects.bulk_create([
            m.JobCostSummary(link=self.link, project=p, cost_item=ci)
            for p, ci in zip(self.projects(count), self.cost_items(count), strict=True)])

    def audit_events(self, count):
        return m.AuditEvent.objects.bulk_create([m.AuditEvent(link=self.link, actor_name="a", action="accept", record_label=f"r{i}")
                                                 for i in self._seq(count)])

    def sync_runs(self, count):
        return m.SyncRun.objects.bulk_create([m.SyncRun(link=self.link, kind="export", counts={"read": i}, errors=[{"model": "x", "id": i}])
                                              for i in self._seq(count)])

    def unsyncable_transactions(self, count):
        return m.UnsyncableTransaction.objects.bulk_create([
            m.UnsyncableTransaction(link=self.link, xero_document_id=f"u{i}", document_type="SPEND", reason="No project")
            for i in self._seq(count)])

    def webhook_events(self, count):
        return m.WebhookEvent.objects.bulk_create([m.WebhookEvent(source="xero", event_key=f"e{i}") for i in self._seq(count)])


BUILDERS = {
    "project": "projects", "vendor": "vendors", "costitem": "cost_items", "commitment": "commitments",
    "changeorder": "change_orders", "subcontractorinvoice": "subcontractor_invoices", "ownerinvoice": "owner_invoices",
    "companylink": "company_links", "connection": "connections", "accountmapping": "account_mappings",
    "costcode": "cost_codes", "costtype": "cost_types", "primecontract": "prime_contracts", "payment": "payments",
    "directcost": "direct_costs", "jobcostsummary": "job_cost_summaries", "auditevent": "audit_events",
    "syncrun": "sync_runs", "unsyncabletransaction": "unsyncable_transactions", "webhookevent": "webhook_events",
    "taxcode": "tax_codes", "taxcodemapping": "tax_code_mappings", "commitmentcredit": "commitment_credits",
}


def test_every_registered_changelist_is_covered():
    """PERF-3: no changelist of the connector escapes the query-count test."""
    registered = {model._meta.model_name for model in admin.site._registry if model._meta.app_label == "integration"}
    assert registered == set(BUILDERS)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


QUEUES = {model._meta.model_name for model in m.EXPORTABLE_MODELS}


@pytest.mark.parametrize("model_name", sorted(BUILDERS))
def test_changelist_queries_are_the_same_at_10_and_1000_rows(client, model_name):
    """PERF-3: a changelist's queries do not grow with its rows. A queue is counted on its All tab, so
    every row built is on the page whatever its status (its default tab shows only those awaiting a
    decision)."""
    client.force_login(UserFactory(username="root", is_superuser=True))
    rows = Rows()
    build = getattr(rows, BUILDERS[model_name])
    url = reverse(f"admin:integration_{model_name}_changelist") + ("?tab=all" if model_name in QUEUES else "")
    build(10)
    at_10 = queries(client, url)
    build(990)
    at_1000 = queries(client, url)
    assert at_1000 == at_10, f"{model_name}: {at_10} queries with 10 rows, {at_1000} with 1000"
