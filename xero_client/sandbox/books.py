"""One organisation (tenant) of the sandbox: its chart of accounts and documents, and Xero's rules.

Every rule names its source in api/xero.md. Documents are kept as dicts with Python values
(`Decimal`, `date`, aware `datetime`); `app.render` turns them into Xero's JSON.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .attachments import Attachments
from .fields import REQUIRED
from .rules import ElementError, amount, check_fields, max_length, parse_request_date

D0 = Decimal("0")
CENT = Decimal("0.01")
# The sandbox's organisation is a New Zealand one, the country of every organisation example in
# xero_accounting.yaml (getOrganisations: Version NZ, BaseCurrency NZD, CountryCode NZ, Timezone
# NEWZEALANDSTANDARDTIME; its invoice examples use TaxType INPUT2/OUTPUT2).
BASE_CURRENCY = "NZD"
TIMEZONE = "NEWZEALANDSTANDARDTIME"

# New Zealand's tax rates (rates in %), as Xero's tax-types documentation lists them for NZ
# (developer.xero.com/documentation/api/accounting/types#tax-types): INPUT2 "GST on Expenses" 15 %,
# OUTPUT2 "GST on Income" 15 %, NONE "No GST", ZERORATED "Zero Rated", GSTONIMPORTS "GST on Imports".
# A line's TaxType defaults to its account's TaxType.
TAX_RATE_TABLE = [
    ("INPUT2", "15% GST on Expenses", Decimal("15"), ("Expenses", "Assets", "Liabilities", "Equity")),
    ("OUTPUT2", "15% GST on Income", Decimal("15"), ("Revenue", "Assets", "Liabilities", "Equity")),
    ("NONE", "No GST", Decimal("0"), ("Expenses", "Revenue", "Assets", "Liabilities", "Equity")),
    ("ZERORATED", "Zero Rated", Decimal("0"), ("Revenue", "Assets", "Liabilities", "Equity")),
    ("GSTONIMPORTS", "GST on Imports", Decimal("0"), ("Expenses", "Liabilities")),
]
TAX_RATES = {tax_type: rate for tax_type, _, rate, _ in TAX_RATE_TABLE}

# §1 "a fresh sandbox holds one organisation with a standard chart of accounts (a bank account among them)"
STANDARD_ACCOUNTS = [
    ("090", "Business Bank Account", "BANK", "ASSET", "NONE"),
    ("200", "Sales", "REVENUE", "REVENUE", "OUTPUT2"),
    ("260", "Other Revenue", "OTHERINCOME", "REVENUE", "OUTPUT2"),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "INPUT2"),
    ("320", "Subcontractors", "DIRECTCOSTS", "EXPENSE", "INPUT2"),
    ("330", "Materials", "DIRECTCOSTS", "EXPENSE", "INPUT2"),
    ("400", "Advertising", "EXPENSE", "EXPENSE", "INPUT2"),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", "INPUT2"),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", "NONE"),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE"),
    ("820", "GST", "CURRLIAB", "LIABILITY", "NONE"),
    ("960", "Retained Earnings", "EQUITY", "EQUITY", "NONE"),
]
SYSTEM_ACCOUNTS = {"610": "DEBTORS", "800": "CREDITORS", "820": "GST", "960": "RETAINEDEARNINGS"}

# §5 "Allowed transitions (confirmed by Xero support)": DRAFT→SUBMITTED/AUTHORISED/DELETED,
# SUBMITTED→DRAFT/AUTHORISED/DELETED, AUTHORISED→VOIDED. PAID is reached only by payments.
INVOICE_TRANSITIONS = {
    "DRAFT": {"SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"VOIDED"},
    "PAID": set(),
    "VOIDED": set(),
    "DELETED": set(),
}
# §7 PurchaseOrders: Status DRAFT, SUBMITTED, AUTHORISED, BILLED, DELETED (same ladder as invoices;
# an approved PO can still be edited, which CCO-1 relies on).
PO_TRANSITIONS = {
    "DRAFT": {"SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"BILLED", "DELETED"},
    "BILLED": {"AUTHORISED"},
    "DELETED": set(),
}
NOT_MODIFIABLE = "Invoice not of valid status for modification"  # §3, Xero-NetStandard#79


def new_id() -> str:
    return str(uuid.uuid4())


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Books:
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
        self.bank_transactions: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.manual_journals: dict[str, dict] = {}
        self.files = Attachments()
        self.counters = {"INV": 0, "CN": 0, "PO": 0}
        self.events: list[tuple[str, str, str, dict | None]] = []  # (category, type, id, data) for webhooks

    @staticmethod
    def tax_rates() -> list[dict]:
        """GET /TaxRates: the organisation's tax rates (TAX_RATE_TABLE), one GST component each."""
        targets = ("Assets", "Equity", "Expenses", "Liabilities", "Revenue")
        return [{"Name": name, "TaxType": tax_type, "Status": "ACTIVE", "DisplayTaxRate": rate, "EffectiveRate": rate,
                 "TaxComponents": [{"Name": "GST", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}],
                 **{f"CanApplyTo{target}": target in applies for target in targets}}
                for tax_type, name, rate, applies in TAX_RATE_TABLE]

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

    # ------------------------------------------------------------------ line items and tracking
    def tracking_for_line(self, tracking: Any) -> list[dict]:
        """§5 "Tracking": up to 2 per line, given by category Name + Option, checked against the
        ACTIVE categories and options (IDs are accepted too and must agree)."""
        if not tracking:
            return []
        if not isinstance(tracking, list):
            raise ElementError("Tracking must be a list")
        if len(tracking) > 2:
            raise ElementError("A line item can have at most 2 tracking categories")
        result, seen = [], set()
        for entry in tracking:
            category = None
            if entry.get("TrackingCategoryID"):
                category = self.tracking.get(str(entry["TrackingCategoryID"]).lower())
            elif entry.get("Name"):
                category = next((c for c in self.tracking.values() if c["Status"] == "ACTIVE"
                                 and c["Name"].casefold() == str(entry["Name"]).strip().casefold()), None)
            if category is None or category["Status"] != "ACTIVE" or (
                    entry.get("Name") and category["Name"].casefold() != str(entry["Name"]).strip().casefold()):
                raise ElementError("Unknown tracking details. A Tracking Category did not match a known Active "
                                   f"TrackingCategory ('{entry.get('Name') or entry.get('TrackingCategoryID')}')")
            if category["TrackingCategoryID"] in seen:
                raise ElementError(f"Tracking category '{category['Name']}' is given twice on one line")
            seen.add(category["TrackingCategoryID"])
            option = None
            if entry.get("TrackingOptionID"):
                option = next((o for o in category["Options"]
                               if o["TrackingOptionID"] == str(entry["TrackingOptionID"]).lower()), None)
            elif entry.get("Option"):
                option = next((o for o in category["Options"]
                               if o["Name"].casefold() == str(entry["Option"]).strip().casefold()), None)
            if option is None or option["Status"] != "ACTIVE" or (
                    entry.get("Option") and option["Name"].casefold() != str(entry["Option"]).strip().casefold()):
                raise ElementError(f"The tracking option '{entry.get('Option') or entry.get('TrackingOptionID')}' "
                                   f"is not an active option of tracking category '{category['Name']}'")
            result.append({"TrackingCategoryID": category["TrackingCategoryID"],
                           "TrackingOptionID": option["TrackingOptionID"], "Name": category["Name"],
                           "Option": option["Name"]})
        return result

    def line_items(self, lines: Any, *, line_amount_types: str, need_account: bool, unitdp: int,
                   previous: list[dict] | None = None) -> list[dict]:
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
                details = item.get("PurchaseDetails") or {}
                account_code = details.get("AccountCode")
            account = None
            if account_code:
                account = self.account_by_code(account_code)
                if account is None or account["Type"] == "BANK":
                    raise ElementError(f"{label}: Account code '{account_code}' is not a valid code for this document.")
            elif need_account:
                raise ElementError(f"{label}: Account code must be specified")
            tax_type = line.get("TaxType") or (account or {}).get("TaxType") or "NONE"
            if tax_type not in TAX_RATES:
                raise ElementError(f"{label}: TaxType '{tax_type}' is not a valid tax type")
            rate = TAX_RATES[tax_type] / 100
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

    def _currency(self, element: dict) -> str:
        code = element.get("CurrencyCode") or BASE_CURRENCY
        if code != BASE_CURRENCY:
            raise ElementError(f"The currency {code} is not enabled for this organisation (base currency "
                               f"{BASE_CURRENCY})")
        return code

    def _check_total(self, element: dict, totals: dict) -> None:
        # §3: "The invoice total does not equal the sum of the lines" (xeroizer#23)
        if element.get("Total") is not None and amount(element["Total"], "Total") != totals["Total"]:
            raise ElementError("The document total does not equal the sum of the lines")

    # ------------------------------------------------------------------ contacts (§7 Contacts)
    def write_contact(self, element: dict) -> dict:
        self._check("Contact", element, creating=False)
        existing = self._existing(self.contacts, element, "ContactID", "Contact")
        if existing is None and not (element.get("Name") or "").strip():
            raise ElementError("The contact name must be specified")
        return self._store_contact(element, existing)

    def _store_contact(self, element: dict, existing: dict | None) -> dict:
        name = element.get("Name", existing["Name"] if existing else None)
        max_length(name, 255, "Contact Name")
        max_length(element.get("ContactNumber"), 50, "ContactNumber")
        max_length(element.get("AccountNumber"), 50, "AccountNumber")
        status = element.get("ContactStatus") or (existing["ContactStatus"] if existing else "ACTIVE")
        if status == "ACTIVE" and self._active_contact_named(name, other_than=existing and existing["ContactID"]):
            # §7 Contacts: "The contact name must be unique across all active contacts"
            raise ElementError(f"The contact name {name} is already assigned to another contact. The contact name "
                               "must be unique across all active contacts.")
        if element.get("EmailAddress") and "@" not in element["EmailAddress"]:
            raise ElementError("Email address must be valid.")
        contact = existing if existing is not None else {
            "ContactID": new_id(), "ContactStatus": "ACTIVE", "IsSupplier": False, "IsCustomer": False,
            "HasAttachments": False, "Addresses": [], "Phones": [], "ContactGroups": []}
        read_only = {"ContactID", "IsSupplier", "IsCustomer", "UpdatedDateUTC", "HasAttachments", "HasValidationErrors",
                     "ValidationErrors", "StatusAttributeString", "Balances", "ContactGroups", "MergedToContactID"}
        for key, value in element.items():
            if key not in read_only:  # §7: IsSupplier/IsCustomer are read-only
                contact[key] = value.strip() if key == "Name" else copy.deepcopy(value)
        contact["ContactStatus"] = status
        self.touch(contact)
        self.contacts[contact["ContactID"]] = contact
        self.events.append(("CONTACT", "UPDATE" if existing else "CREATE", contact["ContactID"], None))
        return contact

    def mark_contact_role(self, contact: dict, doc_type: str) -> None:
        key = "IsSupplier" if doc_type.startswith("ACCPAY") or doc_type == "PO" else "IsCustomer"
        if not contact.get(key):
            contact[key] = True

    # ------------------------------------------------------------------ contact groups (§7 ContactGroups)
    def write_contact_group(self, element: dict) -> dict:
        self._check("ContactGroup", element, creating=False)
        existing = self._existing(self.groups, element, "ContactGroupID", "ContactGroup")
        name = element.get("Name", existing and existing["Name"])
        if not name or not str(name).strip():
            raise ElementError("The contact group name must be specified")
        max_length(name, 50, "ContactGroup Name")
        for group in self.groups.values():
            if (group["Status"] == "ACTIVE" and group is not existing
                    and group["Name"].casefold() == str(name).strip().casefold()):
                raise ElementError(f"The contact group name {name} is already in use")
        group = existing or {"ContactGroupID": new_id(), "Status": "ACTIVE", "ContactIDs": []}
        group["Name"] = str(name).strip()
        if element.get("Status"):
            group["Status"] = element["Status"]
        self.groups[group["ContactGroupID"]] = group
        return group

    def add_to_group(self, group: dict, contacts: list[dict]) -> list[dict]:
        added = []
        for index, ref in enumerate(contacts, start=1):
            problems = check_fields("Contact", ref, f"Contacts[{index}]")
            if problems:
                raise ElementError(*problems)
            contact = self.contacts.get(str(ref.get("ContactID") or "").lower())
            if contact is None:
                raise ElementError(f"Contact {ref.get('ContactID')} could not be found")
            if contact["ContactID"] not in group["ContactIDs"]:
                group["ContactIDs"].append(contact["ContactID"])
            added.append(contact)
        return added

    # ------------------------------------------------------------------ items (§7 Items)
    def write_item(self, element: dict, *, method: str) -> dict:
        self._check("Item", element, creating=False)
        existing = self._existing(self.items, element, "ItemID", "Item")
        code = element.get("Code", existing and existing["Code"])
        if not code or not str(code).strip():
            raise ElementError("Item.Code is required")
        max_length(code, 30, "Item Code")  # §7 Items: Code maxLength 30 (WBS-1)
        max_length(element.get("Name"), 50, "Item Name")  # §7 Items: Name maxLength 50
        max_length(element.get("Description"), 4000, "Item Description")
        max_length(element.get("PurchaseDescription"), 4000, "Item PurchaseDescription")
        same_code = self.item_by_code(str(code))
        if existing is None and same_code is not None:
            if method == "PUT":
                raise ElementError(f"Item code '{code}' already exists")
            existing = same_code  # POST /Items upserts by Code
        elif existing is not None and same_code is not None and same_code is not existing:
            raise ElementError(f"Item code '{code}' already exists")
        for key in ("PurchaseDetails", "SalesDetails"):
            details = element.get(key) or {}
            if details.get("AccountCode") and self.account_by_code(details["AccountCode"]) is None:
                raise ElementError(f"{key}: Account code '{details['AccountCode']}' is not valid")
            if details.get("TaxType") and details["TaxType"] not in TAX_RATES:
                raise ElementError(f"{key}: TaxType '{details['TaxType']}' is not valid")
            if details.get("UnitPrice") is not None:
                amount(details["UnitPrice"], f"{key}.UnitPrice", places=4)
        if element.get("IsTrackedAsInventory") and not element.get("InventoryAssetAccountCode"):
            raise ElementError("InventoryAssetAccountCode is required for a tracked inventory item")
        item = existing or {"ItemID": new_id(), "IsSold": True, "IsPurchased": True, "IsTrackedAsInventory": False}
        read_only = {"ItemID", "UpdatedDateUTC", "StatusAttributeString", "ValidationErrors", "TotalCostPool",
                     "QuantityOnHand"}
        for key, value in element.items():
            if key not in read_only:
                item[key] = copy.deepcopy(value)
        item["Code"] = str(code).strip()
        # §7 Items: "Setting either to false nulls the matching details"
        if item.get("IsSold") is False:
            item.pop("SalesDetails", None)
        if item.get("IsPurchased") is False:
            item.pop("PurchaseDetails", None)
        self.touch(item)
        self.items[item["ItemID"]] = item
        return item

    # ------------------------------------------------------------------ tracking (§7 TrackingCategories)
    def create_tracking_category(self, element: dict) -> dict:
        self._check("TrackingCategory", element, creating=False)
        name = (element.get("Name") or "").strip()
        if not name:
            raise ElementError("TrackingCategory Name is required")
        max_length(name, 100, "TrackingCategory Name")
        live = [c for c in self.tracking.values() if c["Status"] != "DELETED"]
        if any(c["Name"].casefold() == name.casefold() for c in live):
            raise ElementError(f"For each specified tracking category name, the name must be unique ({name})")
        # §7 TC-DOC: "Maximum two ACTIVE tracking categories, and four in total (active plus archived)"
        if sum(c["Status"] == "ACTIVE" for c in live) >= 2:
            raise ElementError("You can only have 2 active tracking categories")
        if len(live) >= 4:
            raise ElementError("You can only have 4 tracking categories (active and archived)")
        category = {"TrackingCategoryID": new_id(), "Name": name, "Status": "ACTIVE", "Options": []}
        self.tracking[category["TrackingCategoryID"]] = category
        return category

    def update_tracking_category(self, category: dict, element: dict) -> dict:
        self._check("TrackingCategory", element, creating=False)
        if element.get("Name"):
            name = element["Name"].strip()
            max_length(name, 100, "TrackingCategory Name")
            if any(c is not category and c["Status"] != "DELETED" and c["Name"].casefold() == name.casefold()
                   for c in self.tracking.values()):
                raise ElementError(f"For each specified tracking category name, the name must be unique ({name})")
            category["Name"] = name
        status = element.get("Status")
        if status == "ACTIVE" and category["Status"] != "ACTIVE":
            if sum(c["Status"] == "ACTIVE" for c in self.tracking.values()) >= 2:
                raise ElementError("You can only have 2 active tracking categories")
        if status == "DELETED":
            raise ElementError("Use DELETE to remove a tracking category")
        if status:
            category["Status"] = status
        return category

    def create_tracking_option(self, category: dict, element: dict) -> dict:
        self._check("TrackingOption", element, creating=False)
        name = (element.get("Name") or "").strip()
        if not name:
            raise ElementError("TrackingOption Name is required")
        # §7: the spec allows 100, the older TC-DOC says 50 for options; the sandbox keeps the safe 50.
        max_length(name, 50, "TrackingOption Name")
        if any(o["Name"].casefold() == name.casefold() for o in category["Options"]):
            raise ElementError(f"For each specified tracking option name, the name must be unique ({name})")
        # §7: "Up to 100 tracking options per category". Whether archived options count is
        # [UNCONFIRMED]; the sandbox counts them (the strict choice), so the connector must not rely on
        # archiving to make room.
        if len(category["Options"]) >= 100:
            raise ElementError("A tracking category can have at most 100 options")
        option = {"TrackingOptionID": new_id(), "Name": name, "Status": "ACTIVE",
                  "TrackingCategoryID": category["TrackingCategoryID"]}
        category["Options"].append(option)
        return option

    def update_tracking_option(self, category: dict, option: dict, element: dict) -> dict:
        self._check("TrackingOption", element, creating=False)
        if element.get("Name") is not None:
            name = element["Name"].strip()
            if not name:
                raise ElementError("TrackingOption Name is required")
            max_length(name, 50, "TrackingOption Name")
            if any(o is not option and o["Name"].casefold() == name.casefold() for o in category["Options"]):
                raise ElementError(f"For each specified tracking option name, the name must be unique ({name})")
            option["Name"] = name
        status = element.get("Status")
        if status == "DELETED":
            raise ElementError("Use DELETE to remove a tracking option")
        if status:
            option["Status"] = status  # §7: archive (ARCHIVED) and restore (ACTIVE)
        return option

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
                                    previous=existing and existing["LineItems"])
            if not lines:
                raise ElementError(f"{kind}.LineItems must have at least one line")
        else:
            lines = existing["LineItems"]
            if need_account and any(not line.get("AccountCode") for line in lines):
                raise ElementError("Account code must be specified on every line before approval")
        totals = self.totals(lines, line_amount_types)
        self._check_total(element, totals)
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
                           "AmountPaid": D0, "AmountCredited": D0, "CurrencyRate": Decimal("1"),
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

    # ------------------------------------------------------------------ allocations (§7 CreditNotes)
    def allocate_credit_note(self, note: dict, element: dict) -> dict:
        """PUT /CreditNotes/{id}/Allocations (createCreditNoteAllocation): part of a credit note's
        remaining credit applied to an invoice of the same side (ACCPAYCREDIT to ACCPAY, ACCRECCREDIT
        to ACCREC) and the same contact; both must be AUTHORISED and the amount no more than either the
        remaining credit or the amount due. The same-contact rule is [UNCONFIRMED] (Xero's web app offers
        only that contact's invoices); the spec requires Amount, Invoice and Date (Allocation.required)."""
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
                           "CurrencyRate": Decimal("1"), "Date": self.now().date()}
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


def _without_one(applied: list[dict], note_id: str, value: Decimal) -> list[dict]:
    """`applied` (an invoice's CreditNotes) less one entry of this note for this amount."""
    out, removed = [], False
    for entry in applied:
        if not removed and entry["CreditNoteID"] == note_id and entry["AppliedAmount"] == value:
            removed = True
            continue
        out.append(entry)
    return out
