"""Invoices, credit notes, purchase orders and bank transactions of a sandbox organisation (api/xero.md §5, §7)."""

from __future__ import annotations

from decimal import Decimal

from .ledger import D0, INVOICE_TRANSITIONS, NOT_MODIFIABLE, PO_TRANSITIONS, money, new_id
from .rules import ElementError, max_length, parse_request_date


class DocumentBooks:
    """Writes of the documents that carry line items."""

    def write_invoice(self, element: dict, *, kind: str, unitdp: int) -> dict:
        """kind: "Invoice" or "CreditNote"."""
        store = self.invoices if kind == "Invoice" else self.credit_notes
        id_key = f"{kind}ID"
        number_key = "InvoiceNumber" if kind == "Invoice" else "CreditNoteNumber"
        self._check(kind, element, creating=False)
        existing = self._existing(store, element, id_key, kind)
        allowed_types = ("ACCPAY", "ACCREC") if kind == "Invoice" else ("ACCPAYCREDIT", "ACCRECCREDIT")
        if existing is None:
            missing = [f for f in ("Type", "Contact", "LineItems") if not element.get(f)]
            if missing:  # §5 "Required to create a draft: Type, Contact, LineItems"
                raise ElementError(*[f"{kind}.{f} is required" for f in missing])
        doc_type = element.get("Type", existing and existing["Type"])
        if doc_type not in allowed_types:
            raise ElementError(f"{kind} Type {doc_type} is not supported here (use one of {', '.join(allowed_types)})")
        if existing is not None and element.get("Type") and element["Type"] != existing["Type"]:
            raise ElementError(f"The Type of an existing {kind} cannot be changed")
        status = self._status_change(existing, element.get("Status"), INVOICE_TRANSITIONS, "DRAFT")
        editing_content = any(k in element for k in ("LineItems", "Contact", "Date", "DueDate", "LineAmountTypes",
                                                     number_key, "Reference", "CurrencyCode"))
        if existing is not None:
            if existing["Status"] in ("PAID", "VOIDED", "DELETED") and (editing_content or status != existing["Status"]):
                raise ElementError(NOT_MODIFIABLE)
            if (existing.get("Payments") or existing.get("CreditNotes") or existing.get("Allocations")) and (
                    editing_content or status == "VOIDED"):
                # §5: "Payments must be deleted before an invoice can be voided" (pyxero#350); the sandbox
                # holds allocated credit the same way ([UNCONFIRMED] for allocations).
                raise ElementError(f"{NOT_MODIFIABLE}: this document has payments allocated; delete them first")
        line_amount_types = element.get("LineAmountTypes") or (existing or {}).get("LineAmountTypes") or "Exclusive"
        need_account = status in ("SUBMITTED", "AUTHORISED")
        if "LineItems" in element:
            lines = self.line_items(element["LineItems"], line_amount_types=line_amount_types,
                                    need_account=need_account, unitdp=unitdp,
                                    previous=existing and existing["LineItems"],
                                    sales=doc_type in ("ACCREC", "ACCRECCREDIT"))
            if not lines:
                raise ElementError(f"{kind}.LineItems must have at least one line")
        else:
            lines = existing["LineItems"]
            if need_account and any(not line.get("AccountCode") for line in lines):
                raise ElementError("Account code must be specified on every line before approval")
        totals = self.totals(lines, line_amount_types)
        self._check_total(element, totals)
        if totals["Total"] < 0 and status in ("SUBMITTED", "AUTHORISED"):
            # A line may be negative, the document's total may not once approved: "Xero does not allow an
            # invoice with a value less than zero to be approved, negative invoices must be processed as a
            # credit note" (support.kindo.co.nz, "Xero Rapid Integration - How to process a negative
            # invoice"; a draft negative invoice is created); "a single line on an invoice can be negative
            # but the total invoice cannot be" (Xero Community, Transactions UK). A credit note likewise
            # nets to a positive credit (the same Kindo page). Xero's exact message is [UNCONFIRMED].
            raise ElementError(f"The {'invoice' if kind == 'Invoice' else 'credit note'} total cannot be negative "
                               f"({totals['Total']}) once approved: enter a "
                               f"{'credit note' if kind == 'Invoice' else 'bill or invoice'} instead")
        currency = self._currency(element) if existing is None or "CurrencyCode" in element else existing["CurrencyCode"]
        number = element.get(number_key, (existing or {}).get(number_key))
        max_length(number, 255, number_key)
        if doc_type in ("ACCREC", "ACCRECCREDIT"):
            if not number:
                prefix = "INV" if kind == "Invoice" else "CN"
                self.counters[prefix] += 1
                number = f"{prefix}-{self.counters[prefix]:04d}"
            # §5: InvoiceNumber is unique only for ACCREC; ACCPAY numbers are "non-unique".
            for other in store.values():
                if (other is not existing and other["Type"] == doc_type and other.get(number_key) == number
                        and other["Status"] not in ("DELETED", "VOIDED")):
                    raise ElementError(f"{number_key} {number} already exists (it must be unique)")
        max_length(element.get("Reference"), 255, "Reference")
        if element.get("Url") and not str(element["Url"]).startswith(("http://", "https://")):
            raise ElementError("Url must be an absolute http(s) URL")
        dates = {}
        for key in ("Date", "DueDate", "PlannedPaymentDate", "ExpectedPaymentDate"):
            if element.get(key) is not None:
                dates[key] = parse_request_date(element[key], key)
        contact = self.contact_ref(element["Contact"]) if element.get("Contact") else \
            self.contacts[existing["Contact"]["ContactID"]]
        doc = existing or {id_key: new_id(), "Type": doc_type, "HasAttachments": False, "Payments": [],
                           "AmountPaid": D0, "AmountCredited": D0,
                           "CurrencyRate": self._currency_rate(element, currency),
                           "Date": self.now().date()}
        for key in ("Reference", "Url", "SentToContact", "BrandingThemeID"):
            if key in element:
                doc[key] = element[key]
        doc.update(dates)
        doc.update(Contact=self.contact_summary(contact), LineItems=lines, LineAmountTypes=line_amount_types,
                   Status=status, CurrencyCode=currency, **totals)
        if number:
            doc[number_key] = number
        paid = doc["AmountPaid"] + doc.get("AmountCredited", D0)
        # A voided document owes nothing: Xero's own GET /Invoices example shows a VOIDED invoice with
        # Total 40.00 and AmountDue 0.00 (xero_accounting.yaml, /Invoices get, InvoiceID d4956132-...);
        # that a voided credit note's RemainingCredit is 0 likewise is [UNCONFIRMED].
        outstanding = D0 if status == "VOIDED" else money(doc["Total"] - paid)
        if kind == "Invoice":
            doc["AmountDue"] = outstanding
        else:
            doc["RemainingCredit"] = outstanding
        self.mark_contact_role(contact, doc_type)
        self.touch(doc)
        store[doc[id_key]] = doc
        category = "INVOICE" if kind == "Invoice" else "CREDITNOTE"
        data = {"Type": doc_type, "Status": status} if kind == "CreditNote" else None
        self.events.append((category, "UPDATE" if existing else "CREATE", doc[id_key], data))
        return doc

    # ------------------------------------------------------------------ purchase orders (§7 PurchaseOrders)
    def write_purchase_order(self, element: dict, *, unitdp: int) -> dict:
        self._check("PurchaseOrder", element, creating=False)
        existing = self._existing(self.purchase_orders, element, "PurchaseOrderID", "PurchaseOrder")
        if existing is None:
            missing = [f for f in ("Contact", "LineItems") if not element.get(f)]
            if missing:
                raise ElementError(*[f"PurchaseOrder.{f} is required" for f in missing])
        status = self._status_change(existing, element.get("Status"), PO_TRANSITIONS, "DRAFT")
        if existing is not None and existing["Status"] == "DELETED":
            raise ElementError("A deleted purchase order cannot be modified")
        line_amount_types = element.get("LineAmountTypes") or (existing or {}).get("LineAmountTypes") or "Exclusive"
        if "LineItems" in element:
            lines = self.line_items(element["LineItems"], line_amount_types=line_amount_types, need_account=False,
                                    unitdp=unitdp, previous=existing and existing["LineItems"])
            if not lines:
                raise ElementError("PurchaseOrder.LineItems must have at least one line")
        else:
            lines = existing["LineItems"]
        totals = self.totals(lines, line_amount_types)
        self._check_total(element, totals)
        max_length(element.get("DeliveryInstructions"), 500, "DeliveryInstructions")  # §7
        max_length(element.get("Reference"), 255, "Reference")
        number = element.get("PurchaseOrderNumber") or (existing or {}).get("PurchaseOrderNumber")
        if not number:  # §7: auto-generated if missing
            self.counters["PO"] += 1
            number = f"PO-{self.counters['PO']:04d}"
        max_length(number, 255, "PurchaseOrderNumber")
        for other in self.purchase_orders.values():  # §7: "described as unique"
            if other is not existing and other["PurchaseOrderNumber"] == number and other["Status"] != "DELETED":
                raise ElementError(f"PurchaseOrderNumber {number} already exists (it must be unique)")
        currency = self._currency(element) if existing is None or "CurrencyCode" in element else existing["CurrencyCode"]
        dates = {}
        for key in ("Date", "DeliveryDate", "ExpectedArrivalDate"):
            if element.get(key) is not None:
                dates[key] = parse_request_date(element[key], key)
        contact = self.contact_ref(element["Contact"]) if element.get("Contact") else \
            self.contacts[existing["Contact"]["ContactID"]]
        doc = existing or {"PurchaseOrderID": new_id(), "HasAttachments": False, "SentToContact": False,
                           "CurrencyRate": self._currency_rate(element, currency), "Date": self.now().date()}
        for key in ("Reference", "DeliveryAddress", "AttentionTo", "Telephone", "DeliveryInstructions",
                    "BrandingThemeID", "SentToContact"):
            if key in element:
                doc[key] = element[key]
        doc.update(dates)
        doc.update(Contact=self.contact_summary(contact), LineItems=lines, LineAmountTypes=line_amount_types,
                   Status=status, PurchaseOrderNumber=number, CurrencyCode=currency, **totals)
        self.mark_contact_role(contact, "PO")
        self.touch(doc)
        self.purchase_orders[doc["PurchaseOrderID"]] = doc
        return doc

    # ------------------------------------------------------------------ bank transactions (§7 BankTransactions)
    def write_bank_transaction(self, element: dict, *, unitdp: int) -> dict:
        existing = self._existing(self.bank_transactions, element, "BankTransactionID", "BankTransaction")
        self._check("BankTransaction", element, creating=existing is None)
        if existing is not None:
            status = element.get("Status", existing["Status"])
            if existing["Status"] != "AUTHORISED" and status != existing["Status"]:
                raise ElementError(f"A {existing['Status']} bank transaction cannot be modified")
            if set(element) - {"BankTransactionID", "Status", "Reference", "Url"}:
                raise ElementError("Only Status, Reference and Url of an existing bank transaction can be changed "
                                   "in the sandbox")
            existing.update({k: v for k, v in element.items() if k != "BankTransactionID"})
            self.touch(existing)
            return existing
        doc_type = element["Type"]
        if doc_type.endswith("-TRANSFER"):
            raise ElementError("Transfers are created with BankTransfers, not BankTransactions")
        bank = self.account_ref(element["BankAccount"], "BankAccount")
        if bank["Type"] != "BANK":
            raise ElementError("BankAccount must be a bank account")
        if not element.get("Contact"):
            raise ElementError("BankTransaction.Contact is required")
        status = element.get("Status") or "AUTHORISED"
        if status != "AUTHORISED":
            raise ElementError(f"A new bank transaction cannot have status {status}")
        line_amount_types = element.get("LineAmountTypes") or "Exclusive"
        lines = self.line_items(element["LineItems"], line_amount_types=line_amount_types, need_account=True,
                                unitdp=unitdp)
        if not lines:
            raise ElementError("BankTransaction.LineItems must have at least one line")
        totals = self.totals(lines, line_amount_types)
        self._check_total(element, totals)
        currency = self._currency(element)
        contact = self.contact_ref(element["Contact"])
        doc = {"BankTransactionID": new_id(), "Type": doc_type, "Contact": self.contact_summary(contact),
               "BankAccount": {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]},
               "LineItems": lines, "LineAmountTypes": line_amount_types, "Status": status, "IsReconciled":
               bool(element.get("IsReconciled", False)), "HasAttachments": False,
               "Date": parse_request_date(element["Date"], "Date") if element.get("Date") else self.now().date(),
               "CurrencyCode": currency, "CurrencyRate": Decimal("1"), **totals}
        for key in ("Reference", "Url"):
            if key in element:
                doc[key] = element[key]
        self.touch(doc)
        self.bank_transactions[doc["BankTransactionID"]] = doc
        return doc
