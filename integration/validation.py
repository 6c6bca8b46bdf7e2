"""The export rules of every record type (SYNC-5), as pure functions.

Each validator takes the record (with its related objects already loaded), its lines, and a small
context of facts that need a query (counts, duplicates), and returns every failure with the field it
concerns and a message an approver can act on. No I/O happens here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from integration.models.links import negatives_as_credit_notes

ITEM_CODE_MAX = 30  # Xero Item.Code maxLength (api/xero.md §7)
ITEM_NAME_MAX = 50  # Xero Item.Name maxLength (api/xero.md §7)
MAX_ITEMS_PER_LINK = 4000  # Xero's products-and-services limit, as Procore's connector states (WBS-2)
CONTACT_NAME_MAX = 41  # the seed's Xero contact name limit (CO-1)
NUMBER_MAX = 255  # commitment number/title, invoice number (CMT-2, INV-2)
APPROVED_COMMITMENT = {"approved"}
APPROVED_CHANGE_ORDER = {"approved"}
APPROVED_INVOICE = {"approved", "approved_as_noted"}


@dataclass(frozen=True)
class Failure:
    field: str
    rule: str
    message: str

    def __str__(self):
        # What the approver reads: the message alone; the field and the rule stay on the object.
        return self.message


@dataclass
class Context:
    """Facts a rule needs that the record alone does not carry; filled by the service."""

    commitment_sync: bool = True
    item_count_on_link: int = 0  # cost items of the link already exported or queued, this one excluded
    duplicate_vendor: str = ""  # the name of another vendor whose contact name is the same
    tax_types: dict = field(default_factory=dict)  # the link's tax code table: Procore tax code id → TaxType
    extra: dict = field(default_factory=dict)


def _norm(status: str) -> str:
    return (status or "").strip().lower().replace(" ", "_")


def _too_long(value: str, limit: int) -> bool:
    return len(value or "") > limit


MAX_AMOUNT = Decimal("99999999999999")  # what a money column holds (16 digits, 2 decimals)


def _amount_failures(values, rule: str) -> list[Failure]:
    """Amounts Xero can take: finite numbers within the money columns' range (REL-6)."""
    out = []
    for label, value in values:
        if value is None:
            continue
        value = Decimal(value)
        if not value.is_finite():
            out.append(Failure("amounts", rule, f"{label} is not a number ({value})."))
        elif abs(value) > MAX_AMOUNT:
            out.append(Failure("amounts", rule, f"{label} is out of range ({value})."))
    return out


def _line_amounts(lines) -> list[tuple[str, Decimal]]:
    values = []
    for n, line in enumerate(lines, start=1):
        for name in ("amount", "quantity", "unit_cost", "unit_price", "retainage_this_period"):
            if hasattr(line, name):
                values.append((f"Line {n} {name.replace('_', ' ')}", getattr(line, name)))
    return values


def _lines_with_cost_code(lines) -> list:
    return [line for line in lines if getattr(line, "cost_item_id", None) or getattr(line, "cost_item", None)]


def _unexported_items(lines) -> list[str]:
    codes = []
    for line in lines:
        item = getattr(line, "cost_item", None)
        if item is not None and not item.xero_id and item.item_code not in codes:
            codes.append(item.item_code)
    return codes


def _inactive_codes(lines) -> list[str]:
    """BOOK-9: the cost codes of the lines that Procore no longer lists as active."""
    codes = []
    for line in lines:
        item = getattr(line, "cost_item", None)
        cost_code = getattr(item, "cost_code", None) if item is not None else None
        if cost_code is not None and not cost_code.active and cost_code.code not in codes:
            codes.append(cost_code.code)
    return codes


def _inactive_failure(lines, rule: str) -> list[Failure]:
    inactive = _inactive_codes(lines)
    if not inactive:
        return []
    return [Failure("lines", "BOOK-9", f"Cost code {', '.join(inactive)} is inactive in Procore (no longer in its "
                                       "standard cost code list): reactivate it in Procore, or move the line to "
                                       "an active cost code.")]


