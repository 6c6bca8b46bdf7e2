"""The organisation's tax rates: Xero's own (TAX_RATE_TABLE) and those the accountant adds, which can be
deleted (spec: getTaxRates, createTaxRates, updateTaxRate; TaxRate.Status ACTIVE, DELETED, ARCHIVED,
PENDING). A line may name only an active rate's TaxType."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .ledger import TAX_RATE_TABLE, TAX_RATES
from .rules import ElementError

TARGETS = ("Assets", "Equity", "Expenses", "Liabilities", "Revenue")
#: An account's Class → the TaxRate flag that lets a line pair the rate with it (CanApplyTo<target>).
CLASS_TARGETS = {"ASSET": "Assets", "EQUITY": "Equity", "EXPENSE": "Expenses", "LIABILITY": "Liabilities",
                 "REVENUE": "Revenue"}
# Which accounts a rate of each report tax type can apply to, as Xero's own NZ rates do.
APPLIES = {"INPUT": ("Expenses", "Assets", "Liabilities", "Equity"), "OUTPUT": ("Revenue", "Assets", "Liabilities", "Equity")}


def _rate(name: str, tax_type: str, rate: Decimal, applies, status: str = "ACTIVE", report: str | None = None) -> dict:
    out = {"Name": name, "TaxType": tax_type, "Status": status, "DisplayTaxRate": rate, "EffectiveRate": rate,
           "TaxComponents": [{"Name": "GST", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}],
           **{f"CanApplyTo{target}": target in applies for target in TARGETS}}
    if report:
        out["ReportTaxType"] = report
    return out


class TaxBooks:
    """Mixed into Books: ``custom_tax_rates`` holds the rates added through the API, by TaxType."""

    custom_tax_rates: dict[str, dict]

    def tax_rates(self) -> list[dict]:
        """GET /TaxRates: Xero's rates, then the organisation's own (TAX001, TAX002...), each with its Status."""
        return [_rate(name, tax_type, rate, applies) for tax_type, name, rate, applies in TAX_RATE_TABLE] + [
            dict(r, TaxComponents=[dict(c) for c in r["TaxComponents"]]) for r in self.custom_tax_rates.values()]

    def tax_type_applies(self, tax_type: str, account: dict) -> bool:
        """Whether a line may pair `tax_type` with `account`: the rate's CanApplyTo<Class> flag."""
        target = CLASS_TARGETS.get(str(account.get("Class") or ""))
        rate = next((r for r in self.tax_rates() if r["TaxType"] == tax_type), None)
        return target is None or rate is None or bool(rate.get(f"CanApplyTo{target}", True))

    def tax_rate_of(self, tax_type: str) -> Decimal | None:
        """The rate (in %) of an active TaxType; None when the organisation has no such active rate."""
        if tax_type in TAX_RATES:
            return TAX_RATES[tax_type]
        custom = self.custom_tax_rates.get(tax_type)
        return custom["EffectiveRate"] if custom and custom["Status"] == "ACTIVE" else None

    def write_tax_rate(self, element: dict, *, method: str) -> dict:
        """PUT creates a rate: Name, TaxComponents[].Rate and, in an NZ organisation, ReportTaxType are
        required; Xero gives it the next TAXnnn TaxType. POST changes one by TaxType (or Name): its Status
        DELETED deletes it, and a rate some document already carries is kept ARCHIVED for those documents
        (the enum lists both; which Xero answers when is UNCONFIRMED). Xero's own rates cannot be changed
        here (UNCONFIRMED wording)."""
        tax_type = str(element.get("TaxType") or "").upper()
        if method == "POST" and (tax_type or element.get("Name")):
            if tax_type in TAX_RATES:
                raise ElementError(f"TaxType {tax_type} is a system tax rate and cannot be changed")
            found = self.custom_tax_rates.get(tax_type) or next(
                (r for r in self.custom_tax_rates.values() if r["Name"] == element.get("Name")), None)
            if found is None:
                raise ElementError(f"TaxType {tax_type or element.get('Name')} was not found")
            status = str(element.get("Status") or found["Status"]).upper()
            if status not in ("ACTIVE", "DELETED"):
                raise ElementError(f"Status {status} cannot be set on a tax rate")
            if status == "DELETED" and self._tax_type_used(found["TaxType"]):
                status = "ARCHIVED"
            found["Status"] = status
            return dict(found)
        name = str(element.get("Name") or "").strip()
        components = element.get("TaxComponents")
        if not name:
            raise ElementError("Name is required for a tax rate")
        if not isinstance(components, list) or not components:
            raise ElementError("A tax rate needs at least one TaxComponent")
        if not element.get("ReportTaxType"):
            raise ElementError("ReportTaxType is required for a New Zealand organisation")
        try:
            rate = sum((Decimal(str(c.get("Rate"))) for c in components), Decimal("0"))
        except (InvalidOperation, AttributeError):
            raise ElementError("Each TaxComponent needs a numeric Rate") from None
        if any(r["Name"] == name for r in self.custom_tax_rates.values()):
            raise ElementError(f"A tax rate named {name} already exists")
        new_type = f"TAX{len(self.custom_tax_rates) + 1:03d}"
        report = str(element["ReportTaxType"]).upper()
        self.custom_tax_rates[new_type] = _rate(name, new_type, rate, APPLIES.get(report, TARGETS), report=report)
        return dict(self.custom_tax_rates[new_type])

    def _tax_type_used(self, tax_type: str) -> bool:
        return any(line.get("TaxType") == tax_type
                   for store in (self.invoices, self.credit_notes, self.purchase_orders)
                   for doc in store.values() for line in doc.get("LineItems") or [])
