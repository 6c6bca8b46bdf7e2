"""/ContactGroups in the Xero sandbox (api/xero.md §7 ContactGroups)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from .books import Books
from .rules import (
    ElementError,
    QueryError,
    parse_where,
)
from .wire import ZERO_ID, bad_request, problem, query_error, render, validation_exception


class ContactGroupRoutes:
    """Contact groups and their members."""

    def _render_group(self, books: Books, group: dict) -> dict:
        contacts = [books.contact_summary(books.contacts[cid]) for cid in group["ContactIDs"] if cid in books.contacts]
        return render({"ContactGroupID": group["ContactGroupID"], "Name": group["Name"], "Status": group["Status"],
                       "Contacts": contacts})

    # ------------------------------------------------------------------ contact groups (§7 ContactGroups)
    def _contact_groups(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        method = request.method
        if not parts:
            if method == "GET":  # §7: only ACTIVE groups are returned
                groups = [self._render_group(books, g) for g in books.groups.values() if g["Status"] == "ACTIVE"]
                if request.args.get("where"):
                    try:
                        predicate = parse_where(request.args["where"], "ContactGroup")
                    except QueryError as exc:
                        raise query_error(exc) from None
                    groups = [g for g in groups if predicate(g)]
                return 200, self._envelope("ContactGroups", groups)
            if method == "PUT":
                return self._single_writes(request, "ContactGroups", books.write_contact_group,
                                           lambda g: self._render_group(books, g), "ContactGroupID")
        group = books.groups.get(parts[0].lower())
        if group is None:
            raise problem(404, "NotFound", f"ContactGroup {parts[0]} was not found")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._envelope("ContactGroups", [self._render_group(books, group)])
            if method == "POST":
                body = self._json_body(request)
                items = body.get("ContactGroups") if isinstance(body, dict) else None
                if not isinstance(items, list) or len(items) != 1:
                    raise bad_request("POST /ContactGroups/{id} takes {\"ContactGroups\": [one group]}")
                items[0] = dict(items[0], ContactGroupID=group["ContactGroupID"])
                try:
                    books.write_contact_group(items[0])
                except ElementError as exc:
                    raise validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}]) from None
                return 200, self._envelope("ContactGroups", [self._render_group(books, group)])
        if len(parts) >= 2 and parts[1] == "Contacts":
            if len(parts) == 2 and method == "PUT":
                body = self._json_body(request)
                contacts = body.get("Contacts") if isinstance(body, dict) else None
                if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
                    raise bad_request("The request body must be {\"Contacts\": [{\"ContactID\": ...}]}")
                try:
                    added = books.add_to_group(group, contacts)
                except ElementError as exc:
                    raise validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}]) from None
                for contact in added:
                    books.touch(contact)
                return 200, self._envelope("Contacts", [render(books.contact_summary(c)) for c in added])
            if method == "DELETE":
                if len(parts) == 2:
                    group["ContactIDs"].clear()
                    return 204, None
                contact_id = parts[2].lower()
                if contact_id not in group["ContactIDs"]:
                    raise bad_request("The contact is not in this group")
                group["ContactIDs"].remove(contact_id)
                return 204, None
        raise problem(405, "Method Not Allowed", f"{method} is not supported here")

    def _single_writes(self, request, key, writer, renderer, id_key) -> tuple[int, Any]:
        body = self._json_body(request)
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise bad_request(f"The request body must be an object with a {key} list")
        out, failed = [], []
        for item in items:
            try:
                out.append(renderer(writer(item)))
            except ElementError as exc:
                sent_id = item.get(id_key)
                failed.append({id_key: sent_id if isinstance(sent_id, str) and sent_id else ZERO_ID,
                               "ValidationErrors": [{"Message": m} for m in exc.messages]})
        if failed:
            raise validation_exception(failed)
        return 200, self._envelope(key, out)
