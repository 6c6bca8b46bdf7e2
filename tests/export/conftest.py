"""An accepted world for export tests: cost items, a project, vendors and documents, all `exporting`,
with nothing yet in Xero; one export run takes them over in dependency order."""

from decimal import Decimal

import pytest

from integration.models import ErpStatus
from tests.factories import (
    CommitmentFactory,
    CommitmentLineFactory,
    CostCodeFactory,
    CostItemFactory,
    CostTypeFactory,
    InvoiceLineFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

EXPORTING = {"erp_status": ErpStatus.EXPORTING, "xero_id": ""}


class World:
    """Records as the pull leaves them, each also present in the Procore sandbox (same ids)."""

    def __init__(self, link, procore):
        self.link = link
        self.procore = procore
        labor = CostTypeFactory(link=link, code="L", name="Labor")
        self.items = [
            CostItemFactory(link=link, cost_code=CostCodeFactory(link=link, code=code, name=name), cost_type=labor, **EXPORTING)
            for code, name in (("03-300", "Concrete"), ("05-120", "Structural Steel"))
        ]
        p = procore.create_record("project", {"name": "Harbour View", "project_number": "HV-101"})
        self.project = ProjectFactory(link=link, procore_id=p["id"], name="Harbour View", project_number="HV-101", **EXPORTING)
        self.vendors = []
        for i in range(3):
            v = procore.create_record("vendor", {"name": f"Kauri Concrete {i}"})
            self.vendors.append(VendorFactory(link=link, procore_id=v["id"], name=f"Kauri Concrete {i}", **EXPORTING))

    def commitment(self, vendor=None, **kwargs):
        vendor = vendor or self.vendors[0]
        self._numbers = getattr(self, "_numbers", 0) + 1
        number = kwargs.pop("number", f"SC-{self._numbers:03d}")
        c = self.procore.create_record("work_order_contract", {"project_id": self.project.procore_id, "title": "Concrete works",
                                                               "number": number, "status": "Approved", "vendor_id": vendor.procore_id})
        commitment = CommitmentFactory(link=self.link, project=self.project, vendor=vendor, procore_id=c["id"], number=number, lines=0, **kwargs)
        CommitmentLineFactory(commitment=commitment, cost_item=self.items[0], amount=Decimal("10000.00"), quantity=1, unit_cost=Decimal("10000"))
        return commitment

    def invoice(self, commitment=None, *, amount="1000.00", item=None, **kwargs):
        commitment = commitment or self.commitment(erp_status=ErpStatus.NOT_SENT)
        kwargs.setdefault("erp_status", ErpStatus.EXPORTING)
        kwargs.setdefault("total", Decimal(amount))  # one line, no retainage: what the bill totals before tax
        r = self.procore.create_record("requisition", {"project_id": self.project.procore_id, "commitment_id": commitment.procore_id,
                                                       "invoice_number": kwargs.get("invoice_number", "INV"), "status": "approved"})
        invoice = SubcontractorInvoiceFactory(link=self.link, commitment=commitment, project=self.project, procore_id=r["id"],
                                              vendor=commitment.vendor, lines=0, **kwargs)
        InvoiceLineFactory(invoice=invoice, cost_item=item or self.items[0], amount=Decimal(amount), description="Work this period")
        return invoice


@pytest.fixture
def world(link, sandboxes):
    link.commitment_sync = False
    link.save()
    return World(link, sandboxes.procore)
