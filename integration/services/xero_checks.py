"""Ask Xero, at this moment, whether a record's document is gone (SYNC-7, CMT-3, CCO-2)."""

from __future__ import annotations

from integration.services.connections import xero_client_for
from xero_client.errors import NotFound

GONE = {"DELETED", "VOIDED", "ARCHIVED"}


def xero_document_removed(record, client=None) -> tuple[bool, str]:
    """(True, detail) when the record's Xero document is deleted or voided (or no longer exists)."""
    client = client or xero_client_for(record.link)
    model = record._meta.model_name
    try:
        if model in ("subcontractorinvoice", "ownerinvoice") and record.xero_credit_note:
            status = client.get_credit_note(record.xero_id).get("Status")  # CRED-1
        elif model in ("subcontractorinvoice", "ownerinvoice"):
            status = client.get_invoice(record.xero_id).get("Status")
        elif model == "commitment":
            status = client.get_purchase_order(record.xero_id).get("Status")
        elif model == "changeorder":
            order = client.get_purchase_order(record.xero_id)
            if order.get("Status") in GONE:
                return True, f"its purchase order is {order['Status'].lower()} in Xero."
            marker = f"CO {record.number}:"
            left = [line for line in order.get("LineItems", []) if str(line.get("Description", "")).startswith(marker)]
            if left:
                return False, f"the purchase order still has {len(left)} line(s) of change order {record.number}."
            return True, "its lines are no longer on the purchase order."
        elif model == "vendor":
            status = client.get_contact(record.xero_id).get("ContactStatus")
        elif model == "costitem":
            items = {i.get("ItemID") for i in client.list_items()}
            return (record.xero_id not in items, "the Item no longer exists in Xero." if record.xero_id not in items else "the Item still exists in Xero.")
        elif model == "project":
            for category in client.list_tracking_categories(include_archived=True):
                for option in category.get("Options", []):
                    if option.get("TrackingOptionID") == record.xero_id:
                        status = option.get("Status")
                        return (status in GONE, f"its tracking option is {str(status).lower()} in Xero.")
            return True, "its tracking option no longer exists in Xero."
        else:
            return False, "this type cannot be unlinked."
    except NotFound:
        return True, "the document no longer exists in Xero."
    if status in GONE:
        return True, f"it is {status.lower()} in Xero."
    return False, f"it is still {str(status).lower()} in Xero."


def is_credit_note_record(record) -> bool:
    """CRED-1: the record's Xero document is (or, once exported, will be) a credit note."""
    from integration.validation import becomes_credit_note

    return bool(record.xero_credit_note) or (record.total < 0 and becomes_credit_note(record))


def xero_document_live(record, xero_id: str, client=None) -> tuple[bool, str]:
    """(True, detail) when `xero_id` is a live document of the kind this record becomes."""
    client = client or xero_client_for(record.link)
    model = record._meta.model_name
    try:
        if model in ("subcontractorinvoice", "ownerinvoice") and is_credit_note_record(record):
            doc = client.get_credit_note(xero_id)  # CRED-1: a negative invoice is linked to a credit note
            wanted = "ACCPAYCREDIT" if model == "subcontractorinvoice" else "ACCRECCREDIT"
            if doc.get("Type") != wanted:
                return False, f"it is a {doc.get('Type')} document, not {wanted}."
            status = doc.get("Status")
            label = f"{wanted} {doc.get('CreditNoteNumber')} ({str(status).lower()})"
        elif model in ("subcontractorinvoice", "ownerinvoice"):
            doc = client.get_invoice(xero_id)
            wanted = "ACCPAY" if model == "subcontractorinvoice" else "ACCREC"
            if doc.get("Type") != wanted:
                return False, f"it is a {doc.get('Type')} document, not {wanted}."
            status = doc.get("Status")
            label = f"{wanted} {doc.get('InvoiceNumber')} ({str(status).lower()})"
        elif model == "commitment":
            doc = client.get_purchase_order(xero_id)
            status, label = doc.get("Status"), f"purchase order {doc.get('PurchaseOrderNumber')}"
        elif model == "vendor":
            doc = client.get_contact(xero_id)
            status, label = doc.get("ContactStatus"), f"contact {doc.get('Name')}"
        else:
            return False, "this type cannot be linked by hand."
    except NotFound:
        return False, "Xero has no such document."
    if status in GONE:
        return False, f"the {label} is {str(status).lower()} in Xero."
    return True, f"the {label} exists in Xero."


#: BOOK-2: the retentions settings of a link and the Class of account each must name in Xero's chart.
RETENTION_ACCOUNTS = {"retainage_account_code": ("LIABILITY", "Retentions Payable"),
                      "retainage_receivable_account_code": ("ASSET", "Retentions Receivable")}


def retention_account_problems(link, codes: dict[str, str], client=None) -> dict[str, str]:
    """{setting: why} for each retentions account code that is not an active account of the right
    Class (``Account.Class``: ASSET, LIABILITY...) in the link's Xero chart of accounts."""
    from integration.services.connections import NotConnected

    wanted = {name: code.strip() for name, code in codes.items() if code and code.strip()}
    if not wanted:
        return {}
    try:
        client = client or xero_client_for(link)
    except NotConnected as exc:
        return {name: f"Xero is not connected ({exc}): the account cannot be checked against its chart." for name in wanted}
    chart = {str(a.get("Code") or "").casefold(): a for a in client.list_accounts() if a.get("Status", "ACTIVE") == "ACTIVE"}
    problems = {}
    for name, code in wanted.items():
        account_class, example = RETENTION_ACCOUNTS[name]
        account = chart.get(code.casefold())
        if account is None:
            problems[name] = f"Xero's chart of accounts has no active account {code}."
        elif account.get("Class") != account_class:
            problems[name] = (f"Account {code} ({account.get('Name')}) is {str(account.get('Class')).lower()}: "
                              f"it must be a {account_class.lower()} account, e.g. {example}.")
    return problems


def tax_type_problem(link, tax_type: str, client=None, *, sales: bool = False) -> str:
    """BOOK-3: why `tax_type` cannot be a line's TaxType in the link's organisation ("" when it can):
    it must be an active tax rate of Xero's ``GET /TaxRates``, as Xero refuses a line with any other, and
    one that applies to expenses (purchases) or to revenue (`sales`): Xero refuses a rate on an account
    class its CanApplyTo* flags leave out ("The TaxType code ... cannot be used with account code ...",
    XeroAPI/Xero-Java#336)."""
    from integration.services.connections import NotConnected

    try:
        client = client or xero_client_for(link)
    except NotConnected as exc:
        return f"Xero is not connected ({exc}): the TaxType cannot be checked against its tax rates."
    rates = {str(r.get("TaxType") or ""): r for r in client.list_tax_rates()}
    rate = rates.get(tax_type)
    if rate is None or rate.get("Status", "ACTIVE") != "ACTIVE":
        known = ", ".join(f"{t} ({r.get('Name')})" for t, r in sorted(rates.items()) if r.get("Status", "ACTIVE") == "ACTIVE")
        return f"Xero's tax rates have no active TaxType {tax_type}; the organisation's are: {known or 'none'}."
    flag, side = ("CanApplyToRevenue", "sales (revenue)") if sales else ("CanApplyToExpenses", "purchases (expenses)")
    if rate.get(flag) is False:
        fitting = ", ".join(t for t, r in sorted(rates.items()) if r.get("Status", "ACTIVE") == "ACTIVE" and r.get(flag))
        return (f"Xero's tax rate {tax_type} ({rate.get('Name')}) does not apply to {side}; the rates that do: "
                f"{fitting or 'none'}.")
    return ""
