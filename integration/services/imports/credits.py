"""Supplier credit notes against commitments (BOOK-6): what they credit, and keeping their lines.

A supplier credit note (ACCPAYCREDIT) credits a commitment when it is allocated in Xero to a bill
exported from Procore (a subcontractor invoice), or when it was itself exported from Procore (a negative
subcontractor invoice, CRED-1). Such a credit note is not a direct cost: the subcontractor's work was
invoiced through the commitment, so its credit reduces what the commitment has invoiced. Its lines
(net of tax, per project and cost item, found as for any job cost line) are kept as
``CommitmentCredit`` rows, which the job cost summary (JC-4) subtracts from commitment invoiced and
job-to-date cost. Procore holds no direct cost for it: one imported before the allocation is removed.

A credit note allocated to an exported bill counts against the commitment as a whole, its unallocated
remainder included: the accountant raised it against that subcontract, and what is left is credit the
subcontractor still owes on it, to allocate to a later claim. A credit note allocated only to bills
entered in Xero, or not at all, stays a (negative) direct cost (JC-1).

Xero lists a credit note's ``Allocations`` with it (CreditNote schema and the getCreditNotes example in
xero_accounting.yaml, each allocation with ``Amount``, ``Date`` and ``Invoice``); when a listed one comes without them while part of its credit is
used, the credit note is read on its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from integration.models import CommitmentCredit, SubcontractorInvoice
from integration.services.audit import audit_record

from .common import amount


def exported_invoices(link) -> dict[str, int]:
    """The Xero ids (bills, and credit notes under CRED-1) of the link's exported subcontractor invoices."""
    return {x.lower(): pk for x, pk in SubcontractorInvoice.objects.filter(link=link).exclude(xero_id="")
            .values_list("xero_id", "pk")}


def allocated_invoice_ids(raw: dict) -> list[str]:
    """The invoices a Xero credit note is allocated to, lower-case, in Xero's order."""
    out = []
    for allocation in raw.get("Allocations") or []:
        invoice = allocation.get("Invoice") if isinstance(allocation, dict) else None
        invoice_id = str((invoice or {}).get("InvoiceID") or "").lower() if isinstance(invoice, dict) else ""
        if invoice_id and not allocation.get("IsDeleted"):
            out.append(invoice_id)
    return out


def with_allocations(xero, raw: dict) -> dict:
    """The credit note with its Allocations: read on its own when a list answer left them out while
    some of its credit is used (RemainingCredit below Total)."""
    if not isinstance(raw, dict) or "Allocations" in raw or not raw.get("CreditNoteID"):
        return raw
    try:
        used = amount(raw.get("RemainingCredit"), "RemainingCredit") < amount(raw.get("Total"), "Total")
    except ValueError:
        return raw
    if not used:
        return raw
    body = xero.get(f"CreditNotes/{raw['CreditNoteID']}")
    found = body.get("CreditNotes") if isinstance(body, dict) else None
    return found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else raw


def credited_invoice(doc_id: str, allocations: list[str], exported: dict[str, int]) -> int | None:
    """The exported subcontractor invoice (pk) a credit note credits, or None: the credit note itself
    when it was exported from Procore (CRED-1), else the first exported bill it is allocated to."""
    if doc_id in exported:
        return exported[doc_id]
    return next((exported[i] for i in allocations if i in exported), None)


def commitment_credit_store(*, link, doc, invoice_pk: int, lines, actor=None) -> bool:
    """Keep a credit note's lines as commitment credits (replacing what was kept); True when changed.
    `lines`: (project, Line, CostItem) with the Line's amount negative."""
    wanted = sorted((project.pk, item.pk, line.line_id, line.amount) for project, line, item in lines)
    with transaction.atomic():
        kept = CommitmentCredit.objects.select_for_update().filter(link=link, xero_credit_note_id=doc.doc_id)
        current = sorted(kept.values_list("project_id", "cost_item_id", "xero_line_item_id", "amount"))
        same_invoice = all(pk == invoice_pk for pk in kept.values_list("subcontractor_invoice_id", flat=True))
        if current == wanted and same_invoice:
            return False
        kept.delete()
        rows = CommitmentCredit.objects.bulk_create([
            CommitmentCredit(link=link, xero_credit_note_id=doc.doc_id, credit_note_number=doc.number[:255],
                             subcontractor_invoice_id=invoice_pk, project=project, cost_item=item,
                             xero_line_item_id=line.line_id, description=line.description, date=doc.date,
                             amount=line.amount)
            for project, line, item in lines])
        total = sum((row.amount for row in rows), Decimal("0"))
        invoice = SubcontractorInvoice.objects.get(pk=invoice_pk)
        audit_record(invoice, action="commitment_credit", actor=actor or "system",
                     payload={"credit_note": doc.doc_id, "amount": str(total)},
                     message=f"{doc.label} ({total}) credits this invoice's commitment; not a direct cost")
    return True


def commitment_credit_clear(*, link, doc, why: str, actor=None) -> bool:
    """Forget a credit note's commitment credits (voided, no longer approved, allocation removed)."""
    with transaction.atomic():
        kept = list(CommitmentCredit.objects.select_for_update(of=("self",))
                    .filter(link=link, xero_credit_note_id=doc.doc_id).select_related("subcontractor_invoice"))
        if not kept:
            return False
        CommitmentCredit.objects.filter(pk__in=[row.pk for row in kept]).delete()
        invoice = next((row.subcontractor_invoice for row in kept if row.subcontractor_invoice), None)
        if invoice is not None:
            audit_record(invoice, action="commitment_credit_removed", actor=actor or "system",
                         message=f"{doc.label} {why}: no longer credits this invoice's commitment")
    return True
