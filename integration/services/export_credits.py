"""Negative invoices exported as Xero credit notes, and their credit allocated (CRED-1, INV-3).

A subcontractor invoice whose total is negative becomes one ACCPAYCREDIT credit note to the contract
company's contact (an owner invoice: ACCRECCREDIT to the owner), mapped as its bill would be
(`to_xero.as_credit_note`), under the exactly-once rules of bills (see `export.py`): the claim's key,
the batch's Idempotency-Key, and for a record that kept its key from an earlier attempt a look-up in
Xero (same type, contact, number and total) before anything is sent again. Without that key the same
look-up is the duplicate guard (INV-4): a credit note Xero already holds is reported, not sent twice.

A credit note has no Url: the Procore invoice's address is noted on its history instead (`link_back`).

Once the credit note exists its credit is allocated (PUT /CreditNotes/{id}/Allocations) to the open
bills of the invoice's commitment (sales invoices of the owner invoice's prime contract), oldest first,
each up to its AmountDue. Xero allocates only between approved documents of the same contact and
currency (see the sandbox's `allocate_credit_note` for the sources), so only those bills are offered.
What is left stays an open credit. The record's `credit_allocation` says which, on its page and in its
audit row. Allocations already on the credit note (an interrupted attempt) are read back first, so a
retry never allocates twice.
"""

from __future__ import annotations

from decimal import Decimal

from integration.mapping.common import money
from integration.mapping.to_xero import document_total
from integration.models import OwnerInvoice, SubcontractorInvoice
from xero_client.errors import NotFound, ValidationFailed

CONTACTS_PER_QUERY = 20  # each contact is a clause of the `where`: keep the URL short (api/xero.md §4)
LIVE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")
ZERO = Decimal("0.00")


def _label(note_type: str) -> str:
    return "supplier credit note" if note_type == "ACCPAYCREDIT" else "credit note"


def export_credit_notes(exporter, batch: list, documents: dict, *, contact) -> None:
    """Create (or update) the credit notes of these claimed records; `documents` by record pk."""
    creates, updates = [], []
    for c in batch:
        record = c.record
        if record.xero_id and not record.xero_credit_note:
            exporter._fail(c, "Its total is now negative but its Xero document is a bill (or sales invoice): void it "
                              "in Xero, unlink the record and send it again to export it as a credit note.")
        elif record.xero_id:
            updates.append(c)
        else:
            creates.append(c)
    found = _existing(exporter, [contact(c.record) for c in creates]) if creates else {}
    to_create = []
    for c in creates:
        doc = documents[c.record.pk]
        total = document_total(doc)
        basis = "Total" if doc.get("LineAmountTypes") == "Inclusive" else "SubTotal"
        key = (doc["Type"], contact(c.record), str(doc.get("CreditNoteNumber") or "").strip().casefold())
        same = [d for d in found.get(key, []) if money(d.get(basis, d.get("Total"))) == total]
        if same and c.uncertain:
            note = _read(exporter, same[0]["CreditNoteID"]) or same[0]
            _created(exporter, c, note, doc, message="Found in Xero (same contact, number and total) after an "
                                                     "interrupted attempt.")
        elif same:
            exporter._fail(c, f"Duplicate guard: Xero already has {_label(doc['Type'])} {doc.get('CreditNoteNumber')} "
                              f"for this contact totalling {total} (CreditNoteID {same[0]['CreditNoteID']}, "
                              f"{str(same[0].get('Status', '')).lower()}). If it is this invoice, link it; otherwise "
                              "correct the number and resend.",
                           payload=doc, response={"ExistingCreditNoteID": same[0]["CreditNoteID"]})
        else:
            to_create.append(c)
    exporter._write("CreditNotes", to_create, [documents[c.record.pk] for c in to_create], method="PUT",
                    on_ok=lambda c, xid, el, doc: _created(exporter, c, {**doc, "CreditNoteID": xid}, el))
    elements = [{**documents[c.record.pk], "CreditNoteID": c.record.xero_id} for c in updates]
    exporter._write("CreditNotes", updates, elements, method="POST",
                    on_ok=lambda c, xid, el, doc: exporter._done(c, xid, payload=el, response=doc, created=False))


def _existing(exporter, contact_ids) -> dict[tuple, list[dict]]:
    """Live credit notes of these contacts by (type, contact, number), read once per run."""
    wanted = sorted({c for c in contact_ids if c} - exporter._credit_contacts_read)
    for start in range(0, len(wanted), CONTACTS_PER_QUERY):
        chunk = wanted[start:start + CONTACTS_PER_QUERY]
        for doc in exporter.client.find_credit_notes(contact_ids=chunk, statuses=LIVE_STATUSES):
            _remember(exporter, doc)
        exporter._credit_contacts_read.update(chunk)
    return exporter._credit_notes


def _remember(exporter, doc: dict) -> None:
    contact_id = (doc.get("Contact") or {}).get("ContactID")
    key = (doc.get("Type"), contact_id, str(doc.get("CreditNoteNumber") or "").strip().casefold())
    kept = {k: doc[k] for k in ("CreditNoteID", "SubTotal", "Total", "Status") if k in doc}
    exporter._credit_notes.setdefault(key, []).append(kept)


def _read(exporter, credit_note_id: str) -> dict | None:
    try:
        return exporter.client.get_credit_note(credit_note_id)
    except NotFound:
        return None


