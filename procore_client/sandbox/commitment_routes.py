"""Commitments, their change orders and line items, subcontractor invoices (requisitions) and contract
payments in the Procore sandbox (api/procore.md §8-§10)."""

from __future__ import annotations

import json

from werkzeug.wrappers import Request, Response

from .records import ValidationFailed
from .state import COMMITMENT_KINDS
from .wire import Reply, _v2


class CommitmentRoutes:
    """Work order and purchase order contracts and what hangs on them."""

    # -- commitments (§8) -------------------------------------------------------------------------
    def h_commitments(self, request: Request) -> Response:
        project_id = self._project_param(request)
        records = [(k, r) for k in COMMITMENT_KINDS for r in self.store.records[k].values()
                   if r["project_id"] == project_id]
        records.sort(key=lambda kr: kr[1]["id"])
        return self._page(request, [self.store.render(k, r, view="list") for k, r in records])

    def h_commitment_collection(self, request: Request, kind: str) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            return self._list(request, kind, where=lambda r: r["project_id"] == project_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(self._wrapped(body, kind))
        record = self._create(request, kind, data, project_id)
        return self._json(self.store.render(kind, record), 201)

    def h_commitment_member(self, request: Request, kind: str, id: int) -> Response:
        if request.method == "GET" or request.method == "DELETE":
            project_id = self._project_param(request)
            record = self._load(kind, id, project_id)
            if request.method == "DELETE":
                if record.get("status") in ("Approved", "Complete"):
                    # DOC:tutorials/tutorial_financial_tools.md: approved/complete commitments cannot be deleted.
                    raise ValidationFailed({"base": ["An approved or complete commitment cannot be deleted"]})
                return self._delete(request, kind, record)
            return self._json(self.store.render(kind, record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load(kind, id, project_id)
        data = self._wrapped(body, kind)
        if record.get("status") in ("Approved", "Complete") and (
            ("vendor_id" in data and data["vendor_id"] != record.get("vendor_id")) or "line_items" in data
        ):
            # DOC:tutorials/tutorial_financial_tools.md: approved commitments cannot change vendor or SOV.
            raise ValidationFailed({"base": ["The vendor and schedule of values of an approved commitment are locked"]})
        record = self._update(request, kind, record, data)
        return self._json(self.store.render(kind, record))

    def h_commitment_sync(self, request: Request, kind: str) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)
        return self._sync(request, kind, body.get("updates"), project_id)

    def h_commitment_line_items(self, request: Request, kind: str, contract_id: int) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            record = self._load(kind, contract_id, project_id)
            lines = self.store.render(kind, record)["line_items"]
            return self._page(request, lines)
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load(kind, contract_id, project_id)
        line = self._wrapped(body, "line_item")
        existing = [{"id": li["id"]} for li in record.get("line_items") or []]
        self._update(request, kind, record, {"line_items": existing + [line]})
        return self._json(self.store.render(kind, record)["line_items"][-1], 201)

    # -- commitment change orders (§8) ------------------------------------------------------------
    def h_ccos(self, request: Request, project_id: int) -> Response:
        self._project_param(request, value=project_id)
        if request.method == "GET":
            return self._list(request, "commitment_change_order", where=lambda r: r["project_id"] == project_id,
                              extra=("contract_id",))
        data = self._wrapped(self._body(request), "change_order")
        record = self._create(request, "commitment_change_order", data, project_id)
        return self._json(self.store.render("commitment_change_order", record), 201)

    def h_cco(self, request: Request, project_id: int, id: int) -> Response:
        self._project_param(request, value=project_id)
        record = self._load("commitment_change_order", id, project_id)
        if request.method == "GET":
            return self._json(self.store.render("commitment_change_order", record, view="show"))
        if request.method == "DELETE":
            return self._delete(request, "commitment_change_order", record)
        record = self._update(request, "commitment_change_order", record,
                              self._wrapped(self._body(request), "change_order"))
        return self._json(self.store.render("commitment_change_order", record))

    def h_cco_line_items(self, request: Request, company_id: int, project_id: int, id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        self._project_param(request, value=project_id)
        record = self._load("commitment_change_order", id, project_id)
        if request.method == "POST":
            body = self._body(request)
            existing = [{"id": li["id"]} for li in record.get("line_items") or []]
            self._update(request, "commitment_change_order", record, {"line_items": existing + [body]})
            return self._json({"data": _v2(self.store.cco_line(record["line_items"][-1]))}, 201)
        lines = [_v2(self.store.cco_line(li)) for li in record.get("line_items") or []]
        response = self._page(request, lines, cap=100)
        # §6: v2.0 wraps answers in {"data": ...} and sends ids as strings.
        response.set_data(json.dumps({"data": json.loads(response.get_data())}).encode())
        return response

    # -- requisitions (§9) ------------------------------------------------------------------------
    def h_requisitions(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            view = "show" if request.args.get("view") in ("extended", "items") else "list"
            return self._list(request, "requisition", where=lambda r: r["project_id"] == project_id,
                              extra=("commitment_id", "period_id"), view=view)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(body.get("requisition") or {})
        data["commitment_id"] = body.get("commitment_id")  # OAS:RestV11RequisitionsPost: top-level, required
        if data["commitment_id"] is None:
            raise Reply(400, {"errors": "param is missing or the value is empty: commitment_id"})
        record = self._create(request, "requisition", data, project_id)
        return self._json(self.store.render("requisition", record), 201)

    def h_requisition(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("requisition", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "requisition", record)
            return self._json(self.store.render("requisition", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load("requisition", id, project_id)
        commitment_id = self._param(request, "commitment_id", body)  # OAS:RestV11RequisitionsIdPatch
        if commitment_id != record["commitment_id"]:
            raise Reply(404, {"errors": "Requisition not found"})
        record = self._update(request, "requisition", record, dict(body.get("requisition") or {}))
        return self._json(self.store.render("requisition", record))

    # -- contract payments (§10) ------------------------------------------------------------------
    def h_contract_payments(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            contract_id = self._param(request, "contract_id")  # OAS:RestV10ContractPaymentsGet: required
            return self._list(request, "contract_payment",
                              where=lambda r: r["project_id"] == project_id and r["contract_id"] == contract_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        data = dict(body.get("contract_payment") or {})
        data["contract_id"] = self._param(request, "contract_id", body)
        record = self._create(request, "contract_payment", data, project_id)
        return self._json(self.store.render("contract_payment", record), 201)

    def h_contract_payment(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("contract_payment", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "contract_payment", record)
            return self._json(self.store.render("contract_payment", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._load("contract_payment", id, project_id)
        if self._param(request, "contract_id", body) != record["contract_id"]:
            raise Reply(404, {"errors": "Contract payment not found"})
        record = self._update(request, "contract_payment", record, dict(body.get("contract_payment") or {}))
        return self._json(self.store.render("contract_payment", record))