def validate_cost_item(item, lines=(), ctx: Context | None = None) -> list[Failure]:
    """WBS-1, WBS-2, BOOK-9."""
    ctx = ctx or Context()
    out = []
    cost_code = getattr(item, "cost_code", None)
    if cost_code is not None and not cost_code.active:
        out.append(Failure("cost_code", "BOOK-9", f"Cost code {cost_code.code} is inactive in Procore (no longer in "
                                                  "its standard cost code list): reactivate it in Procore first."))
    if not item.item_code:
        out.append(Failure("item_code", "WBS-1", "The cost code + cost type code is empty."))
    elif _too_long(item.item_code, ITEM_CODE_MAX):
        out.append(Failure("item_code", "WBS-1", f"Item code '{item.item_code}' is {len(item.item_code)} characters; Xero allows {ITEM_CODE_MAX}."))
    if not (item.description or "").strip():
        out.append(Failure("description", "WBS-1", "The description (the Xero Item name) is missing."))
    elif _too_long(item.description, ITEM_NAME_MAX):
        out.append(Failure("description", "WBS-1", f"The description is {len(item.description)} characters; Xero allows {ITEM_NAME_MAX} for an Item name."))
    if not item.xero_id and ctx.item_count_on_link >= MAX_ITEMS_PER_LINK:
        out.append(Failure("item_code", "WBS-2", f"The link already has {MAX_ITEMS_PER_LINK} cost code items, Xero's limit."))
    return out


def validate_project(project, lines=(), ctx: Context | None = None) -> list[Failure]:
    """PRJ-1."""
    out = []
    if not (project.project_number or "").strip():
        out.append(Failure("project_number", "PRJ-1", "The project has no job number."))
    if not (project.name or "").strip():
        out.append(Failure("name", "PRJ-1", "The project has no name."))
    if not project.uses_standard_cost_code_list:
        out.append(Failure("uses_standard_cost_code_list", "PRJ-1", "The project does not use the company's standard cost code list."))
    if project.cost_code_count < 1:
        out.append(Failure("cost_code_count", "PRJ-1", "The project has no cost code."))
    if not project.active and not project.xero_id:
        # An inactive project is never exported; one already in Xero is updated (its option archived, PRJ-2).
        out.append(Failure("active", "PRJ-1", "The project is inactive."))
    return out


def validate_vendor(vendor, lines=(), ctx: Context | None = None) -> list[Failure]:
    """CO-1, CO-3 (duplicate contact names are caught before export)."""
    ctx = ctx or Context()
    out = []
    name = (vendor.name or "").strip()
    if not name:
        out.append(Failure("name", "CO-1", "The company has no name."))
    elif _too_long(name, CONTACT_NAME_MAX):
        out.append(Failure("name", "CO-1", f"The name is {len(name)} characters; Xero allows {CONTACT_NAME_MAX} for a contact name."))
    if ctx.duplicate_vendor:
        out.append(Failure("name", "CO-3", f"Another company, '{ctx.duplicate_vendor}', has the same contact name; Xero contact names must be unique."))
    return out


def _commitment_rules(record, lines, rule: str) -> list[Failure]:
    out = []
    if not (record.number or "").strip():
        out.append(Failure("number", rule, "The number is missing."))
    elif _too_long(record.number, NUMBER_MAX):
        out.append(Failure("number", rule, f"The number is {len(record.number)} characters; at most {NUMBER_MAX} are allowed."))
    if _too_long(record.title, NUMBER_MAX):
        out.append(Failure("title", rule, f"The title is {len(record.title)} characters; at most {NUMBER_MAX} are allowed."))
    if not _lines_with_cost_code(lines):
        out.append(Failure("lines", rule, "There is no schedule-of-values line with a cost code."))
    missing = _unexported_items(lines)
    if missing:
        out.append(Failure("lines", rule, f"Cost codes not yet in Xero: {', '.join(missing)}."))
    out += _inactive_failure(lines, rule)
    out += _amount_failures(_line_amounts(lines), rule)
    return out


def _vendor_linked(vendor, rule: str, field_name: str = "vendor") -> list[Failure]:
    if vendor is None:
        return [Failure(field_name, rule, "There is no contract company.")]
    if not vendor.xero_id:
        return [Failure(field_name, rule, f"The contract company '{vendor}' is not linked to a Xero contact.")]
    return []


def _project_linked(project, rule: str) -> list[Failure]:
    if project is None or not project.xero_id:
        return [Failure("project", rule, f"The project '{project}' is not yet in Xero (no tracking option).")]
    return []


def validate_commitment(commitment, lines=(), ctx: Context | None = None) -> list[Failure]:
    """CMT-2."""
    ctx = ctx or Context()
    out = []
    if not ctx.commitment_sync:
        out.append(Failure("commitment_sync", "CMT-2", "Commitment sync is off for this link."))
    out += _vendor_linked(commitment.vendor, "CMT-2")
    if _norm(commitment.status) not in APPROVED_COMMITMENT:
        out.append(Failure("status", "CMT-2", f"The status is '{commitment.status}'; it must be Approved."))
    out += _project_linked(commitment.project, "CMT-2")
    out += _commitment_rules(commitment, lines, "CMT-2")
    out += currency_failures(commitment)
    return out


