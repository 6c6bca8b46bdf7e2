"""Records → Xero payloads, one function per record type (the "export" half of 003_*.txt)."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from integration.models.links import LINE_AMOUNT_TYPES, negatives_as_credit_notes

from .common import (
    ZERO,
    coded_line,
    cost_item_option_name,
    money,
    organisation_day,
    priced,
    project_option_name,
    tracking_for,
    xero_date,
)

RETAINAGE_DESCRIPTION = "Retainage this period"
RELEASE_DESCRIPTION = "Retainage released"


def document_currency(record) -> str:
    """BOOK-7: the currency a record's Xero document is in: Procore's currency_configuration of the
    record (a commitment, requisition or payment application), a requisition's commitment's when Procore
    sent none on the requisition; "" (Xero's base currency) when Procore sent none at all."""
    own = getattr(record, "currency", "") or ""
    if own:
        return own
    commitment = getattr(record, "commitment", None) if record._meta.model_name == "subcontractorinvoice" else None
    return (getattr(commitment, "currency", "") or "") if commitment is not None else ""


def line_amount_types(link) -> str:
    """BOOK-3: the link's `amounts_tax` as Xero's LineAmountTypes (Exclusive when unset)."""
    return LINE_AMOUNT_TYPES.get(getattr(link, "amounts_tax", "") or "exclusive", "Exclusive")


def line_tax(link, tax_code_id, tax_types: dict | None) -> dict:
    """BOOK-3: the TaxType the link's tax code table gives the line's Procore tax code; nothing for a line
    with no tax code or an unmapped one, so Xero applies its account's default tax (and nothing when
    the amounts carry no tax at all)."""
    if not tax_types or tax_code_id is None or line_amount_types(link) == "NoTax":
        return {}
    tax_type = tax_types.get(tax_code_id)
    return {"TaxType": tax_type} if tax_type else {}


def _commitment_tax_code(line):
    """The Procore tax code of an invoice or change order line: its commitment line's (Procore's
    requisition items and change order lines follow the schedule-of-values line they bill)."""
    commitment_line = getattr(line, "commitment_line", None)
    return commitment_line.procore_tax_code_id if commitment_line is not None else None


def cost_item_to_item(item, *, link) -> dict:
    """WBS-1, WBS-3: Cost Code + Cost Type → Item Code; Description → Name; the link's default
    purchase and sales accounts on a new Item (see `cost_item_update` for an existing one)."""
    return {
        "Code": item.item_code,
        "Name": item.description,
        "Description": item.description,
        "PurchaseDescription": item.description,
        "PurchaseDetails": {"AccountCode": link.default_purchase_account},
        "SalesDetails": {"AccountCode": link.default_sales_account},
    }


def cost_item_update(item, *, item_id: str) -> dict:
    """BOOK-2: a renamed cost code renames its Item and nothing else: the purchase and sales accounts
    are the accountant's to set in Xero (seed 003), so an update never sends them."""
    return {"ItemID": item_id, "Code": item.item_code, "Name": item.description, "Description": item.description,
            "PurchaseDescription": item.description}


def cost_item_to_option(item) -> dict:
    """WBS-6: the cost item as an option of the 'Cost Codes' tracking category."""
    return {"Name": cost_item_option_name(item)}


def project_to_option(project) -> dict:
    """PRJ-1: Project Name → Tracking Category Option (job number kept)."""
    return {"Name": project_option_name(project)}


def vendor_to_contact(vendor) -> dict:
    """CO-1: Name → Contact Name; Address/City/State/ZIP → Billing Address; Business Phone → Phone;
    Business Fax → Fax; Procore's id → ContactNumber."""
    contact = {"Name": vendor.name.strip(), "ContactNumber": str(vendor.procore_id) if vendor.procore_id else ""}
    if not contact["ContactNumber"]:
        contact.pop("ContactNumber")
    address = {
        "AddressType": "POBOX",  # Xero's postal address is the one printed on documents: the billing address
        "AddressLine1": vendor.address,
        "City": vendor.city,
        "Region": vendor.state_code,
        "PostalCode": vendor.zip,
        "Country": vendor.country_code,
    }
    address = {k: v for k, v in address.items() if v}
    if len(address) > 1:
        contact["Addresses"] = [address]
    phones = []
    if vendor.business_phone:
        phones.append({"PhoneType": "DEFAULT", "PhoneNumber": vendor.business_phone})
    if vendor.fax_number:
        phones.append({"PhoneType": "FAX", "PhoneNumber": vendor.fax_number})
    if phones:
        contact["Phones"] = phones
    if vendor.email_address:
        contact["EmailAddress"] = vendor.email_address
    if vendor.tax_number:
        contact["TaxNumber"] = vendor.tax_number
    return contact


def vendor_update(vendor, *, contact_id: str) -> dict:
    """A rename or phone change of a linked company; the address is never pushed once linked."""
    contact = vendor_to_contact(vendor)
    contact.pop("Addresses", None)
    contact["ContactID"] = contact_id
    return contact


def _commitment_line(link, project, commitment, line, *, items=None, tax_types=None, description_prefix: str = "") -> dict:
    """CMT-1: Cost Code + Cost Type → Item; Description; Qty → Quantity; Unit Cost → Unit Price
    (BOOK-4: 4 places, Quantity × UnitAmount = the line's amount); Project Name → tracking.
    Amount-based lines go as one unit of their amount."""
    amount = money(line.amount)
    if commitment.accounting_method == "unit":
        quantity, unit = priced(line.quantity, line.unit_cost, amount)
    else:
        quantity, unit = Decimal("1"), amount
    description = line.description or (line.cost_item.description if line.cost_item else "") or "-"
    return {
        **coded_line(link, line.cost_item, account=link.default_purchase_account, items=items),
        "Description": f"{description_prefix}{description}",
        "Quantity": quantity,
        "UnitAmount": unit,
        "LineAmount": amount,
        **line_tax(link, line.procore_tax_code_id, tax_types),
        "Tracking": tracking_for(link, project, line.cost_item),
    }


def commitment_to_purchase_order(commitment, lines, *, link, items=None, tax_types=None) -> dict:
    """CMT-1, BOOK-1: System date at creation → Date (the day it was in the Xero organisation's time
    zone); Commitment # → Order Number; Contract Company → Contact; Title → Reference; Ship Via →
    Delivery Instructions; SOV lines → lines. Status: the link's document status (BOOK-8)."""
    po = {
        "Contact": {"ContactID": commitment.vendor.xero_id},
        "Date": xero_date(organisation_day(commitment.procore_created_at, link.xero_timezone)),
        "PurchaseOrderNumber": commitment.number,
        "Reference": commitment.title,
        "LineAmountTypes": line_amount_types(link),
        "Status": link.xero_document_status,
        "LineItems": [_commitment_line(link, commitment.project, commitment, line, items=items, tax_types=tax_types) for line in lines if line.amount or line.quantity],
    }
    if commitment.currency:
        po["CurrencyCode"] = commitment.currency  # BOOK-7: Procore's currency_configuration
    if commitment.ship_via:
        po["DeliveryInstructions"] = commitment.ship_via[:500]
    if commitment.delivery_date:
        po["DeliveryDate"] = xero_date(commitment.delivery_date)
    return {k: v for k, v in po.items() if v not in (None, "")}


def change_order_lines(change_order, lines, *, link, items=None, tax_types=None) -> list[dict]:
    """CCO-1: the change order's lines, several changes to one commitment line summed into one
    (Xero cannot change a line twice in one change order), each marked with the change order number."""
    commitment = change_order.commitment
    groups: OrderedDict = OrderedDict()
    for line in lines:
        key = ("line", line.commitment_line_id) if line.commitment_line_id else ("item", line.cost_item_id, line.description)
        group = groups.setdefault(key, {"line": line, "quantity": ZERO, "amount": ZERO})
        group["quantity"] += Decimal(line.quantity)
        group["amount"] += money(line.amount)
    out = []
    for group in groups.values():
        line = group["line"]
        if not group["amount"] and not group["quantity"]:
            continue
        if commitment.accounting_method == "unit" and group["quantity"]:
            quantity, unit = priced(group["quantity"], None, group["amount"])
        else:
            quantity, unit = Decimal("1"), group["amount"]
        description = line.description or (line.cost_item.description if line.cost_item else "") or "-"
        out.append({
            **coded_line(link, line.cost_item, account=link.default_purchase_account, items=items),
            "Description": f"CO {change_order.number}: {description}",
            "Quantity": quantity,
            "UnitAmount": unit,
            "LineAmount": group["amount"],
            **line_tax(link, _commitment_tax_code(line), tax_types),
            "Tracking": tracking_for(link, change_order.project, line.cost_item),
        })
    return out


def append_lines_to_purchase_order(purchase_order: dict, new_lines: list[dict]) -> dict:
    """CCO-1: the update that appends lines below the existing ones. Existing lines are sent back
    with their LineItemID: an update may drop omitted lines (api/xero.md §5, unconfirmed, so we keep them)."""
    existing = []
    for line in purchase_order.get("LineItems", []):
        kept = {k: line[k] for k in ("LineItemID", "Description", "Quantity", "UnitAmount", "ItemCode", "AccountCode", "Tracking") if line.get(k) not in (None, "", [])}
        if "Tracking" in kept:
            kept["Tracking"] = [{"Name": t.get("Name"), "Option": t.get("Option")} for t in kept["Tracking"]]
        existing.append(kept)
    return {"PurchaseOrderID": purchase_order["PurchaseOrderID"], "LineItems": existing + new_lines}


def procore_invoice_url(web_url: str, invoice) -> str | None:
    """The invoice's page in Procore; None unless every id in it is known (the Url must name one invoice:
    the export recognises its own bills by it)."""
    commitment = invoice.commitment
    ids = (invoice.project.procore_id if invoice.project is not None else None,
           commitment.procore_id if commitment is not None else None, invoice.procore_id)
    if any(i is None for i in ids):
        return None
    return f"{web_url}/{ids[0]}/project/commitments/{ids[1]}/invoices/{ids[2]}"


def subcontractor_invoice_to_bill(invoice, lines, *, link, web_url: str, items=None, tax_types=None) -> dict:
    """INV-1, BOOK-1: Contract Company → From; Billing Date → Date; Payment Date → Due Date (seed 003;
    INV-2 requires both); Invoice Number (or the PO number with
    commitment sync on) → Reference (InvoiceNumber on a bill); SOV lines by accounting method;
    Project → tracking; retainage withheld this period on its own negative line and retainage released
    on a positive one (RET-1); zero lines left out; Url back to Procore."""
    commitment = invoice.commitment
    unit_based = commitment is not None and commitment.accounting_method == "unit"
    number = commitment.number if (link.commitment_sync and commitment is not None) else invoice.invoice_number
    bill = {
        "Type": "ACCPAY",
        "Contact": {"ContactID": invoice.vendor.xero_id},
        "Date": xero_date(invoice.billing_date),
        "DueDate": xero_date(invoice.payment_date),
        "InvoiceNumber": number,
        "LineAmountTypes": line_amount_types(link),
        "Status": link.xero_document_status,
        "LineItems": [],
    }
    bill = {k: v for k, v in bill.items() if v is not None}
    currency = document_currency(invoice)
    if currency:
        bill["CurrencyCode"] = currency
    url = procore_invoice_url(web_url, invoice)
    if url:
        bill["Url"] = url
    for line in lines:
        amount = money(line.amount)
        if not amount:
            continue  # zero-value lines are left out (INV-1)
        description = line.description or (line.cost_item.description if line.cost_item else "") or "-"
        if unit_based and line.quantity:
            quantity, unit = priced(line.quantity, line.unit_price, amount)  # BOOK-4
        else:
            quantity, unit = Decimal("1"), amount
        bill["LineItems"].append({
            **coded_line(link, line.cost_item, account=link.default_purchase_account, items=items),
            "Description": description,
            "Quantity": quantity,
            "UnitAmount": unit,
            "LineAmount": amount,
            **line_tax(link, _commitment_tax_code(line), tax_types),
            "Tracking": tracking_for(link, invoice.project, line.cost_item),
        })
    bill["LineItems"] += retainage_lines(link, invoice, account=link.retainage_account_code)
    return bill


def retainage_lines(link, invoice, *, account: str) -> list[dict]:
    """INV-1, RET-1: the retainage withheld this period as a negative line and the retainage released
    this period (withheld on earlier invoices) as a positive one, so that over a commitment's bills the
    retentions account nets to what is still held and each bill totals what is now due."""
    out = []
    withheld, released = money(invoice.retainage_this_period), money(getattr(invoice, "retainage_released", ZERO))
    if withheld:
        out.append(retainage_line(link, invoice.project, -withheld, account=account))
    if released:
        out.append(retainage_line(link, invoice.project, released, account=account, description=RELEASE_DESCRIPTION))
    return out


def retainage_line(link, project, amount: Decimal, *, account: str, description: str = RETAINAGE_DESCRIPTION) -> dict:
    """INV-1, BOOK-2: retainage is coded to the link's retainage Item, never to a cost code Item, and
    posted to the retentions account: payable (a liability) on a bill, receivable (an asset) on a sales
    invoice. Withheld (a negative ``amount``), it is still owed, so it never reduces job cost or revenue;
    released (positive, RET-1), it clears that account."""
    line = {
        "ItemCode": link.retainage_item_code,
        "AccountCode": account,
        "Description": description,
        "Quantity": Decimal("1"),
        "UnitAmount": amount,
        "LineAmount": amount,
        "Tracking": tracking_for(link, project),
    }
    if not account:  # not set (the export checks refuse this before accept): the retainage Item's account
        line.pop("AccountCode")
    return line


def retainage_item(link) -> dict:
    return {
        "Code": link.retainage_item_code,
        "Name": "Retainage",
        "Description": "Retainage withheld on subcontractor invoices",
        "PurchaseDetails": {"AccountCode": link.retainage_account_code or link.default_purchase_account},
        "SalesDetails": {"AccountCode": link.retainage_receivable_account_code or link.default_sales_account},
    }


def owner_invoice_to_invoice(invoice, lines, *, link, items=None, tax_types=None) -> dict:
    """INV-5, BOOK-1: an owner invoice (progress claim) → a sales invoice (ACCREC) to the owner, dated
    its billing date and due on its due date; BOOK-3: each line with the TaxType of its prime contract
    line's tax code."""
    prime = invoice.prime_contract
    sale = {
        "Type": "ACCREC",
        "Contact": {"ContactID": prime.owner.xero_id},
        "Date": xero_date(invoice.billing_date),
        "InvoiceNumber": invoice.invoice_number,
        "Reference": f"{prime.number} {prime.title}".strip()[:255],
        "LineAmountTypes": line_amount_types(link),
        "Status": link.xero_document_status,
        "LineItems": [],
    }
    if invoice.due_date:
        sale["DueDate"] = xero_date(invoice.due_date)
    if invoice.currency:
        sale["CurrencyCode"] = invoice.currency  # BOOK-7
    for line in lines:
        amount = money(line.amount)
        if not amount:
            continue
        sale["LineItems"].append({
            **coded_line(link, line.cost_item, account=link.default_sales_account, items=items, side="sales"),
            "Description": line.description or (line.cost_item.description if line.cost_item else "") or "-",
            "Quantity": Decimal("1"),
            "UnitAmount": amount,
            "LineAmount": amount,
            **line_tax(link, line.procore_tax_code_id, tax_types),
            "Tracking": tracking_for(link, invoice.project, line.cost_item),
        })
    sale["LineItems"] += retainage_lines(link, invoice, account=link.retainage_receivable_account_code)
    return sale


CREDIT_TYPE = {"ACCPAY": "ACCPAYCREDIT", "ACCREC": "ACCRECCREDIT"}


def document_total(document: dict) -> Decimal:
    """What a bill or sales invoice totals before tax: the sum of its lines."""
    return sum((money(line.get("LineAmount", line["Quantity"] * line["UnitAmount"])) for line in document["LineItems"]), ZERO)


def as_credit_note(document: dict) -> dict:
    """CRED-1: the credit note a negative bill (or sales invoice) becomes: ACCPAYCREDIT (ACCRECCREDIT), the
    same contact, dates, currency, status and lines, each line's amount negated, so that the credit note's
    amounts are positive as Xero keeps them (Xero's CreditNote Total, RemainingCredit and Allocation Amount
    are positive: getCreditNotes example in xero_accounting.yaml) and every line posts the reverse of what
    the bill's line would have. Quantity stays as it is: Quantity × UnitAmount is still the line's amount.
    The invoice number becomes CreditNoteNumber. A credit note has no Url (the CreditNote schema of
    xero_accounting.yaml and xero-python's CreditNote model have none), and its Reference is ACCRECCREDIT
    only (spec CreditNote.Reference)."""
    note = {k: v for k, v in document.items() if k not in ("Type", "InvoiceNumber", "LineItems", "Url", "Reference")}
    note = {"Type": CREDIT_TYPE[document["Type"]], **note}
    if document.get("InvoiceNumber"):
        note["CreditNoteNumber"] = document["InvoiceNumber"]
    if note["Type"] == "ACCRECCREDIT" and document.get("Reference"):
        note["Reference"] = document["Reference"]
    note["LineItems"] = [{**line, "UnitAmount": -line["UnitAmount"], "LineAmount": -money(line["LineAmount"])}
                         for line in document["LineItems"]]
    return note


def invoice_document(record, lines, *, link, web_url: str, items=None, tax_types=None) -> dict:
    """INV-1, INV-5, CRED-1: what a subcontractor or owner invoice becomes: its bill (sales invoice), or,
    when its total is negative and the link's `negative_invoices` is `credit_note`, that document as a
    credit note. With `refuse` a negative invoice never gets here: its checks refuse it (INV-3)."""
    if record._meta.model_name == "subcontractorinvoice":
        document = subcontractor_invoice_to_bill(record, lines, link=link, web_url=web_url, items=items, tax_types=tax_types)
    else:
        document = owner_invoice_to_invoice(record, lines, link=link, items=items, tax_types=tax_types)
    if document_total(document) < 0 and negatives_as_credit_notes(link):
        return as_credit_note(document)
    return document


def is_credit_note(document: dict) -> bool:
    return str(document.get("Type", "")).endswith("CREDIT")


# What each exportable type becomes in Xero: (API resource, mapping). Used by the export and by the
# approver's preview (SYNC-10), so both show exactly the same document.
XERO_RESOURCE = {
    "costitem": "Items",
    "project": "TrackingOptions",
    "vendor": "Contacts",
    "commitment": "PurchaseOrders",
    "changeorder": "PurchaseOrders",
    "subcontractorinvoice": "Invoices",
    "ownerinvoice": "Invoices",
}


def document_for(record, lines, *, link, web_url: str, items: dict | None = None, tax_types: dict | None = None) -> dict:
    """The Xero document a record becomes (for a change order: the lines it appends). `items`: Xero's
    Items by code, to know which carry their own accounts (BOOK-2); None when not read. `tax_types`:
    the link's tax code table, Procore tax code id → Xero TaxType (BOOK-3)."""
    model = record._meta.model_name
    if model == "costitem":
        return cost_item_to_option(record) if link.cost_code_export_mode == "tracking" else cost_item_to_item(record, link=link)
    if model == "project":
        return project_to_option(record)
    if model == "vendor":
        return vendor_to_contact(record)
    if model == "commitment":
        return commitment_to_purchase_order(record, lines, link=link, items=items, tax_types=tax_types)
    if model == "changeorder":
        return {"PurchaseOrderNumber": record.commitment.number,
                "LineItems": change_order_lines(record, lines, link=link, items=items, tax_types=tax_types)}
    if model in ("subcontractorinvoice", "ownerinvoice"):
        return invoice_document(record, lines, link=link, web_url=web_url, items=items, tax_types=tax_types)
    raise ValueError(f"{model} is not exported to Xero")
