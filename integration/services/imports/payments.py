"""Xero payments → Procore contract payments (PAY-1..6).

``import_payments(*, link, trigger, actor)`` reads ``GET /Payments`` incrementally (``If-Modified-Since``
from the ``xero:payments`` cursor less an overlap, ``pageSize=1000``, PERF-2) and then retries the
payments left ``pending`` or ``failed`` by an earlier run. Per payment:

- on a bill exported from Procore (``SubcontractorInvoice.xero_id``) it becomes a payment issued on the
  commitment; on an exported owner invoice (ACCREC, ``OwnerInvoice.xero_id``) a payment received on
  the prime contract (PAY-6). Anything else is not ours and is skipped;
- dated before the link's ``payment_cutoff`` → skipped (PAY-2);
- amount, date, the requisition (``requisition_id``) and invoice number, the Xero reference as notes,
  ``origin_id`` = PaymentID. Full, partial and batch payments alike (a batch's parts are payments);
- exactly once (PAY-5): the ``Payment`` row (unique per link and PaymentID) is stored ``pending``
  before the POST, ``synced`` with Procore's id after it. A lost answer is resolved by looking the
  payment up by ``filters[origin_id]``; a pending row is looked up before it is posted again;
- ``Status: DELETED`` after import → ``payment_void``: the row is ``voided`` with ``deleted_in_xero_at``
  and listed for an admin (``payments_deleted_in_xero``); in Procore the payment is kept, its notes
  say it was voided and its ``origin_data`` is ``xero:voided`` (never deleted automatically, PAY-3).

Procore locks a contract payment once its origin_id is set (api/procore.md §10): a change (void mark,
payment number, amount) unlocks it (origin_id cleared), patches, and locks it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from integration.models import CompanyLink, OwnerInvoice, Payment, SubcontractorInvoice, SyncRun
from integration.services.audit import audit_record
from xero_client.resources import IDS_PER_REQUEST

from .common import (
    BadDocument,
    amount,
    clients_for,
    create_once,
    cursor_get,
    cursor_set,
    day,
    later,
    obj,
    run_guarded,
    stamp,
    start_run,
    text,
)

log = logging.getLogger(__name__)

CURSOR = "xero:payments"
VOID_PREFIX = "VOIDED in Xero"
PAYMENT_NUMBER_MAX = 50


@dataclass(frozen=True)
class XeroPayment:
    payment_id: str
    status: str
    date: dt.date
    amount: Decimal
    reference: str
    invoice_id: str
    invoice_type: str
    batch_id: str
    updated: dt.datetime | None


def parse_payment(doc: dict) -> XeroPayment:
    """The fields PAY-1 needs, checked (REL-6: a malformed payment raises BadDocument)."""
    if not isinstance(doc, dict):
        raise BadDocument("a payment is not an object")
    payment_id = text(doc.get("PaymentID"), "PaymentID", required=True)
    invoice = obj(doc.get("Invoice"), "Invoice", required=False)
    return XeroPayment(
        payment_id=payment_id.lower(),
        status=text(doc.get("Status"), f"payment {payment_id}: Status", required=True).upper(),
        date=day(doc.get("Date"), f"payment {payment_id}: Date"),
        amount=amount(doc.get("Amount"), f"payment {payment_id}: Amount"),
        reference=text(doc.get("Reference"), f"payment {payment_id}: Reference", limit=255),
        invoice_id=text(invoice.get("InvoiceID"), f"payment {payment_id}: Invoice.InvoiceID").lower(),
        invoice_type=text(invoice.get("Type"), f"payment {payment_id}: Invoice.Type").upper(),
        batch_id=text(doc.get("BatchPaymentID") or (doc.get("BatchPayment") or {}).get("BatchPaymentID"),
                      f"payment {payment_id}: BatchPaymentID"),
        updated=stamp(doc.get("UpdatedDateUTC")),
    )


CENT = Decimal("0.01")


class InProcoreTerms:
    """BOOK-3: a Xero payment in Procore's terms. Procore invoiced the amounts before tax when the link's
    amounts are `exclusive` (Xero added the tax), so each payment is scaled by the document's
    SubTotal/Total, in cents, and the payment that completes the document takes the remainder: a fully
    paid document's Procore payments sum exactly to its SubTotal (seed 003: "Bill Payments will not
    reflect tax when pulled into Procore"). With `inclusive` or `no_tax` a payment is as paid.
    Each document is read from Xero once per run, and the documents of a page of payments in one
    ``GET /Invoices?IDs=`` (`prefetch`, 50 to a call): a paged invoice list carries each invoice's SubTotal,
    Total, AmountCredited and Payments (PaymentID, Date, Amount), as the spec's getInvoices example
    shows, so a run of N payments costs N/50 reads instead of N, under Xero's 60 calls a minute."""

    def __init__(self, link: CompanyLink, xero):
        self.link, self.xero = link, xero
        self._documents: dict[str, dict] = {}

    def prefetch(self, payments: list[XeroPayment]) -> None:
        """Reads the documents of `payments` whose amount `amount` will put in Procore's terms."""
        if self.link.amounts_tax != "exclusive":
            return
        wanted = sorted({p.invoice_id for p in payments if p.status != "DELETED" and p.invoice_id
                         and p.invoice_id not in self._documents and _ours(self.link, p)})
        for doc in self.xero.find_invoices(ids=wanted) if wanted else []:
            if isinstance(doc, dict) and doc.get("InvoiceID"):
                self._documents[str(doc["InvoiceID"]).lower()] = doc

    def _document(self, invoice_id: str) -> dict:
        if invoice_id not in self._documents:
            self._documents[invoice_id] = self.xero.get_invoice(invoice_id)
        return self._documents[invoice_id]

    def amount(self, payment: XeroPayment) -> Decimal:
        if self.link.amounts_tax != "exclusive" or not payment.invoice_id:
            return payment.amount
        doc = self._document(payment.invoice_id)
        subtotal = amount(doc.get("SubTotal"), f"invoice {payment.invoice_id}: SubTotal")
        total = amount(doc.get("Total"), f"invoice {payment.invoice_id}: Total")
        if not total or subtotal == total:
            return payment.amount
        ratio = subtotal / total
        credited = amount(doc.get("AmountCredited") or 0, f"invoice {payment.invoice_id}: AmountCredited")
        paid = sorted(((day(p.get("Date"), "payment Date"), str(p.get("PaymentID") or "").lower(),
                        amount(p.get("Amount"), "payment Amount")) for p in doc.get("Payments") or []
                       if isinstance(p, dict) and str(p.get("Status") or "AUTHORISED").upper() != "DELETED"),
                      key=lambda p: (p[0], p[1]))
        if payment.payment_id not in {p[1] for p in paid}:
            return (payment.amount * ratio).quantize(CENT, rounding=ROUND_HALF_UP)
        gross, net = credited, Decimal("0")
        for _, payment_id, paid_amount in paid:
            gross += paid_amount
            completes = gross >= total
            share = (subtotal - (credited * ratio).quantize(CENT, rounding=ROUND_HALF_UP) - net if completes
                     else (paid_amount * ratio).quantize(CENT, rounding=ROUND_HALF_UP))
            if payment_id == payment.payment_id:
                return share
            net += share
        return payment.amount  # not reached: the payment is in the list


