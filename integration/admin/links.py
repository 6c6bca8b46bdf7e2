"""Links that open a record in Procore and in Xero (SYNC-6).

Procore links are built on settings.PROCORE_WEB_URL from the project and the record's Procore id;
Xero deep links on settings.XERO_WEB_URL from the document type and its Xero id. Both read only
fields the changelists load with `list_select_related`, so a page never runs a query per row.
"""

from __future__ import annotations

from django.conf import settings

# Xero's web app: where each document type opens, by its id.
XERO_PATHS = {
    "bill": "/AccountsPayable/View.aspx?InvoiceID={id}",
    "sales_invoice": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    # CRED-1: a negative invoice's credit note.
    "supplier_credit_note": "/AccountsPayable/ViewCreditNote.aspx?creditNoteID={id}",
    "sales_credit_note": "/AccountsReceivable/ViewCreditNote.aspx?creditNoteID={id}",
    "purchase_order": "/Accounts/Payable/PurchaseOrders/View/{id}",
    "contact": "/Contacts/View/{id}",
    "item": "/Accounts/Inventory/{id}",
    "tracking": "/Setup/Tracking.aspx",
}


def xero_web_url() -> str:
    return getattr(settings, "XERO_WEB_URL", "https://go.xero.com").rstrip("/")


def xero_url(record) -> str:
    """The record's document in Xero, or "" when it has none yet."""
    model = record._meta.model_name
    if model == "changeorder":
        # A change order's lines live on its commitment's purchase order (CCO-1).
        xero_id = record.xero_id or getattr(record.commitment, "xero_id", "")
        kind = "purchase_order"
    else:
        xero_id = record.xero_id
        kind = {
            "subcontractorinvoice": "bill",
            "ownerinvoice": "sales_invoice",
            "commitment": "purchase_order",
            "vendor": "contact",
            "costitem": "tracking" if record.link.cost_code_export_mode == "tracking" else "item",
            "project": "tracking",
        }.get(model)
        if getattr(record, "xero_credit_note", False):
            kind = "supplier_credit_note" if model == "subcontractorinvoice" else "sales_credit_note"
    if not xero_id or kind is None:
        return ""
    return xero_web_url() + XERO_PATHS[kind].format(id=xero_id)


def procore_url(record) -> str:
    """The record in Procore's web app, or "" when it has no Procore id."""
    web = settings.PROCORE_WEB_URL.rstrip("/")
    model = record._meta.model_name
    company = record.link.procore_company_id
    if model == "project":
        return f"{web}/{record.procore_id}/project/home" if record.procore_id else ""
    if model == "vendor":
        return f"{web}/{company}/company/directory/vendors/{record.procore_id}" if record.procore_id and company else ""
    if model == "costitem":
        return f"{web}/{company}/company/admin/cost_codes" if company else ""
    if not record.procore_id:
        return ""
    project = record.project.procore_id
    if model == "commitment":
        kind = "purchase_order_contracts" if record.kind == "purchase_order" else "work_order_contracts"
        return f"{web}/{project}/project/commitments/{kind}/{record.procore_id}"
    if model == "changeorder":
        return f"{web}/{project}/project/commitments/{record.commitment.procore_id}/change_orders/{record.procore_id}"
    if model == "subcontractorinvoice":
        commitment = record.commitment.procore_id if record.commitment_id else ""
        return f"{web}/{project}/project/commitments/{commitment}/invoices/{record.procore_id}"
    if model == "ownerinvoice":
        return f"{web}/{project}/project/prime_contracts/{record.prime_contract.procore_id}/payment_applications/{record.procore_id}"
    return ""


def xero_document_url(document) -> str:
    """A document the reconcile read (`XeroDocument`) in Xero's web app; a payment opens its bill."""
    if document is None:
        return ""
    resource, xero_id = document.resource, document.xero_id
    if resource == "Payments":
        kind, xero_id = ("sales_invoice" if document.doc_type == "ACCRECPAYMENT" else "bill"), document.parent_id
    else:
        kind = {"Invoices": "sales_invoice" if document.doc_type == "ACCREC" else "bill", "PurchaseOrders": "purchase_order",
                "CreditNotes": "sales_credit_note" if document.doc_type == "ACCRECCREDIT" else "supplier_credit_note",
                "Contacts": "contact", "Items": "item", "TrackingOptions": "tracking"}.get(resource)
    if not xero_id or kind is None:
        return ""
    return xero_web_url() + XERO_PATHS[kind].format(id=xero_id)
