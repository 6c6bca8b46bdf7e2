"""Typed helpers of ``XeroClient``, one small method per Accounting API call (api/xero.md §4-§7).

Every write takes the caller's ``idempotency_key`` (SYNC-8); lists page through ``iter_pages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .answers import ElementResult, documents_of
from .errors import MalformedResponse

#: GUIDs per ``IDs=`` list: about 52 or more hit a URL-length limit and answer 404 (api/xero.md §4,
#: XeroAPI/Xero-OpenAPI#534), so a longer list is asked for in several calls.
IDS_PER_REQUEST = 50


def _id_chunks(ids: Iterable[str] | None) -> list[list[str] | None]:
    """The ``IDs=`` lists to ask for: [None] without ids, else chunks of at most IDS_PER_REQUEST."""
    if ids is None:
        return [None]
    ids = [ids] if isinstance(ids, str) else list(ids)
    return [ids[start:start + IDS_PER_REQUEST] for start in range(0, len(ids), IDS_PER_REQUEST)] or [None]


def _csv(values: Iterable[str] | str | None) -> str | None:
    if values is None:
        return None
    if isinstance(values, str):
        return values
    joined = ",".join(str(v) for v in values)
    return joined or None


class AccountingResources:
    """The typed calls; ``XeroClient`` supplies the generic ones they build on."""

    def get(self, path: str, params: dict | None = None, if_modified_since: datetime | None = None) -> dict: ...
    def delete(self, path: str) -> None: ...
    def write(self, resource: str, elements: Iterable[dict], *, method: str = "PUT", idempotency_key: str,
              params: dict | None = None) -> list[ElementResult]: ...
    def iter_pages(self, resource: str, *, params: dict | None = None, if_modified_since: datetime | None = None,
                   page_size: int = 1000) -> Iterator[dict]: ...
    def _call(self, method: str, path: str, **kwargs) -> Any: ...
    def _list(self, resource: str, path: str | None = None, params: dict | None = None,
              if_modified_since: datetime | None = None) -> list[dict]: ...
    def _one(self, resource: str, path: str, params: dict | None = None) -> dict: ...
    def _put_one(self, resource: str, path: str, body: dict, *, method: str = "PUT", idempotency_key: str) -> dict: ...

    # ------------------------------------------------------------------ attachments
    def list_attachments(self, resource: str, doc_id: str) -> list[dict]:
        """``GET /{resource}/{id}/Attachments`` (getInvoiceAttachments): ``{Attachments: [...]}``."""
        return self._list("Attachments", f"{resource}/{doc_id}/Attachments")

    def attach_file(self, resource: str, doc_id: str, file_name: str, content: bytes, *, idempotency_key: str,
                    include_online: bool = False) -> dict:
        """``PUT /{resource}/{id}/Attachments/{FileName}`` with the file's bytes as the body
        (createInvoiceAttachmentByFileName, as xero-python's ``create_invoice_attachment_by_file_name``
        sends it: application/octet-stream, ``IncludeOnline`` in the query on invoices and credit notes).
        A second PUT of the same file name adds a second file (the file name is no unique key, Xero-
        NetStandard#52), so callers check the list first. Returns the Attachment."""
        params = {"IncludeOnline": "true" if include_online else "false"} if resource in ("Invoices", "CreditNotes") else None
        answer = self._call("PUT", f"{resource}/{doc_id}/Attachments/{quote(file_name, safe='')}", params=params,
                            raw=content, idempotency_key=idempotency_key)
        documents = documents_of(answer, "Attachments", f"PUT {resource}/Attachments")
        if not documents:
            raise MalformedResponse(f"Xero answered PUT {resource}/{doc_id}/Attachments without an attachment")
        return documents[0]

    # ------------------------------------------------------------------ organisation, accounts
    def get_organisation(self) -> dict:
        return self._one("Organisations", "Organisation")

    def list_currencies(self) -> list[dict]:
        """GET /Currencies (getCurrencies): the currencies the organisation has enabled."""
        return self._list("Currencies")

    def list_accounts(self, *, where: str | None = None) -> list[dict]:
        return self._list("Accounts", params={"where": where})

    def list_tax_rates(self) -> list[dict]:
        """``GET /TaxRates``: the organisation's tax rates, each with its ``TaxType`` and ``Status``."""
        return self._list("TaxRates")

    # ------------------------------------------------------------------ contacts
    def create_contacts(self, contacts: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Contacts", contacts, method="PUT", idempotency_key=idempotency_key)

    def update_contacts(self, contacts: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Contacts", contacts, method="POST", idempotency_key=idempotency_key)

    def get_contact(self, contact_id: str) -> dict:
        return self._one("Contacts", f"Contacts/{contact_id}")

    def iter_contacts(self, *, if_modified_since: datetime | None = None, include_archived: bool = False,
                      search_term: str | None = None, ids: Iterable[str] | None = None) -> Iterator[dict]:
        for chunk in _id_chunks(ids):
            params = {"includeArchived": "true" if include_archived else None, "searchTerm": search_term,
                      "IDs": _csv(chunk)}
            yield from self.iter_pages("Contacts", params=params, if_modified_since=if_modified_since)

    def find_contact_by_number(self, contact_number: str) -> dict | None:
        """The contact whose ContactNumber is exactly `contact_number` (archived ones too), or None (§10.7)."""
        for contact in self.iter_contacts(include_archived=True, search_term=contact_number):
            if contact.get("ContactNumber") == contact_number:
                return contact
        return None

    def find_contacts_by_name(self, name: str, *, include_archived: bool = False) -> list[dict]:
        """Contacts named `name` (trimmed, case-insensitive: names are unique among active contacts, §7)."""
        wanted = name.strip().casefold()
        return [c for c in self.iter_contacts(include_archived=include_archived, search_term=name.strip())
                if str(c.get("Name", "")).strip().casefold() == wanted]

    # ------------------------------------------------------------------ contact groups
    def list_contact_groups(self) -> list[dict]:
        return self._list("ContactGroups")

    def create_contact_group(self, name: str, *, idempotency_key: str) -> dict:
        return self._put_one("ContactGroups", "ContactGroups", {"ContactGroups": [{"Name": name}]},
                             idempotency_key=idempotency_key)

    def add_contacts_to_group(self, group_id: str, contact_ids: Iterable[str], *, idempotency_key: str) -> list[dict]:
        body = {"Contacts": [{"ContactID": cid} for cid in contact_ids]}
        answer = self._call("PUT", f"ContactGroups/{group_id}/Contacts", body=body, idempotency_key=idempotency_key)
        return documents_of(answer, "Contacts", "PUT ContactGroups/{id}/Contacts")

    def list_group_contacts(self, group_id: str) -> list[dict]:
        group = self._one("ContactGroups", f"ContactGroups/{group_id}")
        contacts = group.get("Contacts") or []
        if not isinstance(contacts, list):
            raise MalformedResponse("ContactGroup.Contacts is not a list")
        return contacts

    # ------------------------------------------------------------------ items
    def create_items(self, items: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Items", items, method="PUT", idempotency_key=idempotency_key)

    def update_items(self, items: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Items", items, method="POST", idempotency_key=idempotency_key)

    def list_items(self, *, if_modified_since: datetime | None = None) -> list[dict]:
        """All Items (not paged, §4)."""
        return self._list("Items", if_modified_since=if_modified_since)

    def delete_item(self, item_id: str) -> None:
        self.delete(f"Items/{item_id}")

    # ------------------------------------------------------------------ tracking
    def list_tracking_categories(self, *, include_archived: bool = True) -> list[dict]:
        params = {"includeArchived": "true"} if include_archived else None
        return self._list("TrackingCategories", params=params)

    def create_tracking_category(self, name: str, *, idempotency_key: str) -> dict:
        return self._put_one("TrackingCategories", "TrackingCategories", {"Name": name},
                             idempotency_key=idempotency_key)

    def create_tracking_option(self, category_id: str, name: str, *, idempotency_key: str) -> dict:
        return self._put_one("Options", f"TrackingCategories/{category_id}/Options", {"Name": name},
                             idempotency_key=idempotency_key)

    def update_tracking_option(self, category_id: str, option_id: str, *, idempotency_key: str,
                               name: str | None = None, status: str | None = None) -> dict:
        body = {k: v for k, v in (("Name", name), ("Status", status)) if v is not None}
        if not body:
            raise ValueError("give a new name or a status")
        return self._put_one("Options", f"TrackingCategories/{category_id}/Options/{option_id}", body,
                             method="POST", idempotency_key=idempotency_key)

    def rename_tracking_option(self, category_id: str, option_id: str, name: str, *, idempotency_key: str) -> dict:
        return self.update_tracking_option(category_id, option_id, name=name, idempotency_key=idempotency_key)

    def archive_tracking_option(self, category_id: str, option_id: str, *, idempotency_key: str) -> dict:
        return self.update_tracking_option(category_id, option_id, status="ARCHIVED", idempotency_key=idempotency_key)

    def restore_tracking_option(self, category_id: str, option_id: str, *, idempotency_key: str) -> dict:
        return self.update_tracking_option(category_id, option_id, status="ACTIVE", idempotency_key=idempotency_key)

    # ------------------------------------------------------------------ purchase orders
    def create_purchase_orders(self, orders: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("PurchaseOrders", orders, method="PUT", idempotency_key=idempotency_key)

    def update_purchase_orders(self, orders: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("PurchaseOrders", orders, method="POST", idempotency_key=idempotency_key)

    def get_purchase_order(self, purchase_order_id: str) -> dict:
        # unitdp=4: the unit prices as stored, so lines sent back unchanged stay unchanged (api/xero.md §5)
        return self._one("PurchaseOrders", f"PurchaseOrders/{purchase_order_id}", {"unitdp": 4})

    def iter_purchase_orders(self, *, if_modified_since: datetime | None = None,
                             status: str | None = None) -> Iterator[dict]:
        return self.iter_pages("PurchaseOrders", params={"Status": status}, if_modified_since=if_modified_since)

    # ------------------------------------------------------------------ invoices and bills
    def create_invoices(self, invoices: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Invoices", invoices, method="PUT", idempotency_key=idempotency_key)

    def update_invoices(self, invoices: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Invoices", invoices, method="POST", idempotency_key=idempotency_key)

    def get_invoice(self, invoice_id: str) -> dict:
        return self._one("Invoices", f"Invoices/{invoice_id}", {"unitdp": 4})

    def find_invoices(self, *, invoice_numbers: Iterable[str] | None = None, contact_ids: Iterable[str] | None = None,
                      statuses: Iterable[str] | None = None, ids: Iterable[str] | None = None) -> list[dict]:
        """Invoices matching the explicit list params (§4: faster than `where`; §10.6 duplicate check); `ids`
        of any length, read IDS_PER_REQUEST to a call."""
        out = []
        for chunk in _id_chunks(ids):
            params = {"InvoiceNumbers": _csv(invoice_numbers), "ContactIDs": _csv(contact_ids),
                      "Statuses": _csv(statuses), "IDs": _csv(chunk)}
            out.extend(self.iter_pages("Invoices", params=params))
        return out

    def iter_invoices(self, *, if_modified_since: datetime | None = None, where: str | None = None) -> Iterator[dict]:
        return self.iter_pages("Invoices", params={"where": where}, if_modified_since=if_modified_since)

    # ------------------------------------------------------------------ credit notes
    def create_credit_notes(self, notes: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("CreditNotes", notes, method="PUT", idempotency_key=idempotency_key)

    def allocate_credit_note(self, credit_note_id: str, *, invoice_id: str, amount, date: str,
                             idempotency_key: str) -> dict:
        """PUT /CreditNotes/{id}/Allocations (createCreditNoteAllocation): part of the credit applied to an
        invoice of the same contact. Amount, Invoice and Date are required (spec Allocation.required)."""
        body = self._call("PUT", f"CreditNotes/{credit_note_id}/Allocations", idempotency_key=idempotency_key,
                          body={"Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": amount,
                                                 "Date": date}]})
        found = documents_of(body, "Allocations", "PUT Allocations")
        if not found:
            raise MalformedResponse("Xero answered PUT Allocations without the allocation")
        return found[0]

    def list_history(self, resource: str, doc_id: str) -> list[dict]:
        """GET /{Resource}/{id}/History (getCreditNoteHistory, getInvoiceHistory...): the document's history
        and notes."""
        return self._list("HistoryRecords", f"{resource}/{doc_id}/History")

    def add_history_note(self, resource: str, doc_id: str, details: str, *, idempotency_key: str) -> dict:
        """PUT /{Resource}/{id}/History (createCreditNoteHistory...): a note on the document's history."""
        return self._put_one("HistoryRecords", f"{resource}/{doc_id}/History",
                             {"HistoryRecords": [{"Details": details}]}, idempotency_key=idempotency_key)

    def iter_credit_notes(self, *, if_modified_since: datetime | None = None,
                          where: str | None = None) -> Iterator[dict]:
        return self.iter_pages("CreditNotes", params={"where": where}, if_modified_since=if_modified_since)

    def get_credit_note(self, credit_note_id: str) -> dict:
        return self._one("CreditNotes", f"CreditNotes/{credit_note_id}", {"unitdp": 4})

    def find_credit_notes(self, *, contact_ids: Iterable[str], statuses: Iterable[str] | None = None) -> list[dict]:
        """Credit notes of these contacts: GET /CreditNotes has no ContactIDs or Statuses list parameter
        (spec: where, order, page), so they are asked with `where`."""
        contacts = " OR ".join(f'Contact.ContactID==guid("{c}")' for c in contact_ids)
        where = f"({contacts})" if contacts else None
        if statuses:
            wanted = " OR ".join(f'Status=="{s}"' for s in statuses)
            where = f"{where} AND ({wanted})" if where else wanted
        return list(self.iter_pages("CreditNotes", params={"where": where}))

    # ------------------------------------------------------------------ bank transactions
    def create_bank_transactions(self, transactions: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("BankTransactions", transactions, method="PUT", idempotency_key=idempotency_key)

    def iter_bank_transactions(self, *, if_modified_since: datetime | None = None,
                               where: str | None = 'Type=="SPEND"') -> Iterator[dict]:
        """Spend money by default (§7: `where=Type=="SPEND"`, which leaves SPEND-TRANSFER out)."""
        return self.iter_pages("BankTransactions", params={"where": where}, if_modified_since=if_modified_since)

    # ------------------------------------------------------------------ payments
    def create_payments(self, payments: Iterable[dict], *, idempotency_key: str) -> list[ElementResult]:
        return self.write("Payments", payments, method="PUT", idempotency_key=idempotency_key)

    def iter_payments(self, *, if_modified_since: datetime | None = None, where: str | None = None) -> Iterator[dict]:
        return self.iter_pages("Payments", params={"where": where}, if_modified_since=if_modified_since)

    def get_payment(self, payment_id: str) -> dict:
        return self._one("Payments", f"Payments/{payment_id}")

    def delete_payment(self, payment_id: str, *, idempotency_key: str) -> dict:
        """Payments are immutable; deleting is the only change (§6). Body per spec `PaymentDelete`."""
        return self._put_one("Payments", f"Payments/{payment_id}", {"Status": "DELETED"}, method="POST",
                             idempotency_key=idempotency_key)

    # ------------------------------------------------------------------ manual journals (read)
    def iter_manual_journals(self, *, if_modified_since: datetime | None = None,
                             where: str | None = None) -> Iterator[dict]:
        return self.iter_pages("ManualJournals", params={"where": where}, if_modified_since=if_modified_since)
