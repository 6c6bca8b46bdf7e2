"""What the reconcile read from Xero, kept for the reconciliation report (DRIFT-4, RPT-3).

Every document a reconcile reads is stored as a ``XeroDocument``, whether a record of the connector is
linked to it or not, so the report also finds documents entered only in Xero. Each is resolved once, when
read, into what the report sums in SQL:

- its lines' project (the project's tracking option, as the export tracks lines: mapping/common.py
  ``tracking_for``) and cost code (the line's Item, or the cost code's tracking option);
- its vendor (the contact of a synced vendor);
- a credit note's lines and net amount negative (the negative invoice it was exported from, CRED-1);
- ``net_amount``: for a bill, sales invoice or purchase order, the sum of its lines (Xero's SubTotal
  when amounts are tax exclusive, the figure Procore invoiced or committed); for a payment, the amount
  in Procore's terms, by the payments import's own rule (BOOK-3: scaled by its bill's SubTotal/Total,
  the completing payment taking the remainder), read from the stored bill;
- a payment's project: its bill's.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from integration.mapping.common import cost_item_option_name, project_option_name
from integration.models import CompanyLink, CostItem, Project, Vendor, XeroDocument, XeroDocumentLine

ID_KEY = {"Invoices": "InvoiceID", "PurchaseOrders": "PurchaseOrderID", "Contacts": "ContactID", "Items": "ItemID",
          "TrackingOptions": "TrackingOptionID", "Payments": "PaymentID", "CreditNotes": "CreditNoteID"}


def plain(doc: dict) -> dict:
    """A Xero document as JSON text values (Decimals, dates): it holds no secret, so nothing is scrubbed
    (an Item's "Code" would be, by its name)."""
    return json.loads(json.dumps(doc, cls=DjangoJSONEncoder))


def _decimal(value) -> Decimal:
    return Decimal(str(value if value not in (None, "") else 0))


class _StoredInvoices:
    """The bills a payment is on, as the reconcile stored them, in the shape the payments import reads
    (its dates back to dates), so a payment is put in Procore's terms without another call to Xero."""

    def __init__(self, documents: dict[str, dict]):
        self.documents = documents

    def get_invoice(self, invoice_id: str) -> dict:
        doc = dict(self.documents[invoice_id])
        doc["Payments"] = [dict(p, Date=dt.date.fromisoformat(str(p.get("Date"))[:10])) for p in doc.get("Payments") or []
                           if isinstance(p, dict) and p.get("Date")]
        return doc


class DocumentStore:
    """Keeps one reconcile's reads of one link."""

    def __init__(self, link: CompanyLink, read_at: dt.datetime):
        self.link = link
        self.read_at = read_at
        self._lookups = None

    def lookups(self):
        if self._lookups is None:
            by_option = {}
            for p in Project.objects.filter(link=self.link):
                by_option[project_option_name(p).casefold()] = p.pk
                if p.xero_option_name:
                    by_option[p.xero_option_name.casefold()] = p.pk
            items = CostItem.objects.filter(link=self.link).values("pk", "item_code", "description", "cost_code_id")
            by_code, by_item_option = {}, {}
            for i in items:
                by_code[i["item_code"].casefold()] = i["cost_code_id"]
                option = cost_item_option_name(SimpleNamespace(item_code=i["item_code"], description=i["description"]))
                by_item_option[option.casefold()] = i["cost_code_id"]
            vendors = {v.lower(): pk for pk, v in Vendor.objects.filter(link=self.link).exclude(xero_id="").values_list("pk", "xero_id")}
            self._lookups = (by_option, by_code, by_item_option, vendors)
        return self._lookups

    def _lines(self, doc: dict, sign: int = 1) -> tuple[list[XeroDocumentLine], set]:
        by_option, by_code, by_item_option, _ = self.lookups()
        project_category = self.link.project_tracking_category.casefold()
        code_category = self.link.cost_code_tracking_category.casefold()
        lines, projects = [], set()
        for position, line in enumerate(doc.get("LineItems") or [], start=1):
            if not isinstance(line, dict):
                continue
            project_id = cost_code_id = None
            for t in line.get("Tracking") or []:
                name, option = str(t.get("Name") or "").casefold(), str(t.get("Option") or "").casefold()
                if name == project_category:
                    project_id = by_option.get(option)
                elif name == code_category:
                    cost_code_id = by_item_option.get(option)
            if line.get("ItemCode"):
                cost_code_id = by_code.get(str(line["ItemCode"]).casefold(), cost_code_id)
            projects.add(project_id)
            lines.append(XeroDocumentLine(position=position, project_id=project_id, cost_code_id=cost_code_id,
                                          item_code=str(line.get("ItemCode") or "")[:100],
                                          account_code=str(line.get("AccountCode") or "")[:10],
                                          amount=sign * _decimal(line.get("LineAmount"))))
        return lines, projects

    def _payments_in_procore_terms(self, docs: list[dict]) -> dict[str, tuple[Decimal, int | None]]:
        """Each payment's amount as Procore shows it and its bill's project, from the stored bills."""
        from integration.services.imports.common import BadDocument
        from integration.services.imports.payments import InProcoreTerms, parse_payment

        parents = {str((d.get("Invoice") or {}).get("InvoiceID") or "").lower() for d in docs if isinstance(d.get("Invoice"), dict)}
        stored = {row["xero_id"]: row for row in XeroDocument.objects.filter(
            link=self.link, resource="Invoices", xero_id__in=parents - {""}).values("xero_id", "project_id", "data")}
        terms = InProcoreTerms(self.link, _StoredInvoices({k: v["data"] for k, v in stored.items()}))
        out = {}
        for doc in docs:
            try:
                payment = parse_payment(doc)
            except BadDocument:
                continue
            net = payment.amount
            if payment.invoice_id in stored:
                try:
                    net = terms.amount(payment)
                except (BadDocument, ValueError, TypeError):
                    net = payment.amount  # a stored bill too malformed to scale by: the amount as paid
            out[payment.payment_id] = (net, (stored.get(payment.invoice_id) or {}).get("project_id"))
        return out

    def keep(self, resource: str, docs: list[dict]) -> None:
        """Store the documents read, with their lines tracked to projects and cost codes (one transaction)."""
        if not docs:
            return
        vendors = self.lookups()[3]
        key = ID_KEY[resource]
        payments = self._payments_in_procore_terms(docs) if resource == "Payments" else {}
        with transaction.atomic():
            for doc in docs:
                xero_id = str(doc.get(key) or "").lower()
                if not xero_id:
                    continue
                contact = doc.get("Contact") if isinstance(doc.get("Contact"), dict) else {}
                invoice = doc.get("Invoice") if isinstance(doc.get("Invoice"), dict) else {}
                if resource == "Payments":
                    contact = invoice.get("Contact") if isinstance(invoice.get("Contact"), dict) else {}
                # A credit note's lines are kept negative, as the bill they credit is reduced (CRED-1): its
                # net amount is then the (negative) invoice it was exported from.
                lines, projects = self._lines(doc, -1 if resource == "CreditNotes" else 1)
                project_id = next(iter(projects - {None}), None) if len(projects - {None}) == 1 else None
                net = sum((line.amount for line in lines), Decimal("0"))
                if resource == "Payments":
                    net, project_id = payments.get(xero_id, (_decimal(doc.get("Amount")), None))
                number = doc.get("InvoiceNumber") or doc.get("CreditNoteNumber") or doc.get("PurchaseOrderNumber") or doc.get("Reference") or doc.get("Name") or ""
                date = doc.get("Date")
                values = {
                    "doc_type": str(doc.get("Type") or doc.get("PaymentType") or "")[:20],
                    "number": str(number)[:255],
                    "contact_id": str(contact.get("ContactID") or "").lower(),
                    "status": str(doc.get("Status") or doc.get("ContactStatus") or "")[:20],
                    "date": date.date() if isinstance(date, dt.datetime) else date if isinstance(date, dt.date) else None,
                    "total": _decimal(doc.get("Total") if doc.get("Total") is not None else doc.get("Amount")),
                    "amount_paid": _decimal(doc.get("AmountPaid")),
                    "net_amount": net,
                    "currency": str(doc.get("CurrencyCode") or "")[:3],
                    "parent_id": str(invoice.get("InvoiceID") or "").lower(),
                    "project_id": project_id,
                    "vendor_id": vendors.get(str(contact.get("ContactID") or "").lower()),
                    "xero_updated_at": doc.get("UpdatedDateUTC") if isinstance(doc.get("UpdatedDateUTC"), dt.datetime) else None,
                    "read_at": self.read_at,
                    "data": plain(doc),
                }
                row, _ = XeroDocument.objects.update_or_create(link=self.link, resource=resource, xero_id=xero_id,
                                                               defaults=values)
                row.lines.all().delete()
                for line in lines:
                    line.document = row
                XeroDocumentLine.objects.bulk_create(lines)

    def forget_missing(self, resource: str, present: set[str]) -> None:
        """Unpaged lists are read whole: what is no longer in them was deleted in Xero."""
        XeroDocument.objects.filter(link=self.link, resource=resource).exclude(xero_id__in=present).update(
            status="DELETED", read_at=self.read_at)
