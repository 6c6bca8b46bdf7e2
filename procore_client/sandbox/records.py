"""The sandbox's records: kinds, required fields, enums, origin_id rules, rendering.

Every rule names its source: ``OAS:<operationId>`` is ``../shared/specs/procore/endpoint-details/
<operationId>.json``; ``§n`` is a section of ``../shared/docs/api/procore.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_client.enums import (
    ACCOUNTING_METHODS,
    BASE_TYPES,
    CCO_STATUSES,
    DIRECT_COST_STATUSES,
    DIRECT_COST_TYPES,
    PAY_APP_STATUSES,
    PAYMENT_METHODS,
    POC_STATUSES,
    PRIME_STATUSES,
    REQUISITION_STATUSES,
    STAGE_CATEGORIES,
    WOC_STATUSES,
)

ORIGIN_FIELDS = ("origin_id", "origin_data", "origin_code")


@dataclass(frozen=True)
class Kind:
    name: str
    scope: str  # "company" | "project"
    fields: frozenset[str]
    required: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    money: tuple[str, ...] = ()
    #: §13: "Setting origin_id ... record locking: Direct Costs, Subcontractor Invoices, Payment
    #: Applications, Contract Payments become immutable. Editing a locked record → 422."
    locked_by_origin_id: bool = False
    #: Webhook resource name (§15, from a sandbox GET /webhooks/resources dump).
    resource_name: str | None = None
    has_origin_id: bool = True


#: The sandbox company's (and its projects') currency: the builder of the demo's New Zealand Xero
#: organisation (issue 12: one consistent profile). A contract created with another currency_iso_code
#: (RestV10WorkOrderContractsPost, "multicurrency") keeps its own.
COMPANY_CURRENCY = "NZD"


def _kind(name, scope, fields, **kwargs) -> Kind:
    return Kind(name, scope, frozenset(fields.split()), **kwargs)


_COMMITMENT_FIELDS = (
    "title number status vendor_id description executed private accounting_method retainage_percent "
    "contract_date contract_start_date contract_estimated_completion_date actual_completion_date execution_date "
    "signed_contract_received_date issued_on_date letter_of_intent_date approval_letter_date returned_date "
    "inclusions exclusions origin_id origin_code origin_data currency_iso_code currency_exchange_rate"
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        # OAS:RestV10VendorsPost: vendor.name required.
        _kind("vendor", "company",
              "name abbreviated_name address city state_code zip country_code business_phone mobile_phone "
              "fax_number email_address website is_active license_number labor_union union_member "
              "non_union_prevailing_wage authorized_bidder prequalified notes vendor_group_id parent_id "
              "primary_contact_id trade_name origin_id origin_data origin_code",
              required=("name",), defaults={"is_active": True}, resource_name="Company Vendors"),
        # OAS:RestV10ProjectsPost: project.name required (+ project_number by convention of §7).
        _kind("project", "company",
              "name project_number accounting_project_number active address city state_code zip country_code "
              "start_date completion_date total_value project_stage_id description origin_id origin_data "
              "origin_code",
              required=("name",), defaults={"active": True}, money=("total_value",), resource_name="Projects"),
        _kind("project_stage", "company", "name category is_bidding_stage",
              required=("name", "category"), enums={"category": STAGE_CATEGORIES},
              defaults={"is_bidding_stage": False}, resource_name="Project Stages", has_origin_id=False),
        _kind("standard_cost_code_list", "company", "name available_to_use_on_new_projects is_erp_list",
              required=("name",), defaults={"available_to_use_on_new_projects": True, "is_erp_list": False},
              resource_name="Standard Cost Code Lists", has_origin_id=False),
        # OAS:RestV10StandardCostCodesGet: list id required.
        _kind("standard_cost_code", "company",
              "standard_cost_code_list_id parent_id code name origin_id origin_data",
              required=("standard_cost_code_list_id", "code", "name"), resource_name="Standard Cost Codes"),
        # OAS:RestV10TaxCodesGet: a company's tax codes (a line item's tax_code_id names one).
        _kind("tax_code", "company", "code description rate1 archived default_tax_code origin_id origin_data",
              required=("code",), defaults={"archived": False, "default_tax_code": False}, resource_name="Tax Codes"),
        # OAS:RestV10LineItemTypesSyncPatch: base_type enum.
        _kind("line_item_type", "company", "name code base_type origin_id origin_data",
              required=("name", "code"), enums={"base_type": BASE_TYPES}, defaults={"base_type": "other"},
              resource_name="Line Item Types"),
        _kind("project_cost_code", "project", "code name parent_id standard_cost_code_id position origin_id origin_data",
              required=("code", "name"), resource_name="Cost Codes"),
        _kind("work_order_contract", "project", _COMMITMENT_FIELDS,
              required=("title",), enums={"status": WOC_STATUSES, "accounting_method": ACCOUNTING_METHODS},
              defaults={"status": "Draft", "accounting_method": "amount", "executed": False, "private": False},
              money=("retainage_percent",), resource_name="Work Order Contracts"),
        _kind("purchase_order_contract", "project",
              _COMMITMENT_FIELDS + " assignee_id bill_to_address ship_to_address ship_via delivery_date payment_terms",
              required=("title",), enums={"status": POC_STATUSES, "accounting_method": ACCOUNTING_METHODS},
              defaults={"status": "Draft", "accounting_method": "amount", "executed": False, "private": False},
              money=("retainage_percent",), resource_name="Purchase Order Contracts"),
        # OAS:RestV10ProjectsProjectIdCommitmentChangeOrdersPost: change_order.contract_id required.
        _kind("commitment_change_order", "project",
              "contract_id title number status description due_date invoiced_date paid_date executed private "
              "paid batch_id reason reference revision signed_change_order_received_date origin_id origin_data "
              "origin_code",
              required=("contract_id",), enums={"status": CCO_STATUSES}, defaults={"status": "draft"},
              resource_name="Commitment Change Orders"),  # resource name UNCONFIRMED (§15)
        # OAS:RestV11RequisitionsPost: project_id and commitment_id required.
        _kind("requisition", "project",
              "commitment_id period_id requisition_start requisition_end billing_date invoice_number payment_date "
              "final status submitted_at origin_id origin_data",
              required=("commitment_id",), enums={"status": REQUISITION_STATUSES},
              defaults={"status": "draft", "final": False}, locked_by_origin_id=True,
              resource_name="Requisitions"),  # resource name UNCONFIRMED (§15)
        # OAS:RestV10ContractPaymentsPost: project_id and contract_id required.
        _kind("contract_payment", "project",
              "contract_id date amount payment_number payment_method check_number invoice_number invoice_date "
              "draw_request_number requisition_id notes origin_id origin_data origin_code",
              required=("contract_id",), enums={"payment_method": PAYMENT_METHODS}, money=("amount",),
              defaults={"status": "paid"}, locked_by_origin_id=True, resource_name="Contract Payments"),
        # OAS:RestV11ProjectsProjectIdDirectCostsPost: direct_cost_type, vendor_id, invoice_number required.
        _kind("direct_cost", "project",
              "direct_cost_type vendor_id invoice_number direct_cost_date received_date payment_date terms status "
              "description employee_id origin_id origin_data",
              required=("direct_cost_type", "vendor_id"),
              enums={"direct_cost_type": DIRECT_COST_TYPES, "status": DIRECT_COST_STATUSES},
              defaults={"status": "draft"}, locked_by_origin_id=True, resource_name="Direct Costs"),
        _kind("prime_contract", "project",
              "title number status vendor_id contractor_id architect_id retainage_percent accounting_method "
              "description contract_date executed private origin_id origin_data origin_code currency_iso_code "
              "currency_exchange_rate",
              required=("title",), enums={"status": PRIME_STATUSES, "accounting_method": ACCOUNTING_METHODS},
              defaults={"status": "Draft", "accounting_method": "amount"}, money=("retainage_percent",),
              resource_name="Prime Contracts"),
        _kind("payment_application", "project",
              "prime_contract_id commitment_billing_period_id period_start period_end billing_date invoice_number "
              "status origin_id origin_data total_amount_accrued_this_period total_amount_paid",
              required=("prime_contract_id",), enums={"status": PAY_APP_STATUSES}, defaults={"status": "draft"},
              money=("total_amount_accrued_this_period", "total_amount_paid"), locked_by_origin_id=True,
              resource_name="Payment Applications"),
    ]
}

#: origin_id uniqueness is per company and per type (§13); the two commitment types are distinct types.
COMMITMENT_TYPES = {"work_order_contract": "WorkOrderContract", "purchase_order_contract": "PurchaseOrderContract"}

LINE_ITEM_FIELDS = frozenset(
    "amount description quantity unit_cost uom extended_type wbs_code_id cost_code_id line_item_type_id "
    "tax_code_id origin_id origin_data position commitment_line_item_id manual_amount ref".split()
)
# OAS:RestV11RequisitionsPost / RestV11RequisitionsIdPatch requisition.items[] (the writable fields).
REQUISITION_ITEM_FIELDS = frozenset(
    "item_type line_item_id detail_line_item_id work_completed_this_period materials_presently_stored "
    "materials_presently_stored_from_previous_progress work_completed_retainage_retained_this_period "
    "work_completed_retainage_released_this_period materials_stored_retainage_currently_retained "
    "work_completed_retainage_percent_this_period materials_stored_retainage_percent_this_period "
    "subcontractor_claimed_amount comment status work_completed_this_period_quantity".split()
)
REQUISITION_ITEM_MONEY = (
    "work_completed_this_period", "materials_presently_stored", "materials_presently_stored_from_previous_progress",
    "work_completed_retainage_retained_this_period", "work_completed_retainage_released_this_period",
    "materials_stored_retainage_currently_retained", "work_completed_retainage_percent_this_period",
    "materials_stored_retainage_percent_this_period", "subcontractor_claimed_amount",
    "work_completed_this_period_quantity",
)

# Payment application (owner invoice) line items: the writable and read fields of
# OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch (§12), plus the cost code and
# cost type ids the sandbox renders as objects like Procore's other line items (UNCONFIRMED, see
# ProcoreClient.get_payment_application).
PAY_APP_LINE_MONEY = (
    "scheduled_value", "scheduled_quantity", "scheduled_unit_price", "work_completed_from_previous_application",
    "work_completed_this_period", "work_completed_this_period_quantity", "materials_presently_stored",
    "work_completed_retainage_retained_this_period", "materials_stored_retainage_retained_this_period",
    "work_completed_retainage_released_this_period", "materials_stored_retainage_released_this_period",
)
PAY_APP_LINE_FIELDS = frozenset(
    ("description_of_work", "item_number", "cost_code_id", "line_item_type_id", "wbs_code_id", *PAY_APP_LINE_MONEY)
)


class ValidationFailed(Exception):
    """A write Procore would refuse; ``status`` and ``body`` are the real error shape.

    Field errors use the Rails shape ``{"errors": {"field": ["message"]}}`` with 422; a missing
    root parameter is 400 ``{"errors": "param is missing or the value is empty: <name>"}``.
    (Exact wording UNCONFIRMED: Procore is a Rails app and these are Rails' own messages.)
    """

    def __init__(self, errors: Any, status: int = 422):
        self.errors = errors
        self.status = status
        super().__init__(str(errors))

    @property
    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def money(value: Any, name: str) -> str | None:
    """Store money as a plain decimal string, as Procore sends it (§8 read fields are strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed({name: ["is not a number"]})
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed({name: ["is not a number"]}) from None
    if not number.is_finite():
        raise ValidationFailed({name: ["is not a number"]})
    return str(number.quantize(Decimal("0.01")) if number == number.quantize(Decimal("0.01")) else number)


def dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def to_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed({name: ["is not a number"]})
    try:
        return int(str(value))
    except ValueError:
        raise ValidationFailed({name: ["is not a number"]}) from None
