"""Company-level resources of the Procore sandbox: me, companies, vendors, projects, stages, standard
cost codes, cost types and project cost codes (api/procore.md §7)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .records import ValidationFailed
from .wire import Reply


class CompanyRoutes:
    """The company's directory, projects and cost structure."""

    # -- company level ----------------------------------------------------------------------------
    def h_me(self, request: Request) -> Response:
        return self._json({"id": 1, "login": f"{request.environ['sandbox.client_id']}@sandbox.example",
                           "name": "Sandbox Service Account"})

    def h_companies(self, request: Request) -> Response:
        return self._page(request, [{**self.store.company_ref(), "is_active": True, "logo_url": None,
                                     "my_company": True}])

    def h_vendors(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            # UNCONFIRMED: /vendors is read as the active list, since Procore has a separate
            # GET /companies/{id}/vendors/inactive (OAS:RestV10CompaniesCompanyIdVendorsInactiveGet).
            return self._list(request, "vendor", where=lambda r: r.get("is_active", True))
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "vendor", self._wrapped(body, "vendor"))
        return self._json(self.store.render("vendor", record), 201)

    def h_vendor(self, request: Request, id: int) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._json(self.store.render("vendor", self._load("vendor", id)))
        body = self._body(request)
        self._company_param(request, body)
        data = self._wrapped(body, "vendor")
        if not data.get("name"):
            # OAS:RestV10VendorsIdPatch lists vendor.name as required on update too.
            raise ValidationFailed({"name": ["can't be blank"]})
        record = self._update(request, "vendor", self._load("vendor", id), data)
        return self._json(self.store.render("vendor", record))

    def h_vendors_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)  # OAS:RestV10VendorsSyncPatch: company_id, updates required
        return self._sync(request, "vendor", body.get("updates"))

    def h_vendors_inactive(self, request: Request, company_id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        return self._list(request, "vendor", where=lambda r: not r.get("is_active", True))

    def h_vendor_reactivate(self, request: Request, company_id: int, id: int) -> Response:
        record = self._update(request, "vendor", self._load("vendor", id), {"is_active": True})
        return self._json(self.store.render("vendor", record))

    def _projects(self, request: Request) -> Response:
        self._company_param(request)
        status = request.args.get("filters[by_status]", "Active")  # §7: default active only
        stages = {int(s) for s in request.args.getlist("filters[by_stage][]") + request.args.getlist(
            "filters[by_stage]") if s.isdigit()}

        def where(r: dict) -> bool:
            if status == "Active" and not r.get("active"):
                return False
            if status == "Inactive" and r.get("active"):
                return False
            return not stages or r.get("project_stage_id") in stages

        return self._list(request, "project", where=where, extra=("project_number",))

    def h_projects_v10(self, request: Request) -> Response:
        if request.method == "GET":
            return self._projects(request)
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "project", self._wrapped(body, "project"))
        return self._json(self.store.render("project", record), 201)

    def h_projects_v11(self, request: Request) -> Response:
        return self._projects(request)

    def h_project(self, request: Request, id: int) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._json(self.store.render("project", self._load("project", id)))
        body = self._body(request)
        self._company_param(request, body)  # OAS:RestV10ProjectsIdPatch: company_id, project required
        record = self._update(request, "project", self._load("project", id), self._wrapped(body, "project"))
        return self._json(self.store.render("project", record))

    def h_projects_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)
        return self._sync(request, "project", body.get("updates"))

    def h_project_stages(self, request: Request, company_id: int) -> Response:
        if company_id != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        if request.method == "GET":
            return self._list(request, "project_stage")
        record = self._create(request, "project_stage", self._wrapped(self._body(request), "project_stage"))
        return self._json(self.store.render("project_stage", record), 201)

    def h_project_stage(self, request: Request, company_id: int, id: int) -> Response:
        record = self._load("project_stage", id)
        if request.method == "GET":
            return self._json(self.store.render("project_stage", record))
        if request.method == "DELETE":
            return self._delete(request, "project_stage", record)
        record = self._update(request, "project_stage", record, self._wrapped(self._body(request), "project_stage"))
        return self._json(self.store.render("project_stage", record))

    def h_standard_cost_code_lists(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            return self._list(request, "standard_cost_code_list")
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "standard_cost_code_list", self._wrapped(body, "standard_cost_code_list"))
        return self._json(self.store.render("standard_cost_code_list", record), 201)

    def h_standard_cost_codes(self, request: Request) -> Response:
        if request.method == "GET":
            self._company_param(request)
            list_id = self._param(request, "standard_cost_code_list_id")  # OAS:RestV10StandardCostCodesGet
            return self._list(request, "standard_cost_code",
                              where=lambda r: r["standard_cost_code_list_id"] == list_id)
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "standard_cost_code", self._wrapped(body, "standard_cost_code"))
        return self._json(self.store.render("standard_cost_code", record), 201)

    def h_standard_cost_codes_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)
        # OAS:RestV10StandardCostCodesSyncPatch: company_id, standard_cost_code_list_id and updates required.
        list_id = body.get("standard_cost_code_list_id")
        if list_id in (None, ""):
            raise Reply(400, {"errors": "param is missing or the value is empty: standard_cost_code_list_id"})
        if self.store.get("standard_cost_code_list", list_id) is None:
            raise Reply(404, {"errors": "Standard Cost Code List not found"})
        updates = body.get("updates")
        if isinstance(updates, list):
            updates = [{**u, "standard_cost_code_list_id": list_id} if isinstance(u, dict) else u for u in updates]
        return self._sync(request, "standard_cost_code", updates)

    def h_tax_codes(self, request: Request) -> Response:
        self._company_param(request)  # OAS:RestV10TaxCodesGet: company_id required
        return self._list(request, "tax_code")

    def h_line_item_types(self, request: Request) -> Response:
        if request.method == "GET":
            # OAS:RestV10LineItemTypesGet also marks project_id required; cost types are company-wide
            # (§7), so the sandbox asks only for company_id (UNCONFIRMED which one Procore enforces).
            self._company_param(request)
            return self._list(request, "line_item_type")
        body = self._body(request)
        self._company_param(request, body)
        record = self._create(request, "line_item_type", self._wrapped(body, "line_item_type"))
        return self._json(self.store.render("line_item_type", record), 201)

    def h_line_item_types_sync(self, request: Request) -> Response:
        body = self._body(request)
        self._company_param(request, body)
        return self._sync(request, "line_item_type", body.get("updates"))

    def h_cost_codes(self, request: Request) -> Response:
        if request.method == "GET":
            project_id = self._project_param(request)  # OAS:RestV10CostCodesGet: project_id required
            return self._list(request, "project_cost_code", where=lambda r: r["project_id"] == project_id)
        body = self._body(request)
        project_id = self._project_param(request, body)
        record = self._create(request, "project_cost_code", self._wrapped(body, "cost_code"), project_id)
        return self._json(self.store.render("project_cost_code", record), 201)
