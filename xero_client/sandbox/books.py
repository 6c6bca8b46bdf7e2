"""One organisation (tenant) of the sandbox: its chart of accounts and documents, and Xero's rules.

Every rule names its source in api/xero.md. Documents are kept as dicts with Python values
(`Decimal`, `date`, aware `datetime`); `wire.render` turns them into Xero's JSON. Each family of
writes lives in its own module (books_contacts, books_tracking, books_documents, books_settlement);
the standing data (tax rates, chart of accounts, status ladders) in ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from .attachments import Attachments
from .books_contacts import ContactBooks
from .books_documents import DocumentBooks
from .books_settlement import SettlementBooks
from .books_tax import TaxBooks
from .books_tracking import TrackingBooks
from .fields import REQUIRED
from .ledger import (
    BASE_CURRENCY,
    CURRENCIES,
    D0,
    NOT_MODIFIABLE,
    STANDARD_ACCOUNTS,
    SYSTEM_ACCOUNTS,
    TIMEZONE,
    money,
    new_id,
)
from .rules import ElementError, amount, check_fields, max_length


class Books(ContactBooks, TrackingBooks, DocumentBooks, SettlementBooks, TaxBooks):
    """The ledger of one tenant."""

    def __init__(self, tenant_id: str, name: str, now: Callable[[], datetime]):
        self.tenant_id = tenant_id
        self.name = name
        self.now = now
        created = now()
        self.organisation = {
            "OrganisationID": tenant_id, "Name": name, "LegalName": name, "PaysTax": True, "Version": "NZ",
            "OrganisationType": "COMPANY", "BaseCurrency": BASE_CURRENCY, "CountryCode": "NZ",
            "IsDemoCompany": False, "OrganisationStatus": "ACTIVE", "FinancialYearEndDay": 31,
            "FinancialYearEndMonth": 3, "Timezone": TIMEZONE, "OrganisationEntityType": "COMPANY",
            "SalesTaxBasis": "PAYMENTS", "SalesTaxPeriod": "TWOMONTHS", "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "ShortCode": "!" + tenant_id[:5], "Class": "STANDARD", "Edition": "BUSINESS", "CreatedDateUTC": created,
        }
        self.accounts: dict[str, dict] = {}
        for code, acct_name, typ, cls, tax in STANDARD_ACCOUNTS:
            account = {"AccountID": new_id(), "Code": code, "Name": acct_name, "Type": typ, "Class": cls,
                       "Status": "ACTIVE", "TaxType": tax, "EnablePaymentsToAccount": False,
                       "ShowInExpenseClaims": typ == "EXPENSE", "HasAttachments": False, "UpdatedDateUTC": created}
            if typ == "BANK":
                account.update(BankAccountNumber="0901234567", BankAccountType="BANK", CurrencyCode=BASE_CURRENCY)
            if code in SYSTEM_ACCOUNTS:
                account["SystemAccount"] = SYSTEM_ACCOUNTS[code]
            self.accounts[account["AccountID"]] = account
        self.contacts: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}
        self.items: dict[str, dict] = {}
        self.tracking: dict[str, dict] = {}
        self.purchase_orders: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.credit_notes: dict[str, dict] = {}
        # History and notes by (resource, document id): what PUT /{Resource}/{id}/History added.
        self.history: dict[tuple[str, str], list[dict]] = {}
        self.bank_transactions: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.manual_journals: dict[str, dict] = {}
        self.custom_tax_rates: dict[str, dict] = {}
        self.files = Attachments()
        self.counters = {"INV": 0, "CN": 0, "PO": 0}
        self.events: list[tuple[str, str, str, dict | None]] = []  # (category, type, id, data) for webhooks

    # ------------------------------------------------------------------ lookups
    def account_by_code(self, code: str | None) -> dict | None:
        for account in self.accounts.values():
            if account["Code"] == code and account["Status"] == "ACTIVE":
                return account
        return None

    def account_ref(self, ref: Any, field: str) -> dict:
        if not isinstance(ref, dict):
            raise ElementError(f"{field} must be given with AccountID or Code")
        account = None
        if ref.get("AccountID"):
            account = self.accounts.get(str(ref["AccountID"]).lower())
        elif ref.get("Code"):
            account = self.account_by_code(ref["Code"])
        if account is None or account["Status"] != "ACTIVE":
            raise ElementError(f"{field}: account could not be found")
        return account

    def contact_ref(self, ref: Any) -> dict:
        """Contact by ContactID; by Name an existing active contact is used, or a new one created (§5)."""
        if not isinstance(ref, dict):
            raise ElementError("A Contact must be specified")
        if ref.get("ContactID"):
            contact = self.contacts.get(str(ref["ContactID"]).lower())
            if contact is None:
                raise ElementError(f"The contact with ContactID {ref['ContactID']} could not be found")
            return contact
        name = ref.get("Name")
        if isinstance(name, str) and name.strip():
            found = self._active_contact_named(name)
            if found:
                return found
            return self._store_contact({"Name": name.strip()}, None)
        raise ElementError("A Contact must be specified with ContactID or Name")

    def _active_contact_named(self, name: str, *, other_than: str | None = None) -> dict | None:
        wanted = name.strip().casefold()
        for contact in self.contacts.values():
            if (contact["ContactStatus"] == "ACTIVE" and contact["ContactID"] != other_than
                    and contact["Name"].strip().casefold() == wanted):
                return contact
        return None

    def contact_summary(self, contact: dict) -> dict:
        return {"ContactID": contact["ContactID"], "Name": contact["Name"],
                **({"ContactNumber": contact["ContactNumber"]} if contact.get("ContactNumber") else {})}

    def item_by_code(self, code: str) -> dict | None:
        wanted = code.casefold()
        for item in self.items.values():
            if item["Code"].casefold() == wanted:
                return item
        return None

    def touch(self, doc: dict) -> None:
        doc["UpdatedDateUTC"] = self.now()

    # ------------------------------------------------------------------ generic element checks
    def _check(self, schema: str, element: dict, *, creating: bool) -> None:
        problems = check_fields(schema, element)
        if problems:
            raise ElementError(*problems)
        if creating:
            missing = [f for f in REQUIRED.get(schema, ()) if element.get(f) in (None, "", [])]
            if missing:
                raise ElementError(*[f"{schema}.{f} is required" for f in missing])

    @staticmethod
    def _existing(store: dict, element: dict, id_key: str, kind: str) -> dict | None:
        doc_id = element.get(id_key)
        if not doc_id:
            return None
        doc = store.get(str(doc_id).lower())
        if doc is None:
            raise ElementError(f"{kind} with {id_key} {doc_id} could not be found")
        return doc

    def line_items(self, lines: Any, *, line_amount_types: str, need_account: bool, unitdp: int,
                   previous: list[dict] | None = None, sales: bool = False) -> list[dict]:
        if not isinstance(lines, list):
            raise ElementError("LineItems must be a list")
        previous_ids = {line["LineItemID"] for line in previous or []}
        out = []
        for index, line in enumerate(lines, start=1):
            label = f"Line {index}"
            item = None
            if line.get("ItemCode"):
                item = self.item_by_code(str(line["ItemCode"]))
                if item is None:
                    raise ElementError(f"{label}: Item code '{line['ItemCode']}' is not valid")
            description = line.get("Description")
            if not description and item is not None:
                description = item.get("PurchaseDescription") or item.get("Description") or item.get("Name")
            if not description or not str(description).strip():
                raise ElementError(f"{label}: Description must be specified")  # §5 "at least 1 char"
            max_length(description, 4000, f"{label} Description")
            quantity = amount(line.get("Quantity", Decimal("1")), f"{label} Quantity", places=4)
            unit = line.get("UnitAmount")
            given_line_amount = line.get("LineAmount")
            if unit is None and given_line_amount is not None:
                line_amount = amount(given_line_amount, f"{label} LineAmount")
                unit = (line_amount / quantity).quantize(Decimal(1).scaleb(-unitdp)) if quantity else D0
            else:
                unit = amount(unit if unit is not None else D0, f"{label} UnitAmount", places=unitdp)
                line_amount = money(quantity * unit)
                if given_line_amount is not None and amount(given_line_amount, f"{label} LineAmount") != line_amount:
                    raise ElementError(f"{label}: LineAmount {given_line_amount} does not equal Quantity x UnitAmount "
                                       f"({line_amount})")
            account_code = line.get("AccountCode")
            if not account_code and item is not None:
                # A line with an Item and no AccountCode posts to the Item's account: its sales account on
                # sales documents, its purchase account on bills and orders (Xero Items docs: "SalesDetails /
                # PurchaseDetails ... AccountCode: Default account code to be used for purchased/sale";
                # XeroAPI/Xero-Net#15: with ItemCode set and no AccountCode "the invoice gets created with
                # appropriate" account and tax of the Item). A line with neither is refused once the
                # document is SUBMITTED or AUTHORISED, "Account code must be specified" (calcinai/xero-php#230),
                # and kept without an account on a DRAFT (XeroAPI/xero-node#398: "setting the Invoice Status
                # to DRAFT ... allows the creation of an invoice without an account code on the line item").
                details = item.get("SalesDetails" if sales else "PurchaseDetails") or {}
                account_code = details.get("AccountCode")
            account = None
            if account_code:
                account = self.account_by_code(account_code)
                if account is None or account["Type"] == "BANK":
                    raise ElementError(f"{label}: Account code '{account_code}' is not a valid code for this document.")
            elif need_account:
                raise ElementError(f"{label}: Account code must be specified")
            tax_type = line.get("TaxType") or (account or {}).get("TaxType") or "NONE"
            rate = self.tax_rate_of(tax_type)  # a deleted or archived rate is no longer one a line takes
            if rate is None:
                raise ElementError(f"{label}: TaxType '{tax_type}' is not a valid tax type")
            if line.get("TaxType") and account is not None and not self.tax_type_applies(tax_type, account):
                # A rate applies only to the account classes its CanApplyTo* flags name (spec: TaxRate),
                # and Xero refuses a line that pairs it with another: "The TaxType code 'GST on Income'
                # cannot be used with account code '60410'." (XeroAPI/Xero-Java#336), so a purchase rate
                # (INPUT2) on a sales account, or a sales rate (OUTPUT2) on an expense account, is refused.
                raise ElementError(f"{label}: The TaxType code '{tax_type}' cannot be used with account code "
                                   f"'{account['Code']}'.")
            rate = rate / 100
            if line_amount_types == "Exclusive":
                tax = money(line_amount * rate)
            elif line_amount_types == "Inclusive":
                tax = money(line_amount - line_amount / (1 + rate))
            else:
                tax = D0
            line_id = str(line.get("LineItemID") or "").lower()
            if line_id and line_id not in previous_ids:
                raise ElementError(f"{label}: LineItemID {line_id} is not a line of this document")
            out.append({
                "LineItemID": line_id or new_id(), "Description": str(description), "Quantity": quantity,
                "UnitAmount": unit, "LineAmount": line_amount, "TaxType": tax_type, "TaxAmount": tax,
                **({"ItemCode": item["Code"], "Item": {"ItemID": item["ItemID"], "Code": item["Code"],
                                                        "Name": item.get("Name") or item["Code"]}} if item else {}),
                **({"AccountCode": account["Code"], "AccountID": account["AccountID"]} if account else {}),
                "Tracking": self.tracking_for_line(line.get("Tracking")),
            })
        return out

    @staticmethod
    def totals(lines: list[dict], line_amount_types: str) -> dict:
        line_total = sum((line["LineAmount"] for line in lines), D0)
        tax = sum((line["TaxAmount"] for line in lines), D0)
        subtotal = line_total - tax if line_amount_types == "Inclusive" else line_total
        return {"SubTotal": money(subtotal), "TotalTax": money(tax), "Total": money(subtotal + tax)}

    def currencies(self) -> list[dict]:
        """GET /Currencies: the organisation's enabled currencies (Currency: Code, Description)."""
        return [{"Code": code, "Description": name} for code, (name, _rate) in CURRENCIES.items()]

    def _currency(self, element: dict) -> str:
        """A document's CurrencyCode, the base currency when absent. One the organisation has not
        enabled is refused with Xero's message, "Organisation is not subscribed to currency USD" (as
        Xero answers it: help.file.ai "How to Troubleshoot Xero Error Messages During Export", Xero
        error 2, and the payments notes of api/xero.md)."""
        code = str(element.get("CurrencyCode") or BASE_CURRENCY).upper()
        if code not in CURRENCIES:
            raise ElementError(f"Organisation is not subscribed to currency {code}")
        return code

    @staticmethod
    def _currency_rate(element: dict, code: str) -> Decimal:
        """The rate a new document keeps: the request's CurrencyRate, else the sandbox's fixed rate."""
        if element.get("CurrencyRate") not in (None, "") and code != BASE_CURRENCY:
            return amount(element["CurrencyRate"], "CurrencyRate", places=6, positive=True)
        return CURRENCIES[code][1]

    def _check_total(self, element: dict, totals: dict) -> None:
        # §3: "The invoice total does not equal the sum of the lines" (xeroizer#23)
        if element.get("Total") is not None and amount(element["Total"], "Total") != totals["Total"]:
            raise ElementError("The document total does not equal the sum of the lines")

    # ------------------------------------------------------------------ invoices and credit notes (§5, §7)
    def _status_change(self, doc: dict | None, wanted: str | None, transitions: dict, default: str) -> str:
        if doc is None:
            status = wanted or default
            if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
                raise ElementError(f"A new document cannot have status {status}")
            return status
        current = doc["Status"]
        if wanted is None or wanted == current:
            return current
        if wanted not in transitions.get(current, set()):
            raise ElementError(f"{NOT_MODIFIABLE}: {current} cannot become {wanted}")
        return wanted