def _created(exporter, c, note: dict, element: dict, *, message: str = "") -> None:
    """The credit note exists in Xero: allocate its credit, then the record is synced, saying where the
    credit went."""
    _remember(exporter, note)
    link_back(exporter, c, note)
    allocation = allocate(exporter, c.record, note)
    exporter._done(c, note["CreditNoteID"], payload=element, response=note,
                   message=" ".join(m for m in (message, allocation) if m),
                   extra={"xero_credit_note": True, "credit_allocation": allocation})


PROCORE_NOTE = "Procore invoice: "


def link_back(exporter, c, note: dict) -> None:
    """The Url back to Procore, which a bill carries: a credit note has no Url (CreditNote schema), so the
    Procore invoice's address goes on its history as a note (PUT /CreditNotes/{id}/History), once: after
    an interrupted attempt the notes already there are read first."""
    from integration.mapping.to_xero import procore_invoice_url

    record = c.record
    url = procore_invoice_url(exporter.web_url, record) if record._meta.model_name == "subcontractorinvoice" else None
    if not url:
        return
    details = PROCORE_NOTE + url
    try:
        if c.uncertain and any(h.get("Details") == details for h in exporter.client.list_history("CreditNotes", note["CreditNoteID"])):
            return
        exporter.client.add_history_note("CreditNotes", note["CreditNoteID"], details,
                                         idempotency_key=f"{record.idempotency_key or 'pxc'}-history"[:128])
    except ValidationFailed as exc:
        exporter.tracker.error(record, f"The link back to Procore could not be noted on the credit note: {exc.message}")


def open_documents(exporter, record, note: dict) -> list[dict]:
    """The bills (sales invoices) the credit note can be allocated to: those of the record's commitment
    (prime contract) that Xero holds AUTHORISED with an amount due, for the credit note's contact and
    currency, oldest first."""
    if record._meta.model_name == "subcontractorinvoice":
        if record.commitment_id is None:
            return []
        siblings = SubcontractorInvoice.objects.filter(link=exporter.link, commitment_id=record.commitment_id)
        wanted = "ACCPAY"
    else:
        siblings = OwnerInvoice.objects.filter(link=exporter.link, prime_contract_id=record.prime_contract_id)
        wanted = "ACCREC"
    ids = sorted(set(siblings.filter(xero_credit_note=False).exclude(xero_id="").exclude(pk=record.pk)
                     .values_list("xero_id", flat=True)))
    ids += [i for i in exporter._created_invoices.get(record._meta.model_name, {})
            .get(_group(record), []) if i not in ids]
    contact_id = (note.get("Contact") or {}).get("ContactID")
    found = exporter.client.find_invoices(ids=ids) if ids else []
    open_ = [d for d in found if d.get("Type") == wanted and d.get("Status") == "AUTHORISED"
             and money(d.get("AmountDue") or ZERO) > 0 and (d.get("Contact") or {}).get("ContactID") == contact_id
             and (d.get("CurrencyCode") or "") == (note.get("CurrencyCode") or "")]
    return sorted(open_, key=lambda d: (str(d.get("Date") or ""), str(d.get("InvoiceNumber") or "")))


def _group(record):
    return record.commitment_id if record._meta.model_name == "subcontractorinvoice" else record.prime_contract_id


def allocate(exporter, record, note: dict) -> str:
    """Allocate the credit note's remaining credit to the open bills; what happened, in words."""
    label = _label(note.get("Type", "ACCPAYCREDIT"))
    what = "bill" if note.get("Type") == "ACCPAYCREDIT" else "invoice"
    parent = "commitment" if note.get("Type") == "ACCPAYCREDIT" else "prime contract"
    total = money(note.get("Total") or ZERO)
    remaining = money(note.get("RemainingCredit", total) or ZERO)
    status = str(note.get("Status") or "")
    done = [f"{money(a.get('Amount') or ZERO)} allocated to {what} "
            f"{(a.get('Invoice') or {}).get('InvoiceNumber') or (a.get('Invoice') or {}).get('InvoiceID')}"
            for a in note.get("Allocations") or [] if not a.get("IsDeleted")]
    if status != "AUTHORISED":
        return (f"Open credit of {remaining}: the {label} is {status.lower()} in Xero, and Xero allocates only approved "
                f"credit; approve it in Xero, then allocate it to the {parent}'s open {what}.")
    allocated = {str((a.get("Invoice") or {}).get("InvoiceID") or "").lower() for a in note.get("Allocations") or []
                 if not a.get("IsDeleted")}
    for bill in open_documents(exporter, record, note) if remaining > 0 else []:
        if remaining <= 0:
            break
        if str(bill["InvoiceID"]).lower() in allocated:
            continue
        amount = min(remaining, money(bill["AmountDue"]))
        try:
            exporter.client.allocate_credit_note(
                note["CreditNoteID"], invoice_id=bill["InvoiceID"], amount=amount, date=str(note.get("Date") or "")[:10],
                idempotency_key=f"{record.idempotency_key or 'pxc'}-allocate-{bill['InvoiceID']}"[:128])
        except ValidationFailed as exc:
            done.append(f"Xero refused to allocate it to {what} {bill.get('InvoiceNumber')}: {exc.message}")
            continue
        remaining = money(remaining - amount)
        done.append(f"{amount} allocated to {what} {bill.get('InvoiceNumber') or bill['InvoiceID']} "
                    f"(it now owes {money(money(bill['AmountDue']) - amount)})")
    if remaining > 0:
        why = "" if done else f": the {parent} has no open {what} in Xero (approved, with an amount due, same contact and currency)"
        done.append(f"{remaining} left as open credit{why}; allocate it in Xero to a later {what}")
    return f"{label.capitalize()} of {total}: " + "; ".join(done) + "."
