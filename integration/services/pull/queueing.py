"""After a pull: the records that qualify in Procore enter the Xero queue (SYNC-2)."""

from __future__ import annotations

from django.db import DatabaseError, models

from integration.models import (
    ChangeOrder,
    Commitment,
    CompanyLink,
    ErpStatus,
    OwnerInvoice,
    Project,
    SubcontractorInvoice,
)
from integration.services.pull.context import ACTOR, PullRun
from integration.services.queue import ValidationRefused, record_send
from integration.services.status import TransitionRefused
from procore_client.enums import CCO_APPROVED, PAY_APP_APPROVED, REQUISITION_APPROVED


def qualifying(link: CompanyLink) -> dict[type[models.Model], models.QuerySet]:
    """The not_sent records of a link that qualify in Procore (SYNC-2): projects in the configured stage
    with a job number; commitments (with commitment sync on), change orders and subcontractor and owner
    invoices when Approved."""
    base = {"link": link, "erp_status": ErpStatus.NOT_SENT, "removed_in_procore": False}
    stage = (link.project_stage_name or "Send to Xero").strip()
    out: dict[type[models.Model], models.QuerySet] = {
        Project: Project.objects.filter(**base, active=True, stage_name__iexact=stage).exclude(project_number=""),
    }
    if link.commitment_sync:
        out[Commitment] = Commitment.objects.filter(**base, status__iexact="Approved")
        out[ChangeOrder] = ChangeOrder.objects.filter(**base, status__in=CCO_APPROVED)
    out[SubcontractorInvoice] = SubcontractorInvoice.objects.filter(**base, status__in=REQUISITION_APPROVED)
    out[OwnerInvoice] = OwnerInvoice.objects.filter(**base, status__in=PAY_APP_APPROVED)
    return out


def queue_qualifying(pull: PullRun) -> None:
    """Every not_sent record that qualifies in Procore enters the queue; refusals are reported once
    per reason (and again whenever the record changed in this run)."""
    for model, queryset in qualifying(pull.link).items():
        name = model._meta.model_name
        for record in queryset.order_by("pk"):
            try:
                record_send(record=record, actor=ACTOR, auto=True)
            except ValidationRefused as exc:
                message = "; ".join(str(f) for f in exc.failures)
                pull.count(name, "not_queued")
                if message != record.erp_message or (name, record.pk) in pull.touched:
                    pull.hold(name, record.procore_id, str(record), f"qualifies but cannot be queued: {message}")
                    model.objects.filter(pk=record.pk).update(erp_message=message)
                continue
            except (TransitionRefused, DatabaseError) as exc:
                pull.count(name, "not_queued")
                pull.error(name, record.procore_id, str(record), f"could not be queued: {exc}")
                continue
            pull.count(name, "queued")
