"""A small, realistic data set for looking around the admin without any connection: one builder,
two projects, a few subcontractors, a cost code list, commitments and invoices in every state of
the approval queue, some of them failing their export rules."""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from integration import models as m
from integration.models import ErpStatus as S


def _guid():
    return str(uuid.uuid4())


@transaction.atomic
def load_sample_data() -> m.CompanyLink:
    link, created = m.CompanyLink.objects.get_or_create(
        name="Harbourside Builders (sample)",
        defaults={"procore_company_id": 4242, "procore_company_name": "Harbourside Builders",
                  "xero_tenant_name": "Harbourside Builders Ltd", "payment_cutoff": datetime.date(2026, 1, 1)},
    )
    if not created:
        return link
    now = timezone.now()
    types = {code: m.CostType.objects.create(link=link, procore_id=900 + i, code=code, name=name)
             for i, (code, name) in enumerate([("L", "Labor"), ("M", "Materials"), ("S", "Subcontract")])}
    items = []
    for i, (code, name) in enumerate([("01-100", "General Conditions"), ("03-300", "Cast-in-Place Concrete"),
                                      ("05-120", "Structural Steel"), ("09-250", "Gypsum Board")]):
        cost_code = m.CostCode.objects.create(link=link, procore_id=800 + i, code=code, name=name)
        cost_code.default_cost_types.set(types.values())
        for t in types.values():
            items.append(m.CostItem.objects.create(
                link=link, cost_code=cost_code, cost_type=t, item_code=m.CostItem.code_for(code, t.code),
                description=f"{name} - {t.name}"[:50], erp_status=S.SYNCED, xero_id=_guid(), erp_status_changed_at=now))
    long_item = m.CostItem.objects.create(
        link=link, cost_code=m.CostCode.objects.create(link=link, procore_id=899, code="31-2000-EARTHWORK-EXCAVATION-BULK", name="Bulk excavation"),
        cost_type=types["S"], item_code="31-2000-EARTHWORK-EXCAVATION-BULK.S", description="Bulk excavation - Subcontract",
        erp_status=S.READY_TO_EXPORT, erp_status_changed_at=now)
    assert long_item  # refused by WBS-1 (code over 30 characters): the approver sees why

    tower = m.Project.objects.create(link=link, procore_id=7001, name="Harbour View Apartments", project_number="HV-101",
                                     stage_name="Send to Xero", cost_code_count=12, erp_status=S.SYNCED, xero_id=_guid(),
                                     xero_option_name="HV-101 Harbour View Apartments", erp_status_changed_at=now)
    m.Project.objects.create(link=link, procore_id=7002, name="Northcote School Gym", project_number="",
                             stage_name="Send to Xero", cost_code_count=4, erp_status=S.READY_TO_EXPORT, erp_status_changed_at=now)
    vendors = [m.Vendor.objects.create(link=link, procore_id=6000 + i, name=name, address=addr, city="Auckland",
                                       zip="1010", business_phone=phone, erp_status=S.SYNCED, xero_id=_guid(),
                                       erp_status_changed_at=now)
               for i, (name, addr, phone) in enumerate([
                   ("Kauri Concrete Ltd", "4 Wharf Rd", "+64 9 555 0101"),
                   ("Southern Steel Erectors", "88 Great South Rd", "+64 9 555 0102"),
                   ("Tui Drywall & Linings", "17 Dominion Rd", "+64 9 555 0103")])]
    m.Vendor.objects.create(link=link, procore_id=6100, name="Pohutukawa Plumbing", city="Auckland",
                            erp_status=S.READY_TO_EXPORT, erp_status_changed_at=now)

    for n, (vendor, item, amount, status) in enumerate([
        (vendors[0], items[4], "184500.00", S.SYNCED), (vendors[1], items[8], "96250.00", S.READY_TO_EXPORT),
        (vendors[2], items[11], "42800.00", S.NOT_SENT)], start=1):
        commitment = m.Commitment.objects.create(
            link=link, project=tower, vendor=vendor, procore_id=5000 + n, number=f"SC-{n:03d}",
            title=f"{item.cost_code.name} package", status="Approved", grand_total=Decimal(amount),
            procore_created_at=now - datetime.timedelta(days=60), erp_status=status, erp_status_changed_at=now,
            xero_id=_guid() if status == S.SYNCED else "")
        line = m.CommitmentLine.objects.create(commitment=commitment, procore_id=5100 + n, position=1, cost_item=item,
                                               description=item.description, quantity=1, unit_cost=Decimal(amount), amount=Decimal(amount))
        for k, (inv_status, days, billing) in enumerate([(S.READY_TO_EXPORT, 2, True), (S.READY_TO_EXPORT, 9, n != 2)]):
            this_period = (Decimal(amount) * Decimal("0.15")).quantize(Decimal("0.01"))
            retainage = (this_period * Decimal("0.05")).quantize(Decimal("0.01"))
            invoice = m.SubcontractorInvoice.objects.create(
                link=link, project=tower, commitment=commitment, vendor=vendor, procore_id=4000 + n * 10 + k,
                number=str(k + 1), invoice_number=f"{vendor.name.split()[0].upper()}-{2026}{n}{k}", status="approved",
                billing_date=datetime.date(2026, 10, 25) if billing else None, period_start=datetime.date(2026, 10, 1),
                period_end=datetime.date(2026, 10, 31), payment_date=datetime.date(2026, 11, 20),
                payment_due_date=datetime.date(2026, 11, 20), retainage_this_period=retainage, total=this_period - retainage,
                erp_status=inv_status, erp_status_changed_at=now - datetime.timedelta(days=days))
            m.InvoiceLine.objects.create(invoice=invoice, procore_id=4500 + n * 10 + k, position=1, commitment_line=line,
                                         cost_item=item, description=item.description, scheduled_value=Decimal(amount),
                                         quantity=Decimal("0.15"), unit_price=Decimal(amount), amount=this_period,
                                         retainage_this_period=retainage)
    return link
