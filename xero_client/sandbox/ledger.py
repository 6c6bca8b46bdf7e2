"""The sandbox organisation's standing data: its country's currency and tax rates, the standard chart
of accounts, the status ladders, and the money helpers every part of Books uses."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

D0 = Decimal("0")


CENT = Decimal("0.01")


# The sandbox's organisation is a New Zealand one, the country of every organisation example in
# xero_accounting.yaml (getOrganisations: Version NZ, BaseCurrency NZD, CountryCode NZ, Timezone
# NEWZEALANDSTANDARDTIME; its invoice examples use TaxType INPUT2/OUTPUT2).
BASE_CURRENCY = "NZD"

# The currencies the organisation has enabled (GET /Currencies; the getCurrencies example lists NZD, New
# Zealand Dollar), the base one first: a New Zealand builder that also buys in Australian and US dollars.
# Each foreign one with the sandbox's fixed rate, in its units per NZD (a document's CurrencyRate when
# the request sends none; Xero would take the XE.com day rate, spec CreditNote/Invoice.CurrencyRate).
CURRENCIES = {"NZD": ("New Zealand Dollar", Decimal("1")), "AUD": ("Australian Dollar", Decimal("0.9100")),
              "USD": ("United States Dollar", Decimal("0.5900"))}


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
    # Not in Xero's standard chart: the accounts a builder's accountant adds for retentions (issue 12 §10).
    ("615", "Retentions Receivable", "CURRENT", "ASSET", "NONE"),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE"),
    ("815", "Retentions Payable", "CURRLIAB", "LIABILITY", "NONE"),
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


def _without_one(applied: list[dict], note_id: str, value: Decimal) -> list[dict]:
    """`applied` (an invoice's CreditNotes) less one entry of this note for this amount."""
    out, removed = [], False
    for entry in applied:
        if not removed and entry["CreditNoteID"] == note_id and entry["AppliedAmount"] == value:
            removed = True
            continue
        out.append(entry)
    return out