def validate_change_order(change_order, lines=(), ctx: Context | None = None) -> list[Failure]:
    """CCO-2 (the rules of CMT-2), and the commitment's purchase order must exist to append to."""
    ctx = ctx or Context()
    out = []
    if not ctx.commitment_sync:
        out.append(Failure("commitment_sync", "CCO-2", "Commitment sync is off for this link."))
    commitment = change_order.commitment
    out += _vendor_linked(commitment.vendor, "CCO-2")
    if _norm(change_order.status) not in APPROVED_CHANGE_ORDER:
        out.append(Failure("status", "CCO-2", f"The status is '{change_order.status}'; it must be Approved."))
    if not commitment.xero_id:
        out.append(Failure("commitment", "CCO-2", f"Commitment '{commitment}' is not yet a Xero purchase order."))
    out += _commitment_rules(change_order, lines, "CCO-2")
    return out


def invoice_total(lines, retainage: Decimal, released: Decimal = Decimal("0")) -> Decimal:
    """What the invoice's Xero document totals (before tax): its lines less the retainage withheld plus
    the retainage released (RET-1)."""
    return sum((line.amount for line in lines), Decimal("0")) - (retainage or Decimal("0")) + (released or Decimal("0"))


def becomes_credit_note(invoice) -> bool:
    """INV-3, CRED-1: a negative invoice exports as a credit note unless its link's `negative_invoices`
    setting is `refuse`."""
    return negatives_as_credit_notes(getattr(invoice, "link", None))


def _invoice_rules(invoice, lines, rule: str, *, required_dates: tuple[tuple[str, str], ...], credit_hint: str) -> list[Failure]:
    """The rules every exported invoice shares: number, dates, Approved, project in Xero, a line with
    a cost code in Xero, amounts Xero can take, and a negative total only as a credit note (INV-3, CRED-1)."""
    out = []
    if not (invoice.invoice_number or "").strip():
        out.append(Failure("invoice_number", rule, "The invoice number is missing."))
    elif _too_long(invoice.invoice_number, NUMBER_MAX):
        out.append(Failure("invoice_number", rule, f"The invoice number is {len(invoice.invoice_number)} characters; at most {NUMBER_MAX} are allowed."))
    for name, label in required_dates:
        if getattr(invoice, name) is None:
            out.append(Failure(name, rule, f"The {label} is missing."))
    if _norm(invoice.status) not in APPROVED_INVOICE:
        out.append(Failure("status", rule, f"The status is '{invoice.status}'; it must be Approved."))
    out += _project_linked(invoice.project, rule)
    if not _lines_with_cost_code(lines):
        out.append(Failure("lines", rule, "There is no schedule-of-values line with a cost code."))
    missing = _unexported_items(lines)
    if missing:
        out.append(Failure("lines", rule, f"Cost codes not yet in Xero: {', '.join(missing)}."))
    out += _inactive_failure(lines, rule)
    released = getattr(invoice, "retainage_released", None) or Decimal("0")
    bad_amounts = _amount_failures(_line_amounts(lines) + [("Retainage this period", invoice.retainage_this_period),
                                                           ("Retainage released", released)], rule)
    if bad_amounts:
        return out + bad_amounts
    total = invoice_total(lines, invoice.retainage_this_period, released)
    if total < 0 and not becomes_credit_note(invoice):
        out.append(Failure("total", "INV-3", f"The invoice total is negative ({total}) and the link's negative "
                                              f"invoices setting is 'refuse': {credit_hint}"))
    elif not any(line.amount for line in lines) and not invoice.retainage_this_period and not released:
        # RET-1: its Xero document would have no line (zero lines are left out).
        out.append(Failure("lines", rule, "The invoice bills nothing: no line has an amount this period and "
                                          "no retainage is withheld or released."))
    return out


def _retention_account(invoice, setting: str, what: str) -> list[Failure]:
    """BOOK-2: withheld retainage is posted to the link's retentions account; without one it cannot be booked."""
    link = getattr(invoice, "link", None)
    if link is None or getattr(link, setting):
        return []
    if invoice.retainage_this_period:
        return [Failure("retainage_this_period", "BOOK-2",
                        f"Retainage is withheld, but the link has no {setting}: set it to your {what} account "
                        "on the link's page.")]
    if getattr(invoice, "retainage_released", None):
        return [Failure("retainage_released", "RET-1",
                        f"Retainage is released, but the link has no {setting}: set it to your {what} account "
                        "on the link's page.")]
    return []


