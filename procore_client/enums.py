"""Procore's vocabulary, spelled as Procore spells it: record statuses, commitment kinds, the other enums.

The client, the sandbox and the connector read these names from here and nowhere else. Every tuple
names its source: ``OAS:<operationId>`` is ``../shared/specs/procore/endpoint-details/<operationId>.json``;
``§n`` is a section of ``../shared/docs/api/procore.md``.
"""

from __future__ import annotations

WORK_ORDER_CONTRACT = "work_order_contract"
PURCHASE_ORDER_CONTRACT = "purchase_order_contract"
#: The two commitment kinds and their v1.0 resource names (``OAS:RestV10WorkOrderContractsGet``,
#: ``OAS:RestV10PurchaseOrderContractsGet``, §8).
COMMITMENT_KINDS = {WORK_ORDER_CONTRACT: "work_order_contracts", PURCHASE_ORDER_CONTRACT: "purchase_order_contracts"}

# Commitment statuses, OAS:RestV10WorkOrderContractsPost / OAS:RestV10PurchaseOrderContractsPost (§8).
WOC_STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated", "Void")
POC_STATUSES = ("Draft", "Processing", "Submitted", "Partially Received", "Received", "Approved", "Closed")
#: The statuses of each commitment kind.
COMMITMENT_STATUSES = {WORK_ORDER_CONTRACT: WOC_STATUSES, PURCHASE_ORDER_CONTRACT: POC_STATUSES}
# OAS:RestV10ProjectsProjectIdCommitmentChangeOrdersGet filters[status] (§8).
CCO_STATUSES = ("draft", "pricing", "not_pricing", "pending", "revised", "proceeding", "not_proceeding",
                "pending_billable", "no_charge", "approved", "rejected", "void")
# OAS:RestV11RequisitionsPost (§9).
REQUISITION_STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved", "approved_as_noted",
                        "pending_owner_approval")
REQUISITION_ITEM_TYPES = ("contract_item", "contract_detail_item", "change_order_item", "whole_change_order_item")
# OAS:RestV11ProjectsProjectIdDirectCostsPost (§11; subcontractor_invoice "if enabled by apisupport").
DIRECT_COST_TYPES = ("invoice", "expense", "payroll", "subcontractor_invoice")
DIRECT_COST_STATUSES = ("draft", "pending", "revise_and_resubmit", "approved")
# OAS:RestV10ContractPaymentsPost.
PAYMENT_METHODS = ("check", "credit_card", "electronic")
# OAS:RestV10PrimeContractPost (§12).
PRIME_STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated")
# OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationsPost (§12).
PAY_APP_STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved")
# §7 project stages (DOC:tutorials/tutorial_project_stages.md).
STAGE_CATEGORIES = ("pre_construction", "course_of_construction", "post_construction", "completed",
                    "not_awarded", "canceled")
# OAS:RestV10LineItemTypesGet.
BASE_TYPES = ("equipment", "materials", "commitment", "owner_cost", "professional_services", "other")
ACCOUNTING_METHODS = ("amount", "unit")

#: The statuses in which each record is approved in Procore (the ones that enter the Xero queue, SYNC-2).
COMMITMENT_APPROVED = ("Approved",)
CCO_APPROVED = ("approved",)
REQUISITION_APPROVED = ("approved", "approved_as_noted")
PAY_APP_APPROVED = ("approved",)