# ---------------------------------------------------------------------------------- the run
def import_payments(*, link: CompanyLink, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None,
                    full: bool = False) -> SyncRun:
    """PAY-5: the scheduled and the on-demand "Sync payments for synced invoices"."""
    tracker = start_run(link=link, kind=SyncRun.Kind.PAYMENTS, trigger=trigger, actor=actor,
                        parameters={"full": full})

    def body() -> str:
        xero, procore = clients_for(link)
        terms = InProcoreTerms(link, xero)
        since = None if full else cursor_get(link, CURSOR)
        high = None
        seen: set[str] = set()
        page: list[XeroPayment] = []

        def settle() -> None:
            terms.prefetch(page)
            for payment in page:
                _one(link, payment, procore, tracker, actor, terms)
                tracker.advance()
            page.clear()

        for doc in xero.iter_payments(if_modified_since=since):
            tracker.count("read")
            high = later(high, doc.get("UpdatedDateUTC") if isinstance(doc, dict) else None)
            try:
                payment = parse_payment(doc)
            except BadDocument as exc:
                tracker.count("failed")
                tracker.error(None, f"Xero payment skipped: {exc}")
                continue
            seen.add(payment.payment_id)
            page.append(payment)
            if len(page) == IDS_PER_REQUEST:
                settle()
        settle()
        # Payments an earlier run could not finish (a lost answer, Procore refused): read them again.
        for row in Payment.objects.filter(link=link, status__in=(Payment.Status.PENDING, Payment.Status.FAILED)
                                          ).exclude(xero_payment_id__in=seen):
            tracker.count("read")
            try:
                payment = parse_payment(xero.get_payment(row.xero_payment_id))
            except BadDocument as exc:
                tracker.count("failed")
                tracker.error(row, f"Xero payment skipped: {exc}")
                continue
            _one(link, payment, procore, tracker, actor, terms)
        cursor_set(link, CURSOR, high)
        return ""

    return run_guarded(tracker, link, body)