def currency_failures(record) -> list[Failure]:
    """BOOK-7: a document in a currency the Xero organisation has not enabled is refused before the
    export. The organisation's currencies are those last read from Xero (GET /Currencies, at each
    export run, which checks each document again before sending it); none read yet, the export run's
    check decides."""
    from integration.mapping.to_xero import document_currency

    link = getattr(record, "link", None)
    code = document_currency(record)
    enabled = [str(c).upper() for c in (getattr(link, "xero_currencies", None) or [])]
    if not code or not enabled or code in enabled:
        return []
    return [Failure("currency", "BOOK-7",
                    f"The document is in {code}, a currency the Xero organisation has not enabled (it has "
                    f"{', '.join(enabled)}): add {code} in Xero (Settings, Currencies) before it is exported; "
                    "an amount in another currency is never booked at face value in the base currency.")]


def validate_subcontractor_invoice(invoice, lines=(), ctx: Context | None = None) -> list[Failure]:
    """INV-2, INV-3, BOOK-2."""
    return _vendor_linked(invoice.vendor, "INV-2") + _invoice_rules(
        invoice, lines, "INV-2",
        required_dates=(("billing_date", "billing date"), ("period_start", "period start"),
                        ("period_end", "period end"), ("payment_date", "payment date")),
        credit_hint="Xero bills cannot be negative. Set it to 'credit_note' on the link's page to export it as a "
                    "supplier credit note, or enter the credit note in Xero.",
    ) + _retention_account(invoice, "retainage_account_code", "Retentions Payable (liability)") + currency_failures(invoice)


def validate_owner_invoice(invoice, lines=(), ctx: Context | None = None) -> list[Failure]:
    """INV-5 (the rules of INV-2 that apply to a sales invoice), INV-3, BOOK-2."""
    owner = invoice.prime_contract.owner if invoice.prime_contract_id else None
    return _vendor_linked(owner, "INV-5", "owner") + _invoice_rules(
        invoice, lines, "INV-5", required_dates=(("billing_date", "billing date"),),
        credit_hint="Xero sales invoices cannot be negative. Set it to 'credit_note' on the link's page to export "
                    "it as a credit note, or enter the credit note in Xero.",
    ) + _retention_account(invoice, "retainage_receivable_account_code", "Retentions Receivable (asset)") + currency_failures(invoice)


VALIDATORS = {
    "costitem": validate_cost_item,
    "project": validate_project,
    "vendor": validate_vendor,
    "commitment": validate_commitment,
    "changeorder": validate_change_order,
    "subcontractorinvoice": validate_subcontractor_invoice,
    "ownerinvoice": validate_owner_invoice,
}


def line_tax_code(line) -> int | None:
    """BOOK-3: the Procore tax code a line goes to Xero by: its own (commitment and owner invoice lines),
    else its commitment line's (requisition items and change order lines)."""
    if hasattr(line, "procore_tax_code_id"):
        return line.procore_tax_code_id
    commitment_line = getattr(line, "commitment_line", None)
    return commitment_line.procore_tax_code_id if commitment_line is not None else None


def tax_type_failures(record, lines, ctx: Context | None) -> list[Failure]:
    """BOOK-3: each TaxType the tax code table gives the record's lines must be an active tax rate of the
    Xero organisation (those last read from Xero, GET /TaxRates, when the link's settings are saved and at
    each export run, which checks each record again when it claims it): Xero refuses a line whose tax
    rate was deleted or archived. None read yet, the export run's check decides."""
    link = getattr(record, "link", None)
    active = {str(t).upper() for t in (getattr(link, "xero_tax_types", None) or [])}
    table = ctx.tax_types if ctx else {}
    if not active or not table or getattr(link, "amounts_tax", "") == "no_tax":
        return []
    gone = []
    for line in lines:
        tax_type = table.get(line_tax_code(line)) if (getattr(line, "amount", None) or getattr(line, "quantity", None)) else None
        if tax_type and tax_type.upper() not in active and tax_type not in gone:
            gone.append(tax_type)
    if not gone:
        return []
    return [Failure("tax", "BOOK-3",
                    f"The tax code table maps a line's tax code to TaxType {', '.join(gone)}, which is no longer an "
                    f"active tax rate of the Xero organisation (it has {', '.join(sorted(active))}): map the tax "
                    "code to one of those in Tax code mappings, or restore the tax rate in Xero.")]


def validate(record, lines=(), ctx: Context | None = None) -> list[Failure]:
    lines = list(lines)
    return VALIDATORS[record._meta.model_name](record, lines, ctx) + tax_type_failures(record, lines, ctx)
