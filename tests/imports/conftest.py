"""A world where the export has already happened: the same projects, cost items and companies exist in
Procore (sandbox), in Xero (sandbox) and in the connector's models, linked by their ids. The tests then
act as the accountant in Xero, through the Xero client, and run the imports."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from integration.models import ErpStatus
from integration.services.connections import xero_client_for
from tests.factories import (
    CommitmentFactory,
    CostCodeFactory,
    CostItemFactory,
    CostTypeFactory,
    OwnerInvoiceFactory,
    PrimeContractFactory,
    ProjectFactory,
    SubcontractorInvoiceFactory,
    VendorFactory,
)

_keys = itertools.count(1)


def key(what: str) -> str:
    return f"test-{what}-{next(_keys)}"


class World:
    def __init__(self, link, sandboxes):
        self.link, self.sandboxes, self.procore = link, sandboxes, sandboxes.procore
        self.xero = xero_client_for(link)
        # Xero: the project tracking category and its options, the cost code Items, contacts.
        category = self.xero.create_tracking_category("Project", idempotency_key=key("cat"))
        self.category_id = category["TrackingCategoryID"]
        labor = self.procore.create_record("line_item_type", {"name": "Labor", "code": "L"})
        self.cost_type = CostTypeFactory(link=link, code="L", name="Labor", procore_id=labor["id"])
        self.items = {}
        for code, name in (("03-300", "Concrete"), ("05-120", "Steel")):
            cost_code = CostCodeFactory(link=link, code=code, name=name)
            [result] = self.xero.create_items([{"Code": f"{code}.L", "Name": f"{name} - Labor",
                                                "PurchaseDetails": {"AccountCode": "310"}}],
                                              idempotency_key=key("item"))
            self.items[code] = CostItemFactory(link=link, cost_code=cost_code, cost_type=self.cost_type,
                                               item_code=f"{code}.L", xero_id=result.id)
        self.projects = {}
        for number, name in (("HV-101", "Harbour View"), ("RT-202", "Riverside Tower")):
            self.projects[number] = self.project(number, name)
        self.vendor = self.vendor_in_both("Kauri Concrete Ltd")

    # -- setup helpers --------------------------------------------------------------------------
    def project(self, number: str, name: str, *, cost_codes=("03-300", "05-120")):
        p = self.procore.create_record("project", {"name": name, "project_number": number})
        for code in cost_codes:
            self.procore.create_record("project_cost_code", {"project_id": p["id"], "code": code, "name": code})
        option = self.xero.create_tracking_option(self.category_id, f"{number} {name}", idempotency_key=key("opt"))
        return ProjectFactory(link=self.link, procore_id=p["id"], name=name, project_number=number,
                              xero_id=option["TrackingOptionID"], xero_option_name=f"{number} {name}",
                              xero_option_status="ACTIVE")

    def vendor_in_both(self, name: str):
        v = self.procore.create_record("vendor", {"name": name})
        [contact] = self.xero.create_contacts([{"Name": name, "ContactNumber": str(v["id"])}], idempotency_key=key("c"))
        return VendorFactory(link=self.link, procore_id=v["id"], name=name, xero_id=contact.id)

    def exported_bill(self, *, amount: str = "1000.00", project: str = "HV-101", number: str = "INV-7",
                      currency: str = ""):
        """A subcontractor invoice exported from Procore: requisition in Procore, bill in Xero, rows here."""
        project_row = self.projects[project]
        c = self.procore.create_record("work_order_contract", {"project_id": project_row.procore_id, "title": "Slab",
                                                               "number": "SC-001", "status": "Approved",
                                                               "vendor_id": self.vendor.procore_id,
                                                               **({"currency_iso_code": currency} if currency else {})})
        commitment = CommitmentFactory(link=self.link, project=project_row, vendor=self.vendor, procore_id=c["id"],
                                       lines=0, currency=currency)
        r = self.procore.create_record("requisition", {"project_id": project_row.procore_id,
                                                       "commitment_id": c["id"], "invoice_number": number,
                                                       "status": "approved"})
        bill = self.bill([("03-300", project, amount)], reference=number, currency=currency)
        invoice = SubcontractorInvoiceFactory(link=self.link, commitment=commitment, project=project_row, currency=currency,
                                              vendor=self.vendor, procore_id=r["id"], invoice_number=number,
                                              total=Decimal(amount), xero_id=bill["InvoiceID"],
                                              erp_status=ErpStatus.SYNCED, lines=0)
        return invoice, bill

    # -- the accountant in Xero -------------------------------------------------------------------
    def _lines(self, lines):
        out = []
        for code, project, amount in lines:
            line = {"Description": f"Work on {code}", "Quantity": 1, "UnitAmount": Decimal(amount), "AccountCode": "310"}
            if code:
                line["ItemCode"] = f"{code}.L"
            if project:
                line["Tracking"] = [{"Name": "Project", "Option": self.projects[project].xero_option_name}]
            out.append(line)
        return out

    def bill(self, lines, *, reference: str = "B-100", contact=None, status: str = "AUTHORISED", day=date(2026, 5, 1),
             currency: str = ""):
        [result] = self.xero.create_invoices([{
            "Type": "ACCPAY", "Contact": {"ContactID": (contact or self.vendor).xero_id}, "Date": day.isoformat(),
            "DueDate": "2026-06-01", "InvoiceNumber": reference, "Status": status, "LineAmountTypes": "NoTax",
            **({"CurrencyCode": currency} if currency else {}),
            "LineItems": self._lines(lines)}], idempotency_key=key("bill"))
        assert result.ok, result.errors
        return result.document

    def spend(self, lines, *, reference: str = "Fuel", day=date(2026, 5, 2)):
        [result] = self.xero.create_bank_transactions([{
            "Type": "SPEND", "Contact": {"ContactID": self.vendor.xero_id}, "BankAccount": {"Code": "090"},
            "Date": day.isoformat(), "Reference": reference, "LineAmountTypes": "NoTax",
            "LineItems": self._lines(lines)}], idempotency_key=key("spend"))
        assert result.ok, result.errors
        return result.document

    def credit_note(self, lines, *, number: str = "CN-1", day=date(2026, 5, 3)):
        [result] = self.xero.create_credit_notes([{
            "Type": "ACCPAYCREDIT", "Contact": {"ContactID": self.vendor.xero_id}, "Date": day.isoformat(),
            "CreditNoteNumber": number, "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
            "LineItems": self._lines(lines)}], idempotency_key=key("cn"))
        assert result.ok, result.errors
        return result.document

    def pay(self, invoice_id: str, amount: str, *, day=date(2026, 5, 10), reference: str = "EFT 1"):
        [result] = self.xero.create_payments([{"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"},
                                               "Date": day.isoformat(), "Amount": Decimal(amount), "Reference": reference}],
                                             idempotency_key=key("pay"))
        assert result.ok, result.errors
        return result.document

    def void_bill(self, invoice_id: str):
        [result] = self.xero.update_invoices([{"InvoiceID": invoice_id, "Status": "VOIDED"}],
                                             idempotency_key=key("void"))
        assert result.ok, result.errors

    # -- what Procore shows -----------------------------------------------------------------------
    def procore_records(self, kind: str) -> list[dict]:
        return [self.procore.store.render(kind, r) for r in self.procore.store.records[kind].values()]

    def procore_writes(self) -> int:
        return sum(1 for method, _ in self.procore.calls if method in ("POST", "PATCH", "PUT", "DELETE"))

    def later(self, minutes: int = 30):
        self.sandboxes.clock.advance(minutes * 60)


@pytest.fixture
def world(link, sandboxes):
    link.payment_cutoff = date(2026, 1, 1)
    link.save()
    return World(link, sandboxes)


__all__ = ["World", "OwnerInvoiceFactory", "PrimeContractFactory"]