def _one(link: CompanyLink, payment: XeroPayment, procore, tracker, actor, terms: InProcoreTerms | None = None) -> None:
    from procore_client.errors import ProcoreError
    from xero_client.errors import XeroError

    existing = Payment.objects.filter(link=link, xero_payment_id=payment.payment_id).first()
    try:
        if payment.status != "DELETED" and terms is not None and _ours(link, payment):
            payment = replace(payment, amount=terms.amount(payment))  # the amount Procore shows (BOOK-3)
        if payment.status == "DELETED":
            if existing is None or existing.status == Payment.Status.VOIDED:
                tracker.count("skipped")
            else:
                payment_void(payment=existing, procore=procore, actor=actor)
                tracker.count("updated")
            return
        if existing is not None and existing.status == Payment.Status.SYNCED:
            if existing.amount != payment.amount or existing.date != payment.date:
                _apply_change(existing, payment, procore, actor)  # PAY-3: an amount change is applied
                tracker.count("updated")
            else:
                tracker.count("skipped")
            return
        if existing is not None and existing.status == Payment.Status.VOIDED:
            tracker.count("skipped")
            return
        row = _prepare(link, payment, existing)
        if row is None:
            tracker.count("skipped")
            return
        _write(row, procore, actor, retrying=existing is not None)
        tracker.count("created")
    except XeroError as exc:
        tracker.count("failed")
        tracker.error(existing, f"Payment {payment.payment_id}: its document could not be read from Xero ({exc.message}); "
                                "it is read again next run.")
    except (ProcoreError, BadDocument) as exc:
        row = Payment.objects.filter(link=link, xero_payment_id=payment.payment_id).first()
        message = f"Procore refused payment {payment.payment_id}: {exc}"
        if row is not None:
            Payment.objects.filter(pk=row.pk).update(status=Payment.Status.FAILED if row.status != Payment.Status.SYNCED
                                                     else row.status, message=message[:2000])
        tracker.count("failed")
        tracker.error(row, message)


def _ours(link: CompanyLink, payment: XeroPayment) -> bool:
    """A payment on a document exported from Procore (the only ones whose amount is put in Procore's terms)."""
    if not payment.invoice_id:
        return False
    model = OwnerInvoice if payment.invoice_type == "ACCREC" else SubcontractorInvoice
    return model.objects.filter(link=link, xero_id__iexact=payment.invoice_id).exists()


def _prepare(link: CompanyLink, payment: XeroPayment, existing: Payment | None) -> Payment | None:
    """The Payment row for a payment we own, stored `pending` before Procore is written (or None)."""
    if payment.status != "AUTHORISED" or not payment.invoice_id:
        return None
    if link.payment_cutoff and payment.date < link.payment_cutoff:
        return None  # PAY-2
    values: dict = {"amount": payment.amount, "date": payment.date, "reference": payment.reference,
                    "xero_batch_payment_id": payment.batch_id, "xero_updated_at": payment.updated}
    if payment.invoice_type in ("ACCPAY", ""):
        invoice = (SubcontractorInvoice.objects.select_related("commitment", "project")
                   .filter(link=link, xero_id__iexact=payment.invoice_id).first())
        if invoice is None or invoice.commitment is None:
            return None
        values.update(direction=Payment.Direction.ISSUED, subcontractor_invoice=invoice,
                      commitment=invoice.commitment)
    elif payment.invoice_type == "ACCREC":
        invoice = (OwnerInvoice.objects.select_related("prime_contract", "project")
                   .filter(link=link, xero_id__iexact=payment.invoice_id).first())
        if invoice is None:
            return None
        values.update(direction=Payment.Direction.RECEIVED, owner_invoice=invoice,
                      prime_contract=invoice.prime_contract)
    else:
        return None
    with transaction.atomic():
        row, created = Payment.objects.select_for_update().get_or_create(
            link=link, xero_payment_id=payment.payment_id, defaults={**values, "status": Payment.Status.PENDING})
        if not created:
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
        else:
            audit_record(row, action="payment_read", actor="system", to_status=row.status,
                         message=f"Read from Xero: {payment.amount} on {payment.date}")
    return row


