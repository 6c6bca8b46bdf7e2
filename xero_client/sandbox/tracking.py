"""/TrackingCategories and their options in the Xero sandbox (api/xero.md §7 TrackingCategories)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from .books import Books
from .rules import (
    ElementError,
)
from .wire import bad_request, problem, render, validation_exception


class TrackingRoutes:
    """Tracking categories and options: one object per PUT, as the spec has it."""

    # ------------------------------------------------------------------ tracking (§7 TrackingCategories)
    def _tracking(self, request: Request, books: Books, parts: list[str]) -> tuple[int, Any]:
        method = request.method

        def fail(exc: ElementError):
            return validation_exception([{"ValidationErrors": [{"Message": m} for m in exc.messages]}])

        def single_body() -> dict:
            body = self._json_body(request)
            if not isinstance(body, dict):
                raise bad_request("The request body must be an object")
            return body

        if not parts:
            if method == "GET":
                include_archived = request.args.get("includeArchived", "").lower() == "true"
                cats = [c for c in books.tracking.values()
                        if c["Status"] == "ACTIVE" or (include_archived and c["Status"] == "ARCHIVED")]
                out = []
                for cat in cats:
                    options = [o for o in cat["Options"] if include_archived or o["Status"] == "ACTIVE"]
                    out.append(render(dict(cat, Options=options)))
                return 200, self._envelope("TrackingCategories", out)
            if method == "PUT":  # spec: PUT /TrackingCategories takes one TrackingCategory object
                try:
                    category = books.create_tracking_category(single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("TrackingCategories", [render(category)])
        category = books.tracking.get(parts[0].lower())
        if category is None:
            raise problem(404, "NotFound", f"TrackingCategory {parts[0]} was not found")
        if len(parts) == 1:
            if method == "GET":
                return 200, self._envelope("TrackingCategories", [render(category)])
            if method == "POST":
                try:
                    books.update_tracking_category(category, single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("TrackingCategories", [render(category)])
            if method == "DELETE":
                del books.tracking[category["TrackingCategoryID"]]
                return 200, self._envelope("TrackingCategories", [render(dict(category, Status="DELETED"))])
        if parts[1:2] == ["Options"]:
            if len(parts) == 2 and method == "PUT":  # spec: one TrackingOption object
                try:
                    option = books.create_tracking_option(category, single_body())
                except ElementError as exc:
                    raise fail(exc) from None
                return 200, self._envelope("Options", [render(option)])
            if len(parts) == 3:
                option = next((o for o in category["Options"] if o["TrackingOptionID"] == parts[2].lower()), None)
                if option is None:
                    raise problem(404, "NotFound", f"TrackingOption {parts[2]} was not found")
                if method == "POST":
                    try:
                        books.update_tracking_option(category, option, single_body())
                    except ElementError as exc:
                        raise fail(exc) from None
                    return 200, self._envelope("Options", [render(option)])
                if method == "DELETE":
                    category["Options"].remove(option)
                    return 200, self._envelope("Options", [render(dict(option, Status="DELETED"))])
        raise problem(405, "Method Not Allowed", f"{method} is not supported here")
