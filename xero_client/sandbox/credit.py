"""Credit note allocations, attachments and history routes of the Xero sandbox."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from . import attachments
from .books import Books, new_id
from .rules import (
    ElementError,
)
from .wire import Kind, _echo, bad_request, problem, render, validation_exception

#: The documents the sandbox keeps history notes for (the spec has /{Resource}/{id}/History for each).
HISTORY_RESOURCES = ("Invoices", "CreditNotes", "PurchaseOrders", "BankTransactions", "Contacts", "Items",
                     "ManualJournals", "Payments")
# "The note to be recorded against a single document. Max Length 250 characters" (the Details of Xero's
# History and Notes, as Pipedream's Xero "Create History Note" action restates it; xero_accounting.yaml's
# HistoryRecord gives no limit).
HISTORY_DETAILS_MAX = 250


class CreditAndFileRoutes:
    """PUT/DELETE /CreditNotes/{id}/Allocations, /{Collection}/{id}/Attachments and /{Collection}/{id}/History."""

    def _history(self, request: Request, books: Books, kind: Kind, parts: list[str]) -> tuple[int, Any]:
        """GET and PUT /{Resource}/{id}/History (getCreditNoteHistory, createCreditNoteHistory and the same on
        the other documents): `{"HistoryRecords": [{"Details": ...}]}` adds notes; the answer lists them,
        each with Changes "Note", User and DateUTC (HistoryRecord schema)."""
        doc = self._find(books, kind, parts[1])
        if doc is None:
            raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
        records = books.history.setdefault((kind.key, doc[kind.id_key]), [])
        if request.method == "GET":
            return 200, self._envelope("HistoryRecords", [render(r) for r in records])
        if request.method != "PUT":
            raise problem(405, "Method Not Allowed", f"{request.method} is not supported on History")
        body = self._json_body(request)
        elements = body.get("HistoryRecords") if isinstance(body, dict) else None
        if not isinstance(elements, list) or not elements or not all(isinstance(e, dict) for e in elements):
            raise bad_request("The request body must be an object with a HistoryRecords list")
        added = []
        for element in elements:
            details = element.get("Details")
            if not isinstance(details, str) or not details.strip():
                raise validation_exception([{"ValidationErrors": [{"Message": "Details is required"}]}])
            if len(details) > HISTORY_DETAILS_MAX:
                raise validation_exception([{"ValidationErrors": [
                    {"Message": f"Details must be at most {HISTORY_DETAILS_MAX} characters"}]}])
            added.append({"Details": details, "Changes": "Note", "User": "Procore Xero connector",
                          "DateUTC": books.now()})
        records.extend(added)
        return 200, self._envelope("HistoryRecords", [render(r) for r in added])

    def _attachments(self, request: Request, books: Books, kind: Kind, parts: list[str]) -> tuple[int, Any]:
        doc = self._find(books, kind, parts[1])
        if doc is None:
            raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
        base = request.host_url.rstrip("/") + request.script_root
        try:
            status, body = attachments.serve(request, books.files, kind.key, doc, kind.id_key, parts[3:], base, new_id)
        except attachments.AttachmentError as exc:
            if exc.status == 400:
                raise bad_request(exc.message) from None
            raise problem(exc.status, "Attachment", exc.message) from None
        if isinstance(body, dict):
            books.touch(doc)
            body = self._envelope("Attachments", body["Attachments"])
        return status, body

    def _allocations(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        note = books.credit_notes.get(parts[1].lower())
        if note is None:
            raise problem(404, "NotFound", f"CreditNote {parts[1]} was not found")
        if len(parts) == 4 and request.method == "DELETE":
            try:
                allocation = books.delete_allocation(note, parts[3])
            except ElementError as exc:
                raise problem(404, "NotFound", "; ".join(exc.messages)) from None
            # The answer is the Allocation itself, IsDeleted true (spec deleteCreditNoteAllocations:
            # "return response of type Allocation with the isDeleted flag as true"), not an envelope.
            return 200, render(allocation)
        if len(parts) != 3 or request.method != "PUT":
            raise problem(405, "Method Not Allowed", f"{request.method} is not supported on Allocations")
        body = self._json_body(request)
        elements = body.get("Allocations") if isinstance(body, dict) else None
        if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
            raise bad_request("The request body must be an object with an Allocations list")
        done, failed = [], []
        for element in elements:
            try:
                done.append(books.allocate_credit_note(note, element))
            except ElementError as exc:
                failed.append(dict(_echo("Allocation", element), StatusAttributeString="ERROR",
                                   ValidationErrors=[{"Message": m} for m in exc.messages]))
        if failed and request.args.get("summarizeErrors", "true").lower() != "false":
            raise validation_exception([render(e) for e in failed])
        return 200, self._envelope("Allocations", done + failed)