def _target(row: Payment) -> tuple[int, int]:
    """(Procore project id, contract id) of a payment: the commitment, or the prime contract (PAY-6)."""
    if row.direction == Payment.Direction.RECEIVED:
        contract = row.prime_contract
        project = row.owner_invoice.project if row.owner_invoice else contract.project
    else:
        contract = row.commitment
        project = row.subcontractor_invoice.project if row.subcontractor_invoice else contract.project
    if contract is None or not contract.procore_id or not project.procore_id:
        raise BadDocument("the contract or project of this payment is not in Procore")
    return project.procore_id, contract.procore_id


def procore_payload(row: Payment) -> dict:
    """The "Commitment Payments Issued" table of 003_*.txt: amount paid, date paid, the invoice."""
    payload = {"date": row.date.isoformat(), "amount": str(row.amount), "notes": row.reference,
               "origin_id": row.xero_payment_id, "origin_data": "xero"}
    if row.direction == Payment.Direction.ISSUED and row.subcontractor_invoice:
        invoice = row.subcontractor_invoice
        payload["invoice_number"] = invoice.invoice_number or invoice.number
        if invoice.procore_id:
            payload["requisition_id"] = invoice.procore_id
    elif row.owner_invoice:
        payload["invoice_number"] = row.owner_invoice.invoice_number or row.owner_invoice.number
    if row.payment_number:
        payload["payment_number"] = row.payment_number
    return payload


def find_in_procore(procore, project_id: int, contract_id: int, origin_id: str) -> dict | None:
    """The contract payment whose origin_id is `origin_id` (``filters[origin_id]``), or None."""
    found = procore.list_all("/rest/v1.0/contract_payments", {"project_id": project_id, "contract_id": contract_id,
                                                               "filters[origin_id]": origin_id})
    return next((p for p in found if str(p.get("origin_id") or "") == origin_id), None)


def _write(row: Payment, procore, actor, *, retrying: bool) -> None:
    # One POST per payment (PERF-4): Procore has no batch endpoint for contract payments, issued or
    # received. The OAS (the endpoint index in ../shared/specs/procore and the catalog of all its 2,636
    # operations) has for them only POST /rest/v1.0/contract_payments and GET/PATCH/DELETE
    # /rest/v1.0/contract_payments/{id}, and none of its /sync or bulk endpoints (vendors, projects,
    # commitments, cost codes, direct costs, line items...) covers payments or payment applications;
    # Procore's developer docs ("Using Sync Actions", the Commitments and Prime Contracts reference) name
    # none either.
    project_id, contract_id = _target(row)
    payload = procore_payload(row)
    created = create_once(
        lambda: procore.create_contract_payment(project_id, contract_id, payload),
        lambda: find_in_procore(procore, project_id, contract_id, row.xero_payment_id),
        check_first=retrying or row.procore_id is not None,
    )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=row.pk)
        previous = locked.status
        locked.procore_id = created.get("id")
        locked.status = Payment.Status.SYNCED
        locked.message = ""
        locked.save(update_fields=["procore_id", "status", "message", "updated_at"])
        audit_record(locked, action="payment_import", actor=actor or "system", from_status=previous,
                     to_status=locked.status, payload=payload, response={"id": locked.procore_id})


def _patch_locked(procore, row: Payment, changes: dict, *, origin_data: str) -> None:
    """Unlock (clear origin_id), patch, lock again: Procore locks ERP-synced payments (§10)."""
    project_id, contract_id = _target(row)
    if not row.procore_id:
        found = find_in_procore(procore, project_id, contract_id, row.xero_payment_id)
        if found is None:
            return
        row.procore_id = found["id"]
    procore.clear_contract_payment_origin_id(project_id, contract_id, row.procore_id)
    if changes:
        procore.update_contract_payment(project_id, contract_id, row.procore_id, changes)
    procore.set_contract_payment_origin_id(project_id, contract_id, row.procore_id, row.xero_payment_id,
                                           origin_data=origin_data)


