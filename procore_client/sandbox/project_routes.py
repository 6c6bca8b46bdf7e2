"""Direct costs, prime contracts and payment applications (owner invoices) in the Procore sandbox
(api/procore.md §11, §12)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .records import ValidationFailed
from .wire import Reply


class ProjectRoutes:
    """The project's direct costs and its owner side."""

    # -- direct costs (§11) -----------------------------------------------------------------------
    def h_direct_costs(self, request: Request, project_id: int) -> Response:
        self._project_param(request, value=project_id)
        if request.method == "GET":
            return self._list(request, "direct_cost", where=lambda r: r["project_id"] == project_id,
                              extra=("invoice_number",))
        data = self._wrapped(self._body(request), "direct_cost")
        record = self._create(request, "direct_cost", data, project_id)
        return self._json(self.store.render("direct_cost", record), 201)

    def h_direct_costs_sync(self, request: Request, project_id: int) -> Response:
        """OAS:RestV10ProjectsProjectIdDirectCostsSyncPatch: headers only (its updates carry no line items)."""
        self._project_param(request, value=project_id)
        updates = self._body(request).get("updates")
        if isinstance(updates, list):
            updates = [{k: v for k, v in u.items() if k != "line_items"} if isinstance(u, dict) else u for u in updates]
        return self._sync(request, "direct_cost", updates, project_id)

    def h_direct_cost_lines_sync(self, request: Request, project_id: int) -> Response:
        """OAS:RestV10ProjectsProjectIdDirectCostsLineItemsSyncPatch: each element updates a line by ``id``
        or ``origin_id``, else creates one on ``direct_cost_id`` (required then). A line is part of its
        direct cost: a direct cost with an origin_id is immutable (§13), so its lines are refused too."""
        self._project_param(request, value=project_id)

        def write_one(update: dict) -> dict:
            holder, line = self._line_of(project_id, update)
            fields = {k: v for k, v in update.items() if k != "direct_cost_id"}
            if line is not None:
                fields["id"] = line["id"]
            lines = [{"id": li["id"]} for li in holder.get("line_items") or [] if line is None or li is not line]
            before = {li["id"] for li in holder.get("line_items") or []}
            self._update(request, "direct_cost", holder, {"line_items": [*lines, fields]})
            written = next(li for li in holder["line_items"]
                           if li["id"] == fields.get("id") or (line is None and li["id"] not in before))
            return self.store.direct_cost_line(holder, written)

        return self._sync_each(self._body(request).get("updates"), write_one)

    def _line_of(self, project_id: int, update: dict) -> tuple[dict, dict | None]:
        """The direct cost an element writes to and the line it updates (None: a new line)."""
        costs = [r for r in self.store.records["direct_cost"].values() if r["project_id"] == project_id]
        for key in ("id", "origin_id"):
            if update.get(key) not in (None, ""):
                for cost in costs:
                    for line in cost.get("line_items") or []:
                        if str(line.get(key)) == str(update[key]):
                            return cost, line
                if key == "id":
                    raise ValidationFailed({"id": ["not found"]})
        holder = self.store.get("direct_cost", update.get("direct_cost_id"))
        if holder is None or holder["project_id"] != project_id:
            raise ValidationFailed({"direct_cost_id": ["must exist"]})
        return holder, None

    def h_direct_cost(self, request: Request, project_id: int, id: int) -> Response:
        self._project_param(request, value=project_id)
        record = self._load("direct_cost", id, project_id)
        if request.method == "GET":
            return self._json(self.store.render("direct_cost", record))
        if request.method == "DELETE":
            return self._delete(request, "direct_cost", record)
        data = self._wrapped(self._body(request), "direct_cost")
        if "direct_cost_type" in data and data["direct_cost_type"] != record.get("direct_cost_type"):
            # OAS:RestV11ProjectsProjectIdDirectCostsIdPatch has no direct_cost_type: it cannot change.
            raise ValidationFailed({"direct_cost_type": ["cannot be changed"]})
        record = self._update(request, "direct_cost", record, data)
        return self._json(self.store.render("direct_cost", record))

    # -- prime contracts and payment applications (§12) -------------------------------------------
    def h_prime_contracts(self, request: Request) -> Response:
        project_id = self._project_param(request)
        return self._list(request, "prime_contract", where=lambda r: r["project_id"] == project_id)

    def h_prime_contract_create(self, request: Request) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._create(request, "prime_contract", self._wrapped(body, "prime_contract"), project_id)
        return self._json(self.store.render("prime_contract", record), 201)

    def h_prime_contract(self, request: Request, id: int) -> Response:
        if request.method in ("GET", "DELETE"):
            project_id = self._project_param(request)
            record = self._load("prime_contract", id, project_id)
            if request.method == "DELETE":
                return self._delete(request, "prime_contract", record)
            return self._json(self.store.render("prime_contract", record))
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._update(request, "prime_contract", self._load("prime_contract", id, project_id),
                              self._wrapped(body, "prime_contract"))
        return self._json(self.store.render("prime_contract", record))

    def h_prime_contract_line_items(self, request: Request, prime_contract_id: int) -> Response:
        """OAS:RestV10PrimeContractsPrimeContractIdLineItemsGet: the prime contract's schedule of values."""
        project_id = self._project_param(request)
        record = self._load("prime_contract", prime_contract_id, project_id)
        return self._page(request, self.store.render("prime_contract", record)["line_items"])

    def h_payment_applications(self, request: Request) -> Response:
        project_id = self._project_param(request)
        return self._list(request, "payment_application", where=lambda r: r["project_id"] == project_id)

    def h_payment_application(self, request: Request, id: int) -> Response:
        project_id = self._project_param(request)
        return self._json(self.store.render("payment_application", self._load("payment_application", id,
                                                                               project_id)))

    def h_prime_payment_applications(self, request: Request, prime_contract_id: int) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)
            self._load("prime_contract", prime_contract_id, project_id)
            return self._list(request, "payment_application",
                              where=lambda r: r["prime_contract_id"] == prime_contract_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        self._load("prime_contract", prime_contract_id, project_id)
        data = {**self._wrapped(body, "payment_application"), "prime_contract_id": prime_contract_id}
        record = self._create(request, "payment_application", data, project_id)
        return self._json(self.store.render("payment_application", record), 201)

    def h_prime_payment_application(self, request: Request, prime_contract_id: int, id: int) -> Response:
        body = self._body(request)
        project_id = self._project_param(request, body)  # OAS: project_id is required in the body
        record = self._load("payment_application", id, project_id)
        if record.get("prime_contract_id") != prime_contract_id:
            raise Reply(404, {"errors": "Payment Application not found"})
        record = self._update(request, "payment_application", record, self._wrapped(body, "payment_application"))
        return self._json(self.store.render("payment_application", record))
