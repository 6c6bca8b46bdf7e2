"""Prime contracts and their payment applications (owner invoices, INV-5).

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from typing import Any

from .base import V10, Calls, Since


class PrimeContractCalls(Calls):
    """A project's prime contracts and owner invoices (api/procore.md §12)."""

    # -- prime contracts and owner invoices ---------------------------------------------------------
    def list_prime_contracts(self, project_id: int, *, updated_since: Since = None) -> list[dict]:
        return self.list_all(f"{V10}/prime_contracts", {"project_id": int(project_id)}, updated_since=updated_since)

    def get_prime_contract(self, project_id: int, prime_contract_id: int) -> dict:
        """Singular path: ``GET /rest/v1.0/prime_contract/{id}`` (``OAS:RestV10PrimeContractIdGet``)."""
        return self.get(f"{V10}/prime_contract/{int(prime_contract_id)}", {"project_id": int(project_id)},
                        expect=dict)

    def list_prime_contract_line_items(self, project_id: int, prime_contract_id: int) -> list[dict]:
        """The prime contract's schedule of values: ``GET /rest/v1.0/prime_contracts/{id}/line_items?project_id=``
        (``OAS:RestV10PrimeContractsPrimeContractIdLineItemsGet``) → ``{id, position, description, amount,
        cost_code{...}, line_item_type{...}, tax_code_id, ...}`` (BOOK-3: a line's Procore tax code)."""
        return self.list_all(f"{V10}/prime_contracts/{int(prime_contract_id)}/line_items", {"project_id": int(project_id)})

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
