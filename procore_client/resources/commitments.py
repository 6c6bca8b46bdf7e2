"""Commitments (work order and purchase order contracts), their change orders, requisitions (subcontractor
invoices) and contract payments (payments issued).

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..answers import SyncResult
from ..enums import COMMITMENT_KINDS
from .base import V10, V11, V20, Calls, Since, filters


class CommitmentCalls(Calls):
    """Calls on a project's commitments and what hangs off them (api/procore.md §8-§10)."""

    # -- commitments --------------------------------------------------------------------------------
    def list_commitments(self, project_id: int, kind: str, *, updated_since: Since = None,
                         status: str | None = None, origin_id: str | None = None) -> list[dict]:
        """Work order or purchase order contracts of a project (``kind``: ``work_order_contract`` or
        ``purchase_order_contract``). The list has header fields, no line items."""
        resource = COMMITMENT_KINDS[kind]
        params = {"project_id": int(project_id), **filters(status=status, origin_id=origin_id)}
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

    def sync_commitments(self, project_id: int, kind: str, updates: Iterable[dict[str, Any]]) -> SyncResult:
        """``PATCH /rest/v1.0/{work_order|purchase_order}_contracts/sync`` ``{project_id, updates}``: up to
        1000 commitments of one project per call (``OAS:RestV10WorkOrderContractsSyncPatch``,
        ``OAS:RestV10PurchaseOrderContractsSyncPatch``); ``{id, origin_id}`` sets an origin_id."""
        return self.sync(f"{V10}/{COMMITMENT_KINDS[kind]}/sync", updates, project_id=int(project_id))

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
        params = filters(contract_id=contract_id, status=status)
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
                                  **filters(commitment_id=commitment_id, status=status, origin_id=origin_id)}
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
    def list_contract_payments(self, project_id: int, contract_id: int, *, origin_id: str | None = None) -> list[dict]:
        """``{id, contract_id, project_id, requisition_id, amount, date, payment_number, check_number,
        invoice_number, notes, status, origin_id, origin_data, ...}`` for one commitment; with ``origin_id``
        only the payments carrying it (how a payment whose create answer was lost is found again).

        UNCONFIRMED: ``OAS:RestV10ContractPaymentsGet`` declares no ``filters[...]`` for this list, while
        Procore's other lists take ``filters[origin_id]`` (§13). It is sent, and the answer is filtered here
        as well, so a Procore that ignores it still gives only the matching payments."""
        params = {"project_id": int(project_id), "contract_id": int(contract_id), **filters(origin_id=origin_id)}
        payments = self.list_all(f"{V10}/contract_payments", params)
        if origin_id is None:
            return payments
        return [p for p in payments if str(p.get("origin_id") or "") == origin_id]

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
