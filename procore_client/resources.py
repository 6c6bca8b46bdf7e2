"""Typed methods of ``ProcoreClient``, one small function per Procore call.

Every method returns plain data (dicts/lists, normalised by ``parsing.normalise``). Paths and
bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details`` (named per method).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .enums import COMMITMENT_KINDS
from .errors import Unprocessable

if TYPE_CHECKING:
    from .client import SyncResult

V10, V11, V20 = "/rest/v1.0", "/rest/v1.1", "/rest/v2.0"

#: Direct cost create/update accept at most 100 line items (``OAS:RestV11ProjectsProjectIdDirectCostsPost``).
DIRECT_COST_MAX_LINE_ITEMS = 100

Since = datetime | date | None


def _filters(**values: Any) -> dict[str, Any]:
    return {f"filters[{k}]": v for k, v in values.items() if v is not None}


class ResourcesMixin:
    company_id: int

    # declared by ProcoreClient
    def get(self, path: str, params: dict[str, Any] | None = None, *, expect: type | None = None) -> Any: ...
    def post(self, path: str, json_body: Any = None, *, params=None, expect: type | None = dict) -> Any: ...
    def patch(self, path: str, json_body: Any = None, *, params=None, expect: type | None = dict) -> Any: ...
    def delete(self, path: str, *, params=None) -> Any: ...
    def list_all(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> list[dict]: ...
    def sync(self, path: str, updates: Iterable[dict], *, params=None, batch_size: int = 1000,
             **scope: Any) -> SyncResult: ...

    # -- company, me --------------------------------------------------------------------------------
    def companies(self) -> list[dict]:
        """``GET /rest/v1.0/companies``: the companies the token may reach."""
        return self.list_all(f"{V10}/companies")

    def me(self) -> dict:
        """``GET /rest/v1.0/me``: ``{id, login, name}``."""
        return self.get(f"{V10}/me", {"company_id": self.company_id}, expect=dict)

    # -- vendors ------------------------------------------------------------------------------------
    def list_vendors(self, *, updated_since: Since = None, include_inactive: bool = True,
                     origin_id: str | None = None) -> list[dict]:
        """Company vendors. ``GET /vendors`` lists the active ones; inactive ones come from
        ``GET /companies/{id}/vendors/inactive`` (no updated_at filter there: filtered here)."""
        params = {"company_id": self.company_id, **_filters(origin_id=origin_id)}
        vendors = self.list_all(f"{V10}/vendors", params, updated_since=updated_since)
        if include_inactive and origin_id is None:
            seen = {v["id"] for v in vendors}
            for vendor in self.list_all(f"{V10}/companies/{self.company_id}/vendors/inactive"):
                if vendor["id"] in seen:
                    continue
                vendor.setdefault("is_active", False)
                changed = vendor.get("updated_at")
                if updated_since is not None and isinstance(changed, datetime):
                    since = updated_since if isinstance(updated_since, datetime) else datetime.combine(
                        updated_since, datetime.min.time(), tzinfo=changed.tzinfo)
                    if changed < since:
                        continue
                vendors.append(vendor)
        return vendors

    def get_vendor(self, vendor_id: int) -> dict:
        return self.get(f"{V10}/vendors/{int(vendor_id)}", {"company_id": self.company_id}, expect=dict)

    def create_vendor(self, vendor: dict[str, Any]) -> dict:
        """``POST /rest/v1.0/vendors`` ``{company_id, vendor: {name*, ...}}``."""
        return self.post(f"{V10}/vendors", {"company_id": self.company_id, "vendor": vendor})

    def update_vendor(self, vendor_id: int, vendor: dict[str, Any]) -> dict:
        """``PATCH /rest/v1.0/vendors/{id}`` (the OAS lists ``vendor.name`` as required here too)."""
        return self.patch(f"{V10}/vendors/{int(vendor_id)}", {"company_id": self.company_id, "vendor": vendor})

    def sync_vendors(self, updates: Iterable[dict[str, Any]]) -> SyncResult:
        return self.sync(f"{V10}/vendors/sync", updates, company_id=self.company_id)

    def reactivate_vendor(self, vendor_id: int) -> dict:
        return self.patch(f"{V10}/companies/{self.company_id}/vendors/inactive/{int(vendor_id)}", {})

    def set_vendor_origin_id(self, vendor_id: int, origin_id: str | None, origin_data: str | None = None) -> dict:
        """Mark a vendor synced (or not, with None). Uses the sync action: ``id`` + ``origin_id`` is the
        documented way to change an origin_id (``DOC:tutorials/using_sync_actions.md``) and needs no name."""
        update: dict[str, Any] = {"id": int(vendor_id), "origin_id": origin_id}
        if origin_data is not None:
            update["origin_data"] = origin_data
        result = self.sync_vendors([update])
        if result.errors:
            raise _sync_element_error(result.errors[0], f"{V10}/vendors/sync")
        return result.entities[0]

    def clear_vendor_origin_id(self, vendor_id: int) -> dict:
        return self.set_vendor_origin_id(vendor_id, None)

    # -- projects and stages ------------------------------------------------------------------------
    def list_projects(self, *, updated_since: Since = None, include_inactive: bool = True,
                      origin_id: str | None = None, stage_ids: Iterable[int] | None = None) -> list[dict]:
        """``GET /rest/v1.1/projects`` (max 300 per page) with ``stage``, ``project_stage``,
        ``project_number``, ``active``; ``filters[by_status]=All`` includes inactive projects."""
        params: dict[str, Any] = {"company_id": self.company_id, "view": "extended",
                                  **_filters(origin_id=origin_id)}
        if include_inactive:
            params["filters[by_status]"] = "All"
        if stage_ids:
            params["filters[by_stage][]"] = [int(s) for s in stage_ids]
        return self.list_all(f"{V11}/projects", params, updated_since=updated_since)

    def get_project(self, project_id: int) -> dict:
        return self.get(f"{V10}/projects/{int(project_id)}", {"company_id": self.company_id}, expect=dict)

    def create_project(self, project: dict[str, Any]) -> dict:
        return self.post(f"{V10}/projects", {"company_id": self.company_id, "project": project})

    def update_project(self, project_id: int, project: dict[str, Any]) -> dict:
        """``PATCH /rest/v1.0/projects/{id}`` ``{company_id, project: {...}}``."""
        return self.patch(f"{V10}/projects/{int(project_id)}", {"company_id": self.company_id, "project": project})

    def sync_projects(self, updates: Iterable[dict[str, Any]]) -> SyncResult:
        return self.sync(f"{V10}/projects/sync", updates, company_id=self.company_id)

    def set_project_origin_id(self, project_id: int, origin_id: str | None, origin_data: str | None = None) -> dict:
        project: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            project["origin_data"] = origin_data
        return self.update_project(project_id, project)

    def clear_project_origin_id(self, project_id: int) -> dict:
        return self.set_project_origin_id(project_id, None)

    def list_project_stages(self) -> list[dict]:
        """``GET /rest/v1.0/companies/{company_id}/project_stages``: ``{id, name, category, ...}``."""
        return self.list_all(f"{V10}/companies/{self.company_id}/project_stages")

    def create_project_stage(self, name: str, category: str, *, is_bidding_stage: bool = False) -> dict:
        return self.post(f"{V10}/companies/{self.company_id}/project_stages",
                         {"project_stage": {"name": name, "category": category,
                                            "is_bidding_stage": is_bidding_stage}})

    # -- cost codes and cost types ------------------------------------------------------------------
    def list_standard_cost_code_lists(self) -> list[dict]:
        return self.list_all(f"{V10}/standard_cost_code_lists", {"company_id": self.company_id})

    def list_standard_cost_codes(self, standard_cost_code_list_id: int, *, origin_id: str | None = None) -> list[dict]:
        """``{id, standard_cost_code_list_id, parent_id, code, full_code, name, origin_id, origin_data}``."""
        return self.list_all(f"{V10}/standard_cost_codes", {
            "company_id": self.company_id, "standard_cost_code_list_id": int(standard_cost_code_list_id),
            **_filters(origin_id=origin_id)})

    def list_line_item_types(self, *, project_id: int | None = None, origin_id: str | None = None) -> list[dict]:
        """Cost types: ``{id, name, code, base_type, origin_id, origin_data}``."""
        params: dict[str, Any] = {"company_id": self.company_id, **_filters(origin_id=origin_id)}
        if project_id is not None:
            params["project_id"] = int(project_id)
        return self.list_all(f"{V10}/line_item_types", params)

    def sync_line_item_types(self, updates: Iterable[dict[str, Any]]) -> SyncResult:
        return self.sync(f"{V10}/line_item_types/sync", updates, company_id=self.company_id)

    def list_project_cost_codes(self, project_id: int, *, origin_id: str | None = None) -> list[dict]:
        """``GET /rest/v1.0/cost_codes?project_id=``: ``{id, code, full_code, name, standard_cost_code_id, ...}``."""
        return self.list_all(f"{V10}/cost_codes", {"project_id": int(project_id), **_filters(origin_id=origin_id)})

    # -- commitments --------------------------------------------------------------------------------
    def list_commitments(self, project_id: int, kind: str, *, updated_since: Since = None,
                         status: str | None = None, origin_id: str | None = None) -> list[dict]:
        """Work order or purchase order contracts of a project (``kind``: ``work_order_contract`` or
        ``purchase_order_contract``). The list has header fields, no line items."""
        resource = COMMITMENT_KINDS[kind]
        params = {"project_id": int(project_id), **_filters(status=status, origin_id=origin_id)}
        return self.list_all(f"{V10}/{resource}", params, updated_since=updated_since)

    def get_commitment(self, project_id: int, kind: str, commitment_id: int) -> dict:
        """The show view: header + ``line_items[]`` (amount, quantity, unit_cost as Decimal, cost_code,
        line_item_type, wbs_code) + ``payments_issued[]`` + ``change_order_packages[]`` + ``vendor``."""
        resource = COMMITMENT_KINDS[kind]
        return self.get(f"{V10}/{resource}/{int(commitment_id)}", {"project_id": int(project_id)}, expect=dict)

    def list_commitment_line_items(self, project_id: int, kind: str, commitment_id: int) -> list[dict]:
        resource = COMMITMENT_KINDS[kind]
        return self.list_all(f"{V10}/{resource}/{int(commitment_id)}/line_items", {"project_id": int(project_id)})

    def update_commitment(self, project_id: int, kind: str, commitment_id: int, data: dict[str, Any]) -> dict:
        resource = COMMITMENT_KINDS[kind]
        return self.patch(f"{V10}/{resource}/{int(commitment_id)}", {"project_id": int(project_id), kind: data})

    def set_commitment_origin_id(self, project_id: int, kind: str, commitment_id: int, origin_id: str | None,
                                 origin_data: str | None = None) -> dict:
        data: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            data["origin_data"] = origin_data
        return self.update_commitment(project_id, kind, commitment_id, data)

    def clear_commitment_origin_id(self, project_id: int, kind: str, commitment_id: int) -> dict:
        return self.set_commitment_origin_id(project_id, kind, commitment_id, None)

    # thin named wrappers for the two kinds
    def list_work_order_contracts(self, project_id: int, **kwargs: Any) -> list[dict]:
        return self.list_commitments(project_id, "work_order_contract", **kwargs)

    def get_work_order_contract(self, project_id: int, contract_id: int) -> dict:
        return self.get_commitment(project_id, "work_order_contract", contract_id)

    def list_purchase_order_contracts(self, project_id: int, **kwargs: Any) -> list[dict]:
        return self.list_commitments(project_id, "purchase_order_contract", **kwargs)

    def get_purchase_order_contract(self, project_id: int, contract_id: int) -> dict:
        return self.get_commitment(project_id, "purchase_order_contract", contract_id)

    # -- commitment change orders -------------------------------------------------------------------
    def list_commitment_change_orders(self, project_id: int, *, updated_since: Since = None,
                                      contract_id: int | None = None, status: str | None = None) -> list[dict]:
        """``GET /rest/v1.0/projects/{p}/commitment_change_orders`` (1- and 2-tier configs only)."""
        params = _filters(contract_id=contract_id, status=status)
        return self.list_all(f"{V10}/projects/{int(project_id)}/commitment_change_orders", params,
                             updated_since=updated_since)

    def get_commitment_change_order(self, project_id: int, change_order_id: int, *,
                                    with_line_items: bool = True) -> dict:
        """Show view; with ``with_line_items`` adds ``line_items`` from the v2.0 endpoint (ids as int)."""
        record = self.get(f"{V10}/projects/{int(project_id)}/commitment_change_orders/{int(change_order_id)}",
                          expect=dict)
        if with_line_items:
            record["line_items"] = self.list_commitment_change_order_line_items(project_id, change_order_id)
        return record

    def list_commitment_change_order_line_items(self, project_id: int, change_order_id: int) -> list[dict]:
        """v2.0 line items: ``{id, commitment_line_item_id, description, quantity, unit_cost, amount,
        wbs_code_id, wbs_code, tax_code_id, position}`` (string ids converted to int)."""
        return self.list_all(f"{V20}/companies/{self.company_id}/projects/{int(project_id)}"
                             f"/commitment_change_orders/{int(change_order_id)}/line_items")

    # -- requisitions (subcontractor invoices) ------------------------------------------------------
    def list_requisitions(self, project_id: int, *, updated_since: Since = None, commitment_id: int | None = None,
                          status: str | None = None, origin_id: str | None = None,
                          with_items: bool = True) -> list[dict]:
        """``GET /rest/v1.1/requisitions?project_id=``; ``with_items`` asks for the extended view
        (``items[]`` and ``summary{}``)."""
        params: dict[str, Any] = {"project_id": int(project_id),
                                  **_filters(commitment_id=commitment_id, status=status, origin_id=origin_id)}
        if with_items:
            params["view"] = "extended"
        return self.list_all(f"{V11}/requisitions", params, updated_since=updated_since)

    def get_requisition(self, project_id: int, requisition_id: int) -> dict:
        """``{id, number, commitment_id, commitment_type, vendor_id, invoice_number, billing_date,
        requisition_start, requisition_end, payment_date, status, origin_id, summary{...},
        items[]{id, item_type, line_item_id, cost_code_id, wbs_code, scheduled_value,
        work_completed_this_period, work_completed_retainage_retained_this_period, net_amount, ...}}``."""
        return self.get(f"{V11}/requisitions/{int(requisition_id)}",
                        {"project_id": int(project_id), "view": "extended"}, expect=dict)

    def update_requisition(self, project_id: int, requisition_id: int, data: dict[str, Any], *,
                           commitment_id: int | None = None) -> dict:
        """``PATCH /rest/v1.1/requisitions/{id}`` (the body needs the commitment id: read when not given)."""
        if commitment_id is None:
            commitment_id = self.get_requisition(project_id, requisition_id)["commitment_id"]
        return self.patch(f"{V11}/requisitions/{int(requisition_id)}",
                          {"project_id": int(project_id), "commitment_id": int(commitment_id), "requisition": data})

    def set_requisition_origin_id(self, project_id: int, requisition_id: int, origin_id: str | None, *,
                                  commitment_id: int | None = None, origin_data: str | None = None) -> dict:
        data: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            data["origin_data"] = origin_data
        return self.update_requisition(project_id, requisition_id, data, commitment_id=commitment_id)

    def clear_requisition_origin_id(self, project_id: int, requisition_id: int, *,
                                    commitment_id: int | None = None) -> dict:
        return self.set_requisition_origin_id(project_id, requisition_id, None, commitment_id=commitment_id)

    # -- contract payments (payments issued) --------------------------------------------------------
    def list_contract_payments(self, project_id: int, contract_id: int) -> list[dict]:
        """``{id, contract_id, project_id, requisition_id, amount, date, payment_number, check_number,
        invoice_number, notes, status, origin_id, origin_data, ...}`` for one commitment."""
        return self.list_all(f"{V10}/contract_payments", {"project_id": int(project_id),
                                                          "contract_id": int(contract_id)})

    def get_contract_payment(self, project_id: int, payment_id: int) -> dict:
        return self.get(f"{V10}/contract_payments/{int(payment_id)}", {"project_id": int(project_id)}, expect=dict)

    def create_contract_payment(self, project_id: int, contract_id: int, payment: dict[str, Any]) -> dict:
        """``POST /rest/v1.0/contract_payments`` ``{project_id, contract_id, contract_payment: {date, amount,
        payment_number, payment_method (check|credit_card|electronic), requisition_id, notes, origin_id}}``.
        Not retried after a lost answer: look it up by origin_id before trying again."""
        return self.post(f"{V10}/contract_payments", {"project_id": int(project_id), "contract_id": int(contract_id),
                                                      "contract_payment": payment})

    def update_contract_payment(self, project_id: int, contract_id: int, payment_id: int,
                                payment: dict[str, Any]) -> dict:
        return self.patch(f"{V10}/contract_payments/{int(payment_id)}", {
            "project_id": int(project_id), "contract_id": int(contract_id), "contract_payment": payment})

    def delete_contract_payment(self, project_id: int, payment_id: int) -> None:
        self.delete(f"{V10}/contract_payments/{int(payment_id)}", params={"project_id": int(project_id)})

    def set_contract_payment_origin_id(self, project_id: int, contract_id: int, payment_id: int,
                                       origin_id: str | None, origin_data: str | None = None) -> dict:
        data: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            data["origin_data"] = origin_data
        return self.update_contract_payment(project_id, contract_id, payment_id, data)

    def clear_contract_payment_origin_id(self, project_id: int, contract_id: int, payment_id: int) -> dict:
        return self.set_contract_payment_origin_id(project_id, contract_id, payment_id, None)

    # -- direct costs -------------------------------------------------------------------------------
    def list_direct_costs(self, project_id: int, *, updated_since: Since = None, origin_id: str | None = None,
                          invoice_number: str | None = None) -> list[dict]:
        """``GET /rest/v1.1/projects/{p}/direct_costs``: headers only (no line items)."""
        return self.list_all(f"{V11}/projects/{int(project_id)}/direct_costs",
                             _filters(origin_id=origin_id, invoice_number=invoice_number),
                             updated_since=updated_since)

    def get_direct_cost(self, project_id: int, direct_cost_id: int) -> dict:
        """``{id, direct_cost_type, status, vendor{id,name}, vendor_id, invoice_number, direct_cost_date,
        received_date, payment_date, grand_total, origin_id, line_items[]{id, amount, quantity, unit_cost,
        description, cost_code, line_item_type, wbs_code, origin_id}}``."""
        return self.get(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}", expect=dict)

    def create_direct_cost(self, project_id: int, direct_cost: dict[str, Any]) -> dict:
        """``POST /rest/v1.1/projects/{p}/direct_costs`` ``{direct_cost: {direct_cost_type*, vendor_id*,
        invoice_number (type invoice), ..., line_items[] (<= 100) {wbs_code_id*, ...}}}``."""
        self._check_line_items(direct_cost)
        return self.post(f"{V11}/projects/{int(project_id)}/direct_costs", {"direct_cost": direct_cost})

    def update_direct_cost(self, project_id: int, direct_cost_id: int, direct_cost: dict[str, Any]) -> dict:
        self._check_line_items(direct_cost)
        return self.patch(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}",
                          {"direct_cost": direct_cost})

    def delete_direct_cost(self, project_id: int, direct_cost_id: int) -> None:
        self.delete(f"{V11}/projects/{int(project_id)}/direct_costs/{int(direct_cost_id)}")

    def set_direct_cost_origin_id(self, project_id: int, direct_cost_id: int, origin_id: str | None,
                                  origin_data: str | None = None) -> dict:
        data: dict[str, Any] = {"origin_id": origin_id}
        if origin_data is not None:
            data["origin_data"] = origin_data
        return self.update_direct_cost(project_id, direct_cost_id, data)

    def clear_direct_cost_origin_id(self, project_id: int, direct_cost_id: int) -> dict:
        return self.set_direct_cost_origin_id(project_id, direct_cost_id, None)

    @staticmethod
    def _check_line_items(direct_cost: dict[str, Any]) -> None:
        items = direct_cost.get("line_items") or []
        if len(items) > DIRECT_COST_MAX_LINE_ITEMS:
            raise ValueError(f"Procore takes at most {DIRECT_COST_MAX_LINE_ITEMS} line items per direct cost call")

    # -- prime contracts and owner invoices ---------------------------------------------------------
    def list_prime_contracts(self, project_id: int, *, updated_since: Since = None) -> list[dict]:
        return self.list_all(f"{V10}/prime_contracts", {"project_id": int(project_id)}, updated_since=updated_since)

    def get_prime_contract(self, project_id: int, prime_contract_id: int) -> dict:
        """Singular path: ``GET /rest/v1.0/prime_contract/{id}`` (``OAS:RestV10PrimeContractIdGet``)."""
        return self.get(f"{V10}/prime_contract/{int(prime_contract_id)}", {"project_id": int(project_id)},
                        expect=dict)

    def list_payment_applications(self, project_id: int, *, prime_contract_id: int | None = None) -> list[dict]:
        """Owner invoices: ``{id, number, invoice_number, billing_date, period_start, period_end, status,
        total_amount_accrued_this_period, g702{...}, origin_id, ...}``."""
        if prime_contract_id is not None:
            return self.list_all(f"{V10}/prime_contracts/{int(prime_contract_id)}/payment_applications",
                                 {"project_id": int(project_id)})
        return self.list_all(f"{V10}/payment_applications", {"project_id": int(project_id)})

    def get_payment_application(self, project_id: int, payment_application_id: int) -> dict:
        """One owner invoice with its lines: ``GET /rest/v1.0/payment_applications/{id}?project_id=``
        (``OAS:RestV10PaymentApplicationsIdGet``) → the list's fields + ``line_items[]{id, item_number,
        description_of_work, cost_code{id, code, name, full_code}, line_item_type{id, code, name},
        wbs_code{id, flat_code, description}, scheduled_value, work_completed_from_previous_application,
        work_completed_this_period, materials_presently_stored, work_completed_retainage_retained_this_period,
        materials_stored_retainage_retained_this_period, work_completed_retainage_released_this_period,
        total_completed_and_stored_to_date, balance_to_finish, ...}``; money as ``Decimal``.

        UNCONFIRMED: the extract's 200 schema is empty (``SOURCE.txt``: its oneOf/allOf was dropped).
        The safe reading, taken here: the show answer carries ``line_items[]`` shaped like the answer of
        ``PATCH /rest/v1.0/prime_contracts/{id}/payment_application_line_items/{id}``
        (``OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch``), whose ``cost_code``
        is untyped there: read as the ``{id, code, name, full_code}`` object of Procore's other line items,
        and ``line_item_type`` (the cost type) when the line carries one. Nothing is invented: a show answer
        without ``line_items`` comes back without the key, so a caller can tell "no lines" from "not sent".
        """
        return self.get(f"{V10}/payment_applications/{int(payment_application_id)}",
                        {"project_id": int(project_id)}, expect=dict)

    def update_payment_application(self, project_id: int, prime_contract_id: int, payment_application_id: int,
                                   data: dict[str, Any]) -> dict:
        """``PATCH /rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications/{id}`` body
        ``{project_id, payment_application: {...}}`` (``OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationsIdPatch``)."""
        return self.patch(f"{V10}/prime_contracts/{int(prime_contract_id)}/payment_applications/{int(payment_application_id)}",
                          {"project_id": int(project_id), "payment_application": data}, expect=dict)

    def set_payment_application_origin_id(self, project_id: int, prime_contract_id: int, payment_application_id: int,
                                          origin_id: str | None) -> dict:
        """The owner invoice shows as synced (and locks) in Procore; None clears it (§13)."""
        return self.update_payment_application(project_id, prime_contract_id, payment_application_id, {"origin_id": origin_id})

    # -- webhooks -----------------------------------------------------------------------------------
    def create_webhook_hook(self, destination_url: str, *, namespace: str, authorization: str,
                            api_version: str = "v4", project_id: int | None = None) -> dict:
        """``POST /rest/v1.0/webhooks/hooks``; ``authorization`` is sent back by Procore as the
        ``Authorization`` header of each delivery (see ``webhooks.authorization_header``)."""
        body: dict[str, Any] = {"hook": {"api_version": api_version, "namespace": namespace,
                                         "destination_url": destination_url,
                                         "destination_headers": {"Authorization": authorization}}}
        body.update(self._hook_scope(project_id))
        return self.post(f"{V10}/webhooks/hooks", body)

    def list_webhook_hooks(self, *, namespace: str | None = None, project_id: int | None = None) -> list[dict]:
        params = self._hook_scope(project_id)
        if namespace:
            params["namespace"] = namespace
        return self.get(f"{V10}/webhooks/hooks", params, expect=list)

    def delete_webhook_hook(self, hook_id: int, *, project_id: int | None = None) -> None:
        self.delete(f"{V10}/webhooks/hooks/{int(hook_id)}", params=self._hook_scope(project_id))

    def create_webhook_trigger(self, hook_id: int, resource_name: str, event_type: str, *,
                               project_id: int | None = None, api_version: str = "v4") -> dict:
        body: dict[str, Any] = {"api_version": api_version,
                                "trigger": {"resource_name": resource_name, "event_type": event_type.lower()}}
        body.update(self._hook_scope(project_id))
        return self.post(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers", body)

    def list_webhook_triggers(self, hook_id: int, *, project_id: int | None = None) -> list[dict]:
        return self.get(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers", self._hook_scope(project_id), expect=list)

    def delete_webhook_trigger(self, hook_id: int, trigger_id: int, *, project_id: int | None = None) -> None:
        self.delete(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers/{int(trigger_id)}",
                    params=self._hook_scope(project_id))

    def _hook_scope(self, project_id: int | None) -> dict[str, Any]:
        return {"project_id": int(project_id)} if project_id is not None else {"company_id": self.company_id}


def _sync_element_error(error: dict[str, Any], path: str) -> Unprocessable:
    problems = error.get("errors")
    if isinstance(problems, dict):
        message = "; ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in problems.items())
    else:
        message = str(problems or "sync element refused")
    return Unprocessable(message, status=422, errors=problems, method="PATCH", path=path)