def payment_void(*, payment: Payment, procore=None, actor=None) -> Payment:
    """PAY-3: a payment deleted in Xero after import: voided here and marked voided in Procore (notes
    and origin_data), never deleted there; listed for an admin until `payment_resolve`."""
    if procore is None:
        from integration.services.connections import procore_client_for

        procore = procore_client_for(payment.link)
    today = timezone.localdate()
    if payment.status in (Payment.Status.SYNCED, Payment.Status.PENDING, Payment.Status.FAILED):
        current = None
        project_id, contract_id = _target(payment)
        if payment.procore_id:
            current = procore.get_contract_payment(project_id, payment.procore_id)
        else:
            current = find_in_procore(procore, project_id, contract_id, payment.xero_payment_id)
            if current is not None:
                payment.procore_id = current["id"]
        if current is not None and not str(current.get("notes") or "").startswith(VOID_PREFIX):
            notes = f"{VOID_PREFIX} on {today.isoformat()}: payment deleted in Xero. {current.get('notes') or ''}".strip()
            _patch_locked(procore, payment, {"notes": notes[:2000]}, origin_data="xero:voided")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        previous = locked.status
        locked.status = Payment.Status.VOIDED
        locked.procore_id = payment.procore_id or locked.procore_id
        locked.deleted_in_xero_at = locked.deleted_in_xero_at or timezone.now()
        locked.message = "Deleted in Xero after import: marked voided in Procore; an admin should resolve it."
        locked.save()
        audit_record(locked, action="payment_void", actor=actor or "system", from_status=previous,
                     to_status=locked.status, message=locked.message)
    return locked


def _apply_change(row: Payment, payment: XeroPayment, procore, actor) -> None:
    """PAY-3: an amount (or date) change of an imported payment is applied in Procore."""
    changes = {"amount": str(payment.amount), "date": payment.date.isoformat()}
    _patch_locked(procore, row, changes, origin_data="xero")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=row.pk)
        before = {"amount": str(locked.amount), "date": locked.date.isoformat()}
        locked.amount, locked.date, locked.xero_updated_at = payment.amount, payment.date, payment.updated
        locked.save(update_fields=["amount", "date", "xero_updated_at", "updated_at"])
        audit_record(locked, action="payment_changed", actor=actor or "system", payload=changes, response=before)


def payments_deleted_in_xero(*, link: CompanyLink):
    """PAY-3: the list an admin works through: deleted in Xero after import, not yet resolved."""
    return Payment.objects.filter(link=link, deleted_in_xero_at__isnull=False, resolved_at__isnull=True)


def payment_resolve(*, payment: Payment, actor, note: str = "") -> Payment:
    """An admin has dealt with a payment deleted in Xero (e.g. removed it in Procore by hand)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.deleted_in_xero_at is None:
            raise ValueError("Only a payment deleted in Xero can be resolved.")
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["resolved_at", "updated_at"])
        audit_record(locked, action="payment_resolved", actor=actor, message=note)
    return locked


def payment_update_number(*, payment: Payment, number: str, actor, procore=None) -> Payment:
    """PAY-4: the payment number is the one field of an imported payment a person may change. It is
    written to Procore first (unlock, patch, lock), then stored and audited."""
    number = (number or "").strip()
    if len(number) > PAYMENT_NUMBER_MAX:
        raise ValueError(f"A payment number has at most {PAYMENT_NUMBER_MAX} characters.")
    if number and not number.isdigit():
        raise ValueError("Procore payment numbers are whole numbers (digits only).")
    if payment.status == Payment.Status.SYNCED and payment.procore_id and number != payment.payment_number:
        if procore is None:
            from integration.services.connections import procore_client_for

            procore = procore_client_for(payment.link)
        _patch_locked(procore, payment, {"payment_number": number}, origin_data="xero")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        before = locked.payment_number
        locked.payment_number = number
        locked.save(update_fields=["payment_number", "updated_at"])
        audit_record(locked, action="payment_number", actor=actor, message=f"Payment number {before!r} → {number!r}")
    return locked
