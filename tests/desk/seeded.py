"""A month of the demo's builder, played in-process on the sandboxes, for tests that look at every page.

The demo's own steps (`manage.py demo`) run on the `sandboxes`/`link` fixtures: Procore seeded as a user
would, everything valid sent, accepted and exported, the accountant's month in Xero (payments, spend
money, a credit note, bills entered in Xero), payments and job costs imported, one bill voided in Xero and
a reconcile. Then the records a desk shows only when something went wrong or was set up by hand: a
rejected and a failed record, a failed run with its errors, a tax code with its mapping, an account
mapping and a webhook delivery.
"""

from __future__ import annotations

import io

from django.utils import timezone

from integration.demo_seed import seed_procore
from integration.management.commands.demo import Command
from integration.models import (
    AccountMapping,
    CostItem,
    ErpStatus,
    SubcontractorInvoice,
    SyncRun,
    TaxCode,
    TaxCodeMapping,
    WebhookEvent,
)
from integration.services import queue
from integration.services.connections import xero_client_for
from integration.services.reconcile import reconcile_link


def seed_month(link, sandboxes, *, admin, approver, pm):
    seeded = seed_procore(sandboxes.procore)
    link.payment_cutoff, link.project_stage_name = seeded.period[0], "Send to Xero"
    link.save(update_fields=["payment_cutoff", "project_stage_name"])
    demo = Command(stdout=io.StringIO())
    demo.play(link, {"admin": admin, "pm": pm, "approver": approver}, seeded)
    demo.accountant(link, seeded)
    demo.imports(link, admin)

    invoices = SubcontractorInvoice.objects.filter(link=link).exclude(xero_id="").order_by("procore_id")
    voided = invoices.last()
    xero_client_for(link).update_invoices([{"InvoiceID": voided.xero_id, "Status": "VOIDED"}], idempotency_key="seed-void")
    reconcile_link(link_id=link.pk, actor=admin)

    waiting = SubcontractorInvoice.objects.filter(link=link, erp_status=ErpStatus.READY_TO_EXPORT).order_by("pk")
    if waiting.exists():
        queue.record_reject(record=waiting.first(), actor=approver, reason="The retainage is wrong; please re-issue.")
    failed = invoices.first()
    SubcontractorInvoice.objects.filter(pk=failed.pk).update(
        erp_status=ErpStatus.FAILED, erp_message="Xero refused the bill: Account code '999' is not a valid code.")
    SyncRun.objects.create(link=link, kind=SyncRun.Kind.EXPORT, status=SyncRun.Status.FAILED, finished_at=timezone.now(),
                           counts={"created": 1, "failed": 1}, triggered_by=approver,
                           errors=[{"model": "subcontractorinvoice", "id": failed.pk, "label": str(failed),
                                    "message": "Xero refused the bill: Account code '999' is not a valid code."}])
    tax = TaxCode.objects.create(link=link, procore_id=7001, code="GST", description="GST 15%", rate="15.0000")
    TaxCodeMapping.objects.create(link=link, tax_code=tax, xero_tax_type="INPUT2")
    AccountMapping.objects.create(link=link, account_code="310", cost_item=CostItem.objects.filter(link=link).first())
    WebhookEvent.objects.create(source="procore", event_key="requisitions.update.5000001188",
                                payload={"resource_name": "Requisitions", "event_type": "update"})
    return seeded
