"""The Accounting API's collections in the sandbox: routing, lists (where, order, paging,
If-Modified-Since) and batch writes (§3, §4)."""

from __future__ import annotations

import copy
import json
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from werkzeug.wrappers import Request

from . import attachments
from .books import Books
from .credit import HISTORY_RESOURCES
from .rules import (
    ElementError,
    QueryError,
    check_field_path,
    parse_header_datetime,
    parse_where,
)
from .wire import (
    KINDS,
    ZERO_ID,
    Kind,
    _echo,
    _path,
    _sortable,
    bad_request,
    problem,
    query_error,
    render,
    validation_exception,
)

#: The longest IDs list Xero answers: about 52 GUIDs or more hit its URL-length limit (XeroAPI/Xero-OpenAPI#534).
IDS_URL_LIMIT = 51
# The explicit list parameters each GET takes (xero_accounting.yaml: /Invoices IDs, InvoiceNumbers,
# ContactIDs, Statuses; /Contacts IDs).
LIST_PARAMS = {"Invoices": ("IDs", "InvoiceNumbers", "ContactIDs", "Statuses"), "Contacts": ("IDs",)}


class DocumentRoutes:
    """GET/PUT/POST on /{Collection}[/{id}] for every Kind, answered from the tenant's Books."""

    def _json_body(self, request: Request) -> Any:
        raw = request.get_data()
        if not raw.strip():
            raise bad_request("The request body is empty")
        try:
            return json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise bad_request("The request body is not valid JSON") from None

    def _envelope(self, key: str, documents: list, extra: dict | None = None) -> dict:
        return {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": "Xero Sandbox",
                "DateTimeUTC": self.clock(), **(extra or {}), key: documents}

    def _dispatch(self, request: Request, books: Books, rest: str) -> tuple[int, Any]:
        parts = [p for p in rest.split("/") if p]
        method = request.method
        resource = parts[0] if parts else ""
        if resource == "Organisation" and len(parts) == 1 and method == "GET":
            return 200, self._envelope("Organisations", [books.organisation])
        if resource == "TaxRates" and len(parts) == 1 and method == "GET":
            return 200, self._envelope("TaxRates", books.tax_rates())
        if resource == "TaxRates" and len(parts) == 1 and method in ("PUT", "POST"):
            return self._write_tax_rates(request, books)
        if resource == "Currencies" and len(parts) == 1 and method == "GET":
            return 200, self._envelope("Currencies", books.currencies())
        if resource == "ContactGroups":
            return self._contact_groups(request, books, parts[1:])
        if resource == "TrackingCategories":
            return self._tracking(request, books, parts[1:])
        kind = KINDS.get(resource)
        if kind is None:
            raise problem(404, "NotFound", f"The resource /{rest} is not available in the sandbox")
        if resource == "Accounts" and method != "GET":
            raise problem(405, "Method Not Allowed", "The sandbox's chart of accounts is read-only")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._list(request, books, kind)
            if method in ("PUT", "POST"):
                if resource == "Payments" and method == "POST":
                    body = self._json_body(request)  # spec: POST /Payments takes one Payment object
                    return self._write(request, books, kind, {"Payments": [body]} if "Payments" not in body else body)
                return self._write(request, books, kind, self._json_body(request))
        if len(parts) >= 3 and parts[2] == "Attachments" and resource in attachments.RESOURCES:
            return self._attachments(request, books, kind, parts)
        if resource == "CreditNotes" and len(parts) >= 3 and parts[2] == "Allocations":
            return self._allocations(request, books, parts)
        if len(parts) == 3 and parts[2] == "History" and resource in HISTORY_RESOURCES:
            return self._history(request, books, kind, parts)
        if len(parts) == 2:
            doc = self._find(books, kind, parts[1])
            if method == "GET":
                if doc is None:
                    raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
                return 200, self._envelope(kind.key, [self._render_doc(books, kind.key, doc,
                                                                       self._unitdp(request))])
            if doc is None:
                raise problem(404, "NotFound", f"{kind.schema} {parts[1]} was not found")
            if method == "POST":
                body = self._json_body(request)
                if resource == "Payments":
                    element = body["Payments"][0] if isinstance(body.get("Payments"), list) and body["Payments"] \
                        else body
                    try:
                        payment = books.delete_payment(doc, element)
                    except ElementError as exc:
                        raise validation_exception([{"PaymentID": doc["PaymentID"], "ValidationErrors": [
                            {"Message": m} for m in exc.messages]}]) from None
                    return 200, self._envelope("Payments", [self._render_doc(books, "Payments", payment)])
                elements = body.get(kind.key) if isinstance(body, dict) else None
                if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
                    raise bad_request(f"POST /{kind.key}/{{id}} takes {{\"{kind.key}\": [one element]}}")
                element = dict(elements[0], **{kind.id_key: doc[kind.id_key]})
                return self._write(request, books, kind, {kind.key: [element]})
            if method == "DELETE" and resource == "Items":
                del books.items[doc["ItemID"]]
                return 204, None
        raise problem(405, "Method Not Allowed", f"{method} /{rest} is not supported")

    def _write_tax_rates(self, request: Request, books: Books) -> tuple[int, Any]:
        """createTaxRates (PUT) and updateTaxRate (POST): ``{"TaxRates": [...]}``, answered with the rates."""
        body = self._json_body(request)
        elements = body.get("TaxRates") if isinstance(body, dict) else None
        if not isinstance(elements, list) or not elements or not all(isinstance(e, dict) for e in elements):
            raise bad_request("The request body must be an object with a TaxRates list")
        try:
            rates = [books.write_tax_rate(e, method=request.method) for e in elements]
        except ElementError as exc:
            raise validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}]) from None
        return 200, self._envelope("TaxRates", rates)

    def _find(self, books: Books, kind: Kind, ident: str) -> dict | None:
        store = getattr(books, kind.store)
        doc = store.get(ident.lower())
        if doc is not None:
            return doc
        for candidate in store.values():  # /Invoices/{InvoiceNumber}, /Contacts/{ContactNumber}, /Items/{Code}
            for key in (kind.number_key, "ContactNumber" if kind.key == "Contacts" else None,
                        "Code" if kind.key == "Items" else None):
                if key and candidate.get(key) == ident:
                    return candidate
        return None

    def _unitdp(self, request: Request) -> int:
        value = request.args.get("unitdp")
        if value in (None, "", "2"):
            return 2
        if value == "4":
            return 4
        raise bad_request("unitdp must be 2 or 4")

    def _write(self, request: Request, books: Books, kind: Kind, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get(kind.key), list):
            raise bad_request(f"The request body must be an object with a {kind.key} list")
        unknown = set(body) - {kind.key}
        if unknown:
            raise bad_request(f"Unknown top-level field(s): {', '.join(sorted(unknown))}")
        summarize = request.args.get("summarizeErrors", "true").lower() != "false"
        unitdp = self._unitdp(request)
        results, failed = [], []
        for element in body[kind.key]:
            try:
                if not isinstance(element, dict):
                    raise ElementError(f"Each of {kind.key} must be an object")
                doc = self._write_one(request, books, kind, element, unitdp)
                results.append(dict(self._render_doc(books, kind.key, doc, unitdp), StatusAttributeString="OK"))
            except ElementError as exc:
                echo = _echo(kind.schema, element if isinstance(element, dict) else {})
                # A failed element keeps the id it was sent with (Xero's createPayments example answers a
                # refused payment with its PaymentID); a new one has none yet and carries the all-zero
                # ID (§3).
                sent_id = element.get(kind.id_key) if isinstance(element, dict) else None
                echo[kind.id_key] = str(sent_id).lower() if isinstance(sent_id, str) and sent_id else ZERO_ID
                if kind.error_flag:
                    echo[kind.error_flag] = True
                echo["StatusAttributeString"] = "ERROR"
                echo["ValidationErrors"] = [{"Message": m} for m in exc.messages]
                results.append(echo)
                failed.append(echo)
        if failed and summarize:
            # §3: summarised (the wire default): HTTP 400 with the failed elements; the valid ones
            # in the same request are still created, but their IDs are not returned.
            raise validation_exception([render(e) for e in failed])
        return 200, self._envelope(kind.key, results)

    def _write_one(self, request: Request, books: Books, kind: Kind, element: dict, unitdp: int) -> dict:
        if kind.key == "Contacts":
            return books.write_contact(element)
        if kind.key == "Items":
            return books.write_item(element, method=request.method)
        if kind.key == "Invoices":
            return books.write_invoice(element, kind="Invoice", unitdp=unitdp)
        if kind.key == "CreditNotes":
            return books.write_invoice(element, kind="CreditNote", unitdp=unitdp)
        if kind.key == "PurchaseOrders":
            return books.write_purchase_order(element, unitdp=unitdp)
        if kind.key == "BankTransactions":
            return books.write_bank_transaction(element, unitdp=unitdp)
        if kind.key == "Payments":
            return books.create_payment(element)
        if kind.key == "ManualJournals":
            return books.write_manual_journal(element)
        raise ElementError(f"{kind.key} cannot be written")

    def _list(self, request: Request, books: Books, kind: Kind) -> dict:
        args = request.args
        if len([v for v in args.get("IDs", "").split(",") if v.strip()]) > IDS_URL_LIMIT:
            # api/xero.md §4: an IDs list of about 52 GUIDs or more makes the URL too long, and Xero
            # answers 404 (XeroAPI/Xero-OpenAPI#534).
            raise problem(404, "NotFound", "The resource cannot be found (the IDs list makes the URL too long)")
        docs = list(getattr(books, kind.store).values())
        try:
            if kind.key == "Contacts" and args.get("includeArchived", "").lower() != "true":
                docs = [d for d in docs if d.get("ContactStatus") != "ARCHIVED"]
            for param, key in (("IDs", kind.id_key), ("InvoiceNumbers", "InvoiceNumber"),
                               ("ContactIDs", "Contact.ContactID"), ("Statuses", "Status")):
                # §4: the explicit list params of /Invoices (and IDs of /Contacts); the spec gives no other
                # list them (GET /CreditNotes has where, order, page only), so elsewhere they filter nothing.
                if param not in LIST_PARAMS.get(kind.key, ()):
                    continue
                if args.get(param):
                    wanted = {v.strip().lower() for v in args[param].split(",") if v.strip()}
                    docs = [d for d in docs if str(_path(d, key) or "").lower() in wanted]
            if kind.key == "PurchaseOrders":  # §4: /PurchaseOrders has Status, DateFrom, DateTo, no where
                if args.get("Status"):
                    docs = [d for d in docs if d["Status"] == args["Status"]]
                for param, cmp in (("DateFrom", lambda a, b: a >= b), ("DateTo", lambda a, b: a <= b)):
                    if args.get(param):
                        bound = parse_header_datetime(args[param]).date()
                        docs = [d for d in docs if cmp(d["Date"], bound)]
            if args.get("where"):
                predicate = parse_where(args["where"], kind.schema)
                docs = [d for d in docs if predicate(d)]
            if args.get("searchTerm"):
                term = args["searchTerm"].casefold()
                fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress") \
                    if kind.key == "Contacts" else ("InvoiceNumber", "Reference", "CreditNoteNumber")
                docs = [d for d in docs if any(term in str(d.get(f) or "").casefold() for f in fields)]
            since = request.headers.get("If-Modified-Since")
            if since:  # §4: compared against UpdatedDateUTC
                moment = parse_header_datetime(since)
                docs = [d for d in docs if d.get("UpdatedDateUTC") and d["UpdatedDateUTC"] >= moment]
            if args.get("order"):
                field_name, _, direction = args["order"].strip().partition(" ")
                check_field_path(kind.schema, field_name)
                docs.sort(key=lambda d: (_path(d, field_name) is None, _sortable(_path(d, field_name))),
                          reverse=direction.strip().upper() == "DESC")
        except QueryError as exc:
            raise query_error(exc) from None
        extra = None
        page_arg = args.get("page")
        rendered_all = page_arg is None
        if kind.paged and page_arg is not None:
            try:
                page = max(1, int(page_arg))
                size = int(args.get("pageSize") or 100)
            except ValueError:
                raise bad_request("page and pageSize must be integers") from None
            size = min(max(size, 1), 1000)  # §4: pageSize up to 1000 (clamping is [UNCONFIRMED])
            count = len(docs)
            extra = {"pagination": {"page": page, "pageSize": size, "pageCount": max(1, -(-count // size)),
                                    "itemCount": count}}
            docs = docs[(page - 1) * size: page * size]
        rendered = []
        unitdp = self._unitdp(request)
        for doc in docs:
            out = self._render_doc(books, kind.key, doc, unitdp)
            # §4: unpaged list GETs return summaries without line details; summaryOnly likewise. The
            # lines are an empty list, not absent: Xero's getInvoices example shows `LineItems: []`, and
            # the SDK's BankTransaction and ManualJournal models refuse an answer without them.
            if kind.line_key and (rendered_all or args.get("summaryOnly", "").lower() == "true"):
                out[kind.line_key] = []
            rendered.append(out)
        return self._envelope(kind.key, rendered, extra)

    def _render_doc(self, books: Books, key: str, doc: dict, unitdp: int = 2) -> dict:
        out = copy.deepcopy(doc)
        # UnitAmount is 2 dp unless the request opts in with unitdp=4, on reads as on writes (spec
        # `unitdp`: "You can opt in to use four decimal places for unit amounts"; api/xero.md §5): a
        # 33.3333 unit price stored through unitdp=4 reads back as 33.33 without it.
        if unitdp == 2:
            for line in out.get("LineItems") or []:
                if isinstance(line.get("UnitAmount"), Decimal):
                    line["UnitAmount"] = line["UnitAmount"].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if key == "Invoices":
            out.setdefault("CreditNotes", [])
        if key == "CreditNotes":
            # A credit note has no AmountPaid or AmountCredited in the spec (CreditNote schema): what is
            # paid or allocated shows as Payments, Allocations and RemainingCredit.
            out.pop("AmountPaid", None)
            out.pop("AmountCredited", None)
            out.setdefault("Allocations", [])
        if key == "Contacts":
            out["ContactGroups"] = [{"ContactGroupID": g["ContactGroupID"], "Name": g["Name"], "Status": g["Status"]}
                                    for g in books.groups.values()
                                    if g["Status"] == "ACTIVE" and doc["ContactID"] in g["ContactIDs"]]
        return render(out)
