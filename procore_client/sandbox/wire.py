"""What the Procore sandbox's routes share: its answers (Reply, JSON), its limits and messages, its
route table, and the small readers of ids, ranges and v2.0 shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .records import ValidationFailed
from .state import COMMITMENT_KINDS

ACCESS_TOKEN_SECONDS = 5400  # §3: access token = 5400 s (90 min)


AUTH_CODE_SECONDS = 600  # §3: auth code is single-use, expires in 10 minutes


DEFAULT_RATE_LIMIT = (3600, 3600.0)  # §5 historic docs: 3,600 requests per hour


RATE_LIMIT_MESSAGE = ("You have surpassed the max number of requests for an hour. "
                      "Please wait until your limit resets.")  # §5 (DOC@f0acbad, RUBY:requestable.rb)


MISSING_COMPANY_MESSAGE = "Missing Procore-Company-Id header!"  # §4 (DOC:tutorials/tutorial_mpz.md)


DEFAULT_PER_PAGE = 100


MAX_PER_PAGE = 1000  # the sandbox's generic cap (Procore recommends <= 2000, §6)


PER_PAGE_CAPS = {"/rest/v1.1/projects": 300}  # OAS:RestV11ProjectsGet: max 300; v2.0 lists: 100 (§6)


class Reply(Exception):
    """Stop handling and answer this (status, JSON body, headers)."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def _rules() -> list[Rule]:
    r = []

    def add(path: str, endpoint: str, methods: list[str]) -> None:
        r.append(Rule(path, endpoint=endpoint, methods=methods))

    add("/oauth/authorize", "oauth_authorize", ["GET"])
    add("/oauth/token", "oauth_token", ["POST"])
    add("/oauth/revoke", "oauth_revoke", ["POST"])
    add("/oauth/token/info", "oauth_token_info", ["GET"])
    add("/_sandbox/state", "sandbox_state", ["GET"])
    add("/_sandbox/reset", "sandbox_reset", ["POST"])
    add("/_sandbox/records", "sandbox_records", ["POST"])
    add("/_sandbox/files/<int:id>/<path:filename>", "sandbox_file", ["GET"])
    v10, v11, v20 = "/rest/v1.0", "/rest/v1.1", "/rest/v2.0"
    add(f"{v10}/me", "me", ["GET"])
    add(f"{v10}/companies", "companies", ["GET"])
    add(f"{v10}/vendors", "vendors", ["GET", "POST"])
    add(f"{v10}/vendors/sync", "vendors_sync", ["PATCH"])
    add(f"{v10}/vendors/<int:id>", "vendor", ["GET", "PATCH"])
    add(f"{v10}/companies/<int:company_id>/vendors/inactive", "vendors_inactive", ["GET"])
    add(f"{v10}/companies/<int:company_id>/vendors/inactive/<int:id>", "vendor_reactivate", ["PATCH"])
    add(f"{v10}/projects", "projects_v10", ["GET", "POST"])
    add(f"{v11}/projects", "projects_v11", ["GET"])
    add(f"{v10}/projects/sync", "projects_sync", ["PATCH"])
    add(f"{v10}/projects/<int:id>", "project", ["GET", "PATCH"])
    add(f"{v10}/companies/<int:company_id>/project_stages", "project_stages", ["GET", "POST"])
    add(f"{v10}/companies/<int:company_id>/project_stages/<int:id>", "project_stage", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/standard_cost_code_lists", "standard_cost_code_lists", ["GET", "POST"])
    add(f"{v10}/standard_cost_codes", "standard_cost_codes", ["GET", "POST"])
    add(f"{v10}/standard_cost_codes/sync", "standard_cost_codes_sync", ["PATCH"])
    add(f"{v10}/tax_codes", "tax_codes", ["GET"])
    add(f"{v10}/line_item_types", "line_item_types", ["GET", "POST"])
    add(f"{v10}/line_item_types/sync", "line_item_types_sync", ["PATCH"])
    add(f"{v10}/cost_codes", "cost_codes", ["GET", "POST"])
    add(f"{v10}/commitments", "commitments", ["GET"])
    for kind in COMMITMENT_KINDS:
        res = f"{v10}/{kind}s"
        add(res, f"{kind}|collection", ["GET", "POST"])
        add(f"{res}/sync", f"{kind}|sync", ["PATCH"])
        add(f"{res}/<int:id>", f"{kind}|member", ["GET", "PATCH", "DELETE"])
        add(f"{res}/<int:contract_id>/line_items", f"{kind}|line_items", ["GET", "POST"])
    add(f"{v10}/projects/<int:project_id>/commitment_change_orders", "ccos", ["GET", "POST"])
    add(f"{v10}/projects/<int:project_id>/commitment_change_orders/<int:id>", "cco", ["GET", "PATCH", "DELETE"])
    add(f"{v20}/companies/<int:company_id>/projects/<int:project_id>/commitment_change_orders/<int:id>/line_items",
        "cco_line_items", ["GET", "POST"])
    add(f"{v11}/requisitions", "requisitions", ["GET", "POST"])
    add(f"{v11}/requisitions/<int:id>", "requisition", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/contract_payments", "contract_payments", ["GET", "POST"])
    add(f"{v10}/contract_payments/<int:id>", "contract_payment", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/projects/<int:project_id>/direct_costs/sync", "direct_costs_sync", ["PATCH"])
    add(f"{v10}/projects/<int:project_id>/direct_costs/line_items/sync", "direct_cost_lines_sync", ["PATCH"])
    add(f"{v11}/projects/<int:project_id>/direct_costs", "direct_costs", ["GET", "POST"])
    add(f"{v11}/projects/<int:project_id>/direct_costs/<int:id>", "direct_cost", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/prime_contracts", "prime_contracts", ["GET"])
    add(f"{v10}/prime_contract", "prime_contract_create", ["POST"])
    add(f"{v10}/prime_contract/<int:id>", "prime_contract", ["GET", "PATCH", "DELETE"])
    add(f"{v10}/prime_contracts/<int:prime_contract_id>/line_items", "prime_contract_line_items", ["GET"])
    add(f"{v10}/payment_applications", "payment_applications", ["GET"])
    add(f"{v10}/payment_applications/<int:id>", "payment_application", ["GET"])
    add(f"{v10}/prime_contracts/<int:prime_contract_id>/payment_applications", "prime_payment_applications",
        ["GET", "POST"])
    # OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationsIdPatch
    add(f"{v10}/prime_contracts/<int:prime_contract_id>/payment_applications/<int:id>", "prime_payment_application",
        ["PATCH"])
    add(f"{v10}/webhooks/hooks", "hooks", ["GET", "POST"])
    add(f"{v10}/webhooks/hooks/<int:id>", "hook", ["PATCH", "DELETE"])
    add(f"{v10}/webhooks/hooks/<int:hook_id>/triggers", "triggers", ["GET", "POST"])
    add(f"{v10}/webhooks/hooks/<int:hook_id>/triggers/<int:id>", "trigger", ["DELETE"])
    return r


def _v2(line: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in line.items():
        if (key == "id" or key.endswith("_id")) and key != "origin_id" and isinstance(value, int):
            out[key] = str(value)
        else:
            out[key] = value
    out["commitment_line_item_id"] = out.get("commitment_line_item_id")
    return out


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _parse_range(value: str) -> tuple[float, float]:
    """``YYYY-MM-DD...YYYY-MM-DD`` or ISO datetimes (``DOC:tutorials/filtering_on_list_actions.md``)."""
    low_text, sep, high_text = value.partition("...")
    if not sep:
        high_text = low_text

    def parse(text: str, *, end: bool) -> float:
        text = text.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
                return moment.timestamp() + (86400 - 0.001 if end else 0)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Reply(400, {"errors": f"filters[updated_at] is not a valid range: {value[:60]}"}) from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

    return parse(low_text, end=False), parse(high_text, end=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class Wire:
    """Answers, request bodies and parameters, lists (filters and pages) and the writes that raise webhooks."""

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        data = b"" if body is None else json.dumps(body, default=_json_default).encode("utf-8")
        response = Response(data, status=status, mimetype="application/json")
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    # -- request helpers --------------------------------------------------------------------------
    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise Reply(400, {"errors": "The request body must be a JSON object"})
        return data

    @staticmethod
    def _wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
        value = body.get(key)
        if not isinstance(value, dict):
            raise Reply(400, {"errors": f"param is missing or the value is empty: {key}"})
        return value

    def _param(self, request: Request, name: str, body: dict[str, Any] | None = None) -> int:
        value = (body or {}).get(name, request.args.get(name))
        if value in (None, ""):
            raise Reply(400, {"errors": f"param is missing or the value is empty: {name}"})
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Reply(400, {"errors": f"{name} is invalid"}) from None

    def _company_param(self, request: Request, body: dict[str, Any] | None = None) -> None:
        if self._param(request, "company_id", body) != self.company_id:
            raise Reply(404, {"errors": "Company not found"})

    def _project_param(self, request: Request, body: dict[str, Any] | None = None, value: int | None = None) -> int:
        project_id = value if value is not None else self._param(request, "project_id", body)
        if self.store.get("project", project_id) is None:
            raise Reply(404, {"errors": "Project not found"})
        return project_id

    def _load(self, kind: str, record_id: int, project_id: int | None = None) -> dict[str, Any]:
        record = self.store.get(kind, record_id)
        if record is None or (project_id is not None and record.get("project_id") != project_id):
            raise Reply(404, {"errors": f"{kind.replace('_', ' ').capitalize()} not found"})
        return record

    # -- listing: filters and paging (§6) ---------------------------------------------------------
    def _filtered(self, request: Request, records: list[dict[str, Any]], extra: tuple[str, ...] = ()
                  ) -> list[dict[str, Any]]:
        args = request.args
        rng = args.get("filters[updated_at]")
        if rng:
            low, high = _parse_range(rng)
            records = [r for r in records if low <= _ts(r["updated_at"]) <= high]
        if "filters[origin_id]" in args:
            records = [r for r in records if (r.get("origin_id") or "") == args["filters[origin_id]"]]
        ids = args.getlist("filters[id][]") or args.getlist("filters[id]")
        if ids:
            wanted = {int(i) for part in ids for i in part.split(",") if i.strip().isdigit()}
            records = [r for r in records if r["id"] in wanted]
        for name in ("status", *extra):
            values = args.getlist(f"filters[{name}][]") or args.getlist(f"filters[{name}]")
            if values:
                records = [r for r in records if str(r.get(name)) in values]
        return sorted(records, key=lambda r: r["id"])

    def _page(self, request: Request, items: list[dict[str, Any]], cap: int | None = None) -> Response:
        cap = cap or PER_PAGE_CAPS.get(request.path.rstrip("/")) or (100 if request.path.startswith("/rest/v2")
                                                                      else MAX_PER_PAGE)
        try:
            page = max(1, int(request.args.get("page", 1)))
            per_page = max(1, min(cap, int(request.args.get("per_page", min(DEFAULT_PER_PAGE, cap)))))
        except ValueError:
            raise Reply(400, {"errors": "page and per_page must be integers"}) from None
        total = len(items)
        last = max(1, -(-total // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        response = self._json(chunk)
        response.headers["Total"] = str(total)
        response.headers["Per-Page"] = str(per_page)
        links = []
        base = request.base_url  # absolute, from the request (works behind DispatcherMiddleware)

        def url(n: int) -> str:
            query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")]
            return f"{base}?{urlencode(query + [('page', n), ('per_page', per_page)])}"

        links.append(f'<{url(1)}>; rel="first"')
        if page > 1:
            links.append(f'<{url(page - 1)}>; rel="prev"')
        if page < last:
            links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
        response.headers["Link"] = ", ".join(links)
        return response

    def _list(self, request: Request, kind: str, *, where: Callable[[dict], bool] = lambda r: True,
              extra: tuple[str, ...] = (), view: str = "list", data: bool = False) -> Response:
        records = self._filtered(request, [r for r in self.store.records[kind].values() if where(r)], extra)
        return self._page(request, [self.store.render(kind, r, view=view) for r in records])

    # -- writes with webhooks ---------------------------------------------------------------------
    def _create(self, request: Request, kind: str, data: dict[str, Any], project_id: int | None = None) -> dict:
        record = self.store.create(kind, data, project_id=project_id)
        self._event(kind, "create", record, source_app=request.environ.get("sandbox.client_id"))
        return record

    def _update(self, request: Request, kind: str, record: dict[str, Any], data: dict[str, Any]) -> dict:
        if self.store.update(kind, record, data):
            self._event(kind, "update", record, source_app=request.environ.get("sandbox.client_id"))
        return record

    def _delete(self, request: Request, kind: str, record: dict[str, Any]) -> Response:
        self.store.delete(kind, record)
        self._event(kind, "delete", record, source_app=request.environ.get("sandbox.client_id"))
        return self._json(None, 204)

    def _sync_each(self, updates: Any, write_one) -> Response:
        """§6: `write_one(update)` writes one element and returns its entity; an element it refuses
        (ValidationFailed) is answered in ``errors``, echoing the input with its ``errors``, and the
        others still go. Always 200 with ``{entities, errors}``; at most 1000 elements."""
        if not isinstance(updates, list):
            raise Reply(400, {"errors": "param is missing or the value is empty: updates"})
        if len(updates) > 1000:
            raise Reply(400, {"errors": "updates may hold at most 1000 items"})
        entities, errors = [], []
        for update in updates:
            try:
                if not isinstance(update, dict):
                    raise ValidationFailed({"base": ["must be an object"]})
                entities.append(write_one(update))
            except ValidationFailed as exc:
                errors.append({**(update if isinstance(update, dict) else {}),
                               "errors": exc.errors if isinstance(exc.errors, dict) else {"base": [exc.errors]}})
        return self._json({"entities": entities, "errors": errors})

    def _sync(self, request: Request, kind: str, updates: Any, project_id: int | None = None) -> Response:
        """§6 sync semantics: id → update; origin_id found → update; otherwise create."""

        def write_one(update: dict) -> dict:
            record = None
            if update.get("id") is not None:
                record = self.store.get(kind, update["id"])
                if record is None or (project_id is not None and record.get("project_id") != project_id):
                    raise ValidationFailed({"id": ["not found"]})
            elif update.get("origin_id"):
                record = self.store.by_origin_id(kind, str(update["origin_id"]))
            fields = {k: v for k, v in update.items() if k != "id"}
            if record is None:
                record = self._create(request, kind, fields, project_id=project_id)
            else:
                self._update(request, kind, record, fields)
            return self.store.render(kind, record, view="sync")

        return self._sync_each(updates, write_one)
