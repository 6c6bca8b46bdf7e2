"""What settles or adjusts documents in a sandbox organisation: credit note allocations, payments and
manual journals (api/xero.md §6, §7)."""

from __future__ import annotations

from decimal import Decimal

from .ledger import D0, _without_one, money, new_id
from .rules import ElementError, amount, parse_request_date


class SettlementBooks:
    """Allocations, payments and manual journals."""

    # ------------------------------------------------------------------ allocations (§7 CreditNotes)
    def allocate_credit_note(self, note: dict, element: dict) -> dict:
        """PUT /CreditNotes/{id}/Allocations (createCreditNoteAllocation): part of a credit note's
        remaining credit applied to an invoice of the same side (ACCPAYCREDIT to ACCPAY, ACCRECCREDIT
        to ACCREC), the same contact and the same currency; both must be AUTHORISED and the amount no
        more than either the remaining credit or the amount due. Sources:
        - both approved: "Credit can only be allocated for invoices, bills and credit notes that have been
          approved i.e. they have a status of Awaiting Payment" (help.xero.com/au/Payments_AllocateCredit);
        - the amount: the allocation screen offers the credit note's remaining credit and each bill's
          amount outstanding (same page; help.xero.com/uk/Accounts_AP_CreditInvoice: "The credit note can
          be for some or all of the amount outstanding on the bill");
        - same contact: Xero offers only that contact's bills and "will not let you allocate it to an
          invoice or bill if the contact names don't match" (an accountant's guide, wkstrawbridge.co.nz,
          "How to enter credit notes"); no first-party API page states it;
        - same currency: "cross-currency allocations are not supported and will be rejected" (a
          third-party task note on developer.xero.com, mcp.waymark.network); [UNCONFIRMED] first-party;
        - the spec requires Amount, Invoice and Date (Allocation.required)."""
        self._check("Allocation", element, creating=True)
        if note["Status"] != "AUTHORISED":
            raise ElementError(f"Only an AUTHORISED credit note can be allocated (this one is {note['Status']})")
        invoice = self.invoices.get(str((element.get("Invoice") or {}).get("InvoiceID") or "").lower())
        if invoice is None:
            raise ElementError("The invoice of this allocation could not be found")
        if invoice["Status"] != "AUTHORISED":
            raise ElementError(f"Credit can only be allocated to an AUTHORISED invoice (this one is {invoice['Status']})")
        if invoice["Type"] != note["Type"].removesuffix("CREDIT"):
            raise ElementError(f"A {note['Type']} credit note cannot be allocated to an {invoice['Type']} invoice")
        if invoice["Contact"]["ContactID"] != note["Contact"]["ContactID"]:
            raise ElementError("The credit note and the invoice must be for the same contact")
        if invoice.get("CurrencyCode") != note.get("CurrencyCode"):
            raise ElementError(f"The credit note is in {note.get('CurrencyCode')} and the invoice in "
                               f"{invoice.get('CurrencyCode')}: credit can only be allocated in the same currency")
        value = amount(element["Amount"], "Amount", positive=True)
        if value > note["RemainingCredit"]:
            raise ElementError(f"Allocation amount {value} exceeds the remaining credit ({note['RemainingCredit']})")
        if value > invoice["AmountDue"]:
            raise ElementError(f"Allocation amount {value} exceeds the amount due on the invoice ({invoice['AmountDue']})")
        day = parse_request_date(element["Date"], "Date")
        allocation_id = new_id()
        invoice_ref = {"InvoiceID": invoice["InvoiceID"], **(
            {"InvoiceNumber": invoice["InvoiceNumber"]} if invoice.get("InvoiceNumber") else {})}
        note_ref = {"CreditNoteID": note["CreditNoteID"], **(
            {"CreditNoteNumber": note["CreditNoteNumber"]} if note.get("CreditNoteNumber") else {})}
        note.setdefault("Allocations", []).append(
            {"AllocationID": allocation_id, "Amount": value, "Date": day, "Invoice": invoice_ref})
        note["AmountCredited"] = money(note.get("AmountCredited", D0) + value)
        note["RemainingCredit"] = money(note["RemainingCredit"] - value)
        invoice.setdefault("CreditNotes", []).append(
            {**note_ref, "AppliedAmount": value, "Date": day, "Total": note["Total"]})
        invoice["AmountCredited"] = money(invoice["AmountCredited"] + value)
        invoice["AmountDue"] = money(invoice["AmountDue"] - value)
        for doc, left in ((invoice, invoice["AmountDue"]), (note, note["RemainingCredit"])):
            if left == 0:  # fully used credit and fully settled invoices are PAID, as with payments
                doc["Status"] = "PAID"
                doc["FullyPaidOnDate"] = day
            self.touch(doc)
        self.events.append(("INVOICE", "UPDATE", invoice["InvoiceID"], None))
        self.events.append(("CREDITNOTE", "UPDATE", note["CreditNoteID"], {"Type": note["Type"],
                                                                          "Status": note["Status"]}))
        return {"AllocationID": allocation_id, "Amount": value, "Date": day, "Invoice": invoice_ref,
                "CreditNote": note_ref, "IsDeleted": False}

    def delete_allocation(self, note: dict, allocation_id: str) -> dict:
        """DELETE /CreditNotes/{id}/Allocations/{AllocationID} (deleteCreditNoteAllocations): the credit
        returns to the note and the amount to the invoice."""
        allocation = next((a for a in note.get("Allocations") or [] if a["AllocationID"] == allocation_id.lower()),
                          None)
        if allocation is None:
            raise ElementError(f"Allocation {allocation_id} was not found on this credit note")
        invoice = self.invoices[allocation["Invoice"]["InvoiceID"]]
        value = allocation["Amount"]
        note["Allocations"].remove(allocation)
        note["AmountCredited"] = money(note["AmountCredited"] - value)
        note["RemainingCredit"] = money(note["RemainingCredit"] + value)
        invoice["CreditNotes"] = _without_one(invoice["CreditNotes"], note["CreditNoteID"], value)
        invoice["AmountCredited"] = money(invoice["AmountCredited"] - value)
        invoice["AmountDue"] = money(invoice["AmountDue"] + value)
        for doc in (invoice, note):
            if doc["Status"] == "PAID":
                doc["Status"] = "AUTHORISED"
                doc.pop("FullyPaidOnDate", None)
            self.touch(doc)
        return {"AllocationID": allocation["AllocationID"], "Amount": value, "Date": allocation["Date"],
                "Invoice": allocation["Invoice"], "IsDeleted": True}

    # ------------------------------------------------------------------ payments (§6)
    def create_payment(self, element: dict) -> dict:
        self._check("Payment", element, creating=True)
        if element.get("PaymentID"):
            # §6 "Payments are immutable": they are created and deleted, never updated.
            raise ElementError("Payments cannot be modified; delete the payment and create a new one")
        target, kind = None, None
        if element.get("Invoice"):
            ref = element["Invoice"]
            if ref.get("InvoiceID"):
                target = self.invoices.get(str(ref["InvoiceID"]).lower())
            elif ref.get("InvoiceNumber"):
                matches = [i for i in self.invoices.values() if i.get("InvoiceNumber") == ref["InvoiceNumber"]
                           and i["Status"] not in ("DELETED", "VOIDED")]
                if len(matches) > 1:  # §5: ACCPAY numbers are not unique
                    raise ElementError(f"InvoiceNumber {ref['InvoiceNumber']} matches several invoices; use InvoiceID")
                target = matches[0] if matches else None
            kind = "Invoice"
        elif element.get("CreditNote"):
            ref = element["CreditNote"]
            target = self.credit_notes.get(str(ref.get("CreditNoteID") or "").lower())
            kind = "CreditNote"
        else:
            raise ElementError("A payment needs an Invoice or a CreditNote")
        if target is None:
            raise ElementError(f"The {kind} of this payment could not be found")
        if target["Status"] != "AUTHORISED":
            raise ElementError(f"Payment cannot be applied: the {kind} is {target['Status']}, not AUTHORISED")
        account = self.account_ref(element.get("Account"), "Account")
        if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
            raise ElementError("Payments can only be made to a bank account or one with EnablePaymentsToAccount")
        if element.get("Amount") is None:
            raise ElementError("Payment.Amount is required")
        value = amount(element["Amount"], "Amount", positive=True)
        due_key = "AmountDue" if kind == "Invoice" else "RemainingCredit"
        if value > target[due_key]:
            raise ElementError(f"Payment amount {value} exceeds the amount outstanding ({target[due_key]})")
        if not element.get("Date"):
            raise ElementError("Payment.Date is required")
        pay_date = parse_request_date(element["Date"], "Date")
        payment_type = {"ACCPAY": "ACCPAYPAYMENT", "ACCREC": "ACCRECPAYMENT", "ACCPAYCREDIT": "APCREDITPAYMENT",
                        "ACCRECCREDIT": "ARCREDITPAYMENT"}[target["Type"]]
        payment = {
            "PaymentID": new_id(), "Date": pay_date, "Amount": value, "BankAmount": value,
            "CurrencyRate": Decimal("1"), "Reference": element.get("Reference", ""), "IsReconciled": False,
            "Status": "AUTHORISED", "PaymentType": payment_type, "HasAccount": True, "HasValidationErrors": False,
            "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        }
        summary = {f"{kind}ID": target[f"{kind}ID"], "Type": target["Type"], "Contact": target["Contact"]}
        number_key = "InvoiceNumber" if kind == "Invoice" else "CreditNoteNumber"
        if target.get(number_key):
            summary[number_key] = target[number_key]
        payment[kind] = summary
        self.touch(payment)
        self.payments[payment["PaymentID"]] = payment
        target["AmountPaid"] = money(target["AmountPaid"] + value)
        target[due_key] = money(target[due_key] - value)
        target["Payments"].append({"PaymentID": payment["PaymentID"], "Date": pay_date, "Amount": value,
                                   "Reference": payment["Reference"]})
        if target[due_key] == 0:  # §5: PAID is reached by applying payments
            target["Status"] = "PAID"
            target["FullyPaidOnDate"] = pay_date
        self.touch(target)
        # Whether Xero fires INVOICE UPDATE for a payment is [UNCONFIRMED] (§8); the sandbox does not,
        # so the connector must find payments by polling /Payments (PAY-5).
        return payment

    def delete_payment(self, payment: dict, element: dict) -> dict:
        if set(element) - {"Status", "PaymentID"} or element.get("Status") != "DELETED":
            # §6 "Payments are immutable. They cannot be updated, only created and deleted"
            raise ElementError("Payments cannot be modified; the only change allowed is Status DELETED")
        if payment["Status"] == "DELETED":
            raise ElementError("This payment has already been deleted")
        payment["Status"] = "DELETED"
        self.touch(payment)  # §6: deleted payments stay queryable with a new UpdatedDateUTC
        kind = "Invoice" if "Invoice" in payment else "CreditNote"
        store = self.invoices if kind == "Invoice" else self.credit_notes
        target = store[payment[kind][f"{kind}ID"]]
        due_key = "AmountDue" if kind == "Invoice" else "RemainingCredit"
        target["AmountPaid"] = money(target["AmountPaid"] - payment["Amount"])
        target[due_key] = money(target[due_key] + payment["Amount"])
        target["Payments"] = [p for p in target["Payments"] if p["PaymentID"] != payment["PaymentID"]]
        if target["Status"] == "PAID":  # deleting a payment re-opens its bill
            target["Status"] = "AUTHORISED"
            target.pop("FullyPaidOnDate", None)
        self.touch(target)
        return payment

    # ------------------------------------------------------------------ manual journals (§7 ManualJournals)
    def write_manual_journal(self, element: dict) -> dict:
        existing = self._existing(self.manual_journals, element, "ManualJournalID", "ManualJournal")
        self._check("ManualJournal", element, creating=existing is None)
        if existing is not None:
            status = self._status_change(existing, element.get("Status"), {"DRAFT": {"POSTED", "DELETED"},
                                                                           "POSTED": {"VOIDED"}}, "DRAFT")
            existing["Status"] = status
            self.touch(existing)
            return existing
        lines = element.get("JournalLines") or []
        if len(lines) < 2:
            raise ElementError("A manual journal needs at least two journal lines")
        out, total = [], D0
        for index, line in enumerate(lines, start=1):
            if line.get("LineAmount") is None or not line.get("AccountCode"):
                raise ElementError(f"Journal line {index}: LineAmount and AccountCode are required")
            value = amount(line["LineAmount"], f"Journal line {index} LineAmount")
            account = self.account_by_code(line["AccountCode"])
            if account is None:
                raise ElementError(f"Journal line {index}: Account code '{line['AccountCode']}' is not valid")
            total += value
            out.append({"LineAmount": value, "AccountCode": account["Code"], "AccountID": account["AccountID"],
                        "Description": line.get("Description", ""), "TaxType": line.get("TaxType") or "NONE",
                        "TaxAmount": D0, "IsBlank": False, "Tracking": self.tracking_for_line(line.get("Tracking"))})
        if total != 0:
            raise ElementError("The total debits must equal the total credits")
        status = element.get("Status") or "DRAFT"
        if status not in ("DRAFT", "POSTED"):
            raise ElementError(f"A new manual journal cannot have status {status}")
        doc = {"ManualJournalID": new_id(), "Narration": element["Narration"], "JournalLines": out,
               "Date": parse_request_date(element["Date"], "Date") if element.get("Date") else self.now().date(),
               "LineAmountTypes": element.get("LineAmountTypes") or "NoTax", "Status": status,
               "ShowOnCashBasisReports": bool(element.get("ShowOnCashBasisReports", True)), "HasAttachments": False}
        self.touch(doc)
        self.manual_journals[doc["ManualJournalID"]] = doc
        return doc
