"""Typed methods of ``ProcoreClient``, one small function per Procore call, in families by resource.

Every method returns plain data (dicts/lists, normalised by ``parsing.normalise``). Paths and bodies
come from the OAS extracts in ``../shared/specs/procore/endpoint-details`` (named per method).
"""

from .base import V10, V11, V20
from .commitments import CommitmentCalls
from .company import CompanyCalls
from .direct_costs import DIRECT_COST_MAX_LINE_ITEMS, DirectCostCalls
from .hooks import HookCalls
from .prime_contracts import PrimeContractCalls


class ResourcesMixin(CompanyCalls, CommitmentCalls, DirectCostCalls, PrimeContractCalls, HookCalls):
    """Every typed call; ``ProcoreClient`` supplies the generic ones they build on."""


__all__ = ["DIRECT_COST_MAX_LINE_ITEMS", "V10", "V11", "V20", "ResourcesMixin"]
