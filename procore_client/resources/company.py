"""The company's directory and setup: companies, me, vendors, projects and their stages, cost codes
and cost types.

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..answers import SyncResult
from .base import V10, V11, Calls, Since, filters, sync_element_error


class CompanyCalls(Calls):
    """Company-level calls (api/procore.md §7)."""

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
        params = {"company_id": self.company_id, **filters(origin_id=origin_id)}
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
            raise sync_element_error(result.errors[0], f"{V10}/vendors/sync")
        return result.entities[0]

    def clear_vendor_origin_id(self, vendor_id: int) -> dict:
        return self.set_vendor_origin_id(vendor_id, None)

    # -- projects and stages ------------------------------------------------------------------------
    def list_projects(self, *, updated_since: Since = None, include_inactive: bool = True,
                      origin_id: str | None = None, stage_ids: Iterable[int] | None = None) -> list[dict]:
        """``GET /rest/v1.1/projects`` (max 300 per page) with ``stage``, ``project_stage``,
        ``project_number``, ``active``; ``filters[by_status]=All`` includes inactive projects."""
        params: dict[str, Any] = {"company_id": self.company_id, "view": "extended",
                                  **filters(origin_id=origin_id)}
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
            **filters(origin_id=origin_id)})

    def sync_standard_cost_codes(self, standard_cost_code_list_id: int, updates: Iterable[dict[str, Any]]) -> SyncResult:
        """``PATCH /rest/v1.0/standard_cost_codes/sync`` ``{company_id, standard_cost_code_list_id,
        updates: [{id?, code, name, parent_id?, origin_id?}]}``: create or update up to 1000 codes of the
        list a call (BOOK-9, PERF-4); an element Procore refuses comes back in ``errors`` with its reason."""
        return self.sync(f"{V10}/standard_cost_codes/sync", updates, company_id=self.company_id,
                         standard_cost_code_list_id=int(standard_cost_code_list_id))

    def list_tax_codes(self) -> list[dict]:
        """``GET /rest/v1.0/tax_codes``: ``{id, code, description, rate1, archived, default_tax_code,
        origin_id, origin_data}`` (BOOK-3); a line item's ``tax_code_id`` names one."""
        return self.list_all(f"{V10}/tax_codes", {"company_id": self.company_id})

    def list_line_item_types(self, *, project_id: int | None = None, origin_id: str | None = None) -> list[dict]:
        """Cost types: ``{id, name, code, base_type, origin_id, origin_data}``."""
        params: dict[str, Any] = {"company_id": self.company_id, **filters(origin_id=origin_id)}
        if project_id is not None:
            params["project_id"] = int(project_id)
        return self.list_all(f"{V10}/line_item_types", params)

    def sync_line_item_types(self, updates: Iterable[dict[str, Any]]) -> SyncResult:
        return self.sync(f"{V10}/line_item_types/sync", updates, company_id=self.company_id)

    def list_project_cost_codes(self, project_id: int, *, origin_id: str | None = None) -> list[dict]:
        """``GET /rest/v1.0/cost_codes?project_id=``: ``{id, code, full_code, name, standard_cost_code_id, ...}``."""
        return self.list_all(f"{V10}/cost_codes", {"project_id": int(project_id), **filters(origin_id=origin_id)})
