"""factory-boy factories. By default a record's dependencies are already in Xero, so the record itself
passes its export rules; tests switch single facts off to see a rule fail."""

import datetime
import uuid
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from integration import models as m
from integration.models import ErpStatus


def xero_guid():
    return str(uuid.uuid4())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pw")
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CompanyLink

    name = factory.Sequence(lambda n: f"Builder {n}")
    procore_company_id = factory.Sequence(lambda n: 5000 + n)
    procore_company_name = factory.LazyAttribute(lambda o: o.name)
    xero_tenant_id = factory.LazyFunction(xero_guid)
    retainage_account_code = "815"
    retainage_receivable_account_code = "615"
    xero_tenant_name = factory.LazyAttribute(lambda o: f"{o.name} Ltd")
    payment_cutoff = datetime.date(2026, 1, 1)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Project

    link = factory.SubFactory(LinkFactory)
    procore_id = factory.Sequence(lambda n: 100000 + n)
    name = factory.Sequence(lambda n: f"Riverside Tower {n}")
    project_number = factory.Sequence(lambda n: f"J-{1000 + n}")
    stage_name = "Send to Xero"
    cost_code_count = 3
    xero_id = factory.LazyFunction(xero_guid)
    erp_status = ErpStatus.SYNCED


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Vendor

    link = factory.SubFactory(LinkFactory)
    procore_id = factory.Sequence(lambda n: 200000 + n)
    name = factory.Sequence(lambda n: f"Acme Concrete {n}")
    address = "12 Quay Street"
    city = "Auckland"
    state_code = "AKL"
    zip = "1010"
    business_phone = "+64 9 555 0100"
    xero_id = factory.LazyFunction(xero_guid)
    erp_status = ErpStatus.SYNCED


class CostTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CostType

    link = factory.SubFactory(LinkFactory)
    procore_id = factory.Sequence(lambda n: 300000 + n)
    code = factory.Sequence(lambda n: f"T{n}")
    name = "Labor"


class CostCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CostCode

    link = factory.SubFactory(LinkFactory)
    procore_id = factory.Sequence(lambda n: 400000 + n)
    code = factory.Sequence(lambda n: f"03-{100 + n}")
    name = "Concrete"


class CostItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CostItem

    link = factory.SubFactory(LinkFactory)
    cost_code = factory.SubFactory(CostCodeFactory, link=factory.SelfAttribute("..link"))
    cost_type = factory.SubFactory(CostTypeFactory, link=factory.SelfAttribute("..link"))
    item_code = factory.LazyAttribute(lambda o: m.CostItem.code_for(o.cost_code.code, o.cost_type.code))
    description = factory.LazyAttribute(lambda o: f"{o.cost_code.name} - {o.cost_type.name}")
    xero_id = factory.LazyFunction(xero_guid)
    erp_status = ErpStatus.SYNCED


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Commitment
        skip_postgeneration_save = True

    link = factory.SubFactory(LinkFactory)
    project = factory.SubFactory(ProjectFactory, link=factory.SelfAttribute("..link"))
    vendor = factory.SubFactory(VendorFactory, link=factory.SelfAttribute("..link"))
    procore_id = factory.Sequence(lambda n: 500000 + n)
    number = factory.Sequence(lambda n: f"SC-{n:03d}")
    title = "Concrete works"
    status = "Approved"
    grand_total = Decimal("10000.00")

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for i in range(count):
            CommitmentLineFactory(commitment=self, position=i + 1)


class CommitmentLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CommitmentLine

    commitment = factory.SubFactory(CommitmentFactory)
    procore_id = factory.Sequence(lambda n: 600000 + n)
    position = 1
    cost_item = factory.SubFactory(CostItemFactory, link=factory.SelfAttribute("..commitment.link"))
    description = "Foundations"
    quantity = Decimal("1")
    unit_cost = Decimal("10000")
    amount = Decimal("10000.00")


class ChangeOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ChangeOrder
        skip_postgeneration_save = True

    link = factory.SubFactory(LinkFactory)
    commitment = factory.SubFactory(CommitmentFactory, link=factory.SelfAttribute("..link"), erp_status=ErpStatus.SYNCED, xero_id=factory.LazyFunction(xero_guid))
    project = factory.SelfAttribute("commitment.project")
    procore_id = factory.Sequence(lambda n: 700000 + n)
    number = factory.Sequence(lambda n: f"{n:03d}")
    title = "Extra slab"
    status = "approved"

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for i in range(count):
            ChangeOrderLineFactory(change_order=self, position=i + 1)


class ChangeOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ChangeOrderLine

    change_order = factory.SubFactory(ChangeOrderFactory)
    procore_id = factory.Sequence(lambda n: 800000 + n)
    cost_item = factory.SubFactory(CostItemFactory, link=factory.SelfAttribute("..change_order.link"))
    description = "Extra slab"
    quantity = Decimal("1")
    unit_cost = Decimal("1500")
    amount = Decimal("1500.00")


class SubcontractorInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SubcontractorInvoice
        skip_postgeneration_save = True

    link = factory.SubFactory(LinkFactory)
    commitment = factory.SubFactory(CommitmentFactory, link=factory.SelfAttribute("..link"), lines=0)
    project = factory.SelfAttribute("commitment.project")
    vendor = factory.SelfAttribute("commitment.vendor")
    procore_id = factory.Sequence(lambda n: 900000 + n)
    number = factory.Sequence(lambda n: str(n))
    invoice_number = factory.Sequence(lambda n: f"INV-{n:04d}")
    status = "approved"
    billing_date = datetime.date(2026, 10, 31)
    period_start = datetime.date(2026, 10, 1)
    period_end = datetime.date(2026, 10, 31)
    payment_date = datetime.date(2026, 11, 30)
    retainage_this_period = Decimal("0")
    total = Decimal("1000.00")
    erp_status = ErpStatus.READY_TO_EXPORT

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for i in range(count):
            InvoiceLineFactory(invoice=self, position=i + 1)


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.InvoiceLine

    invoice = factory.SubFactory(SubcontractorInvoiceFactory)
    procore_id = factory.Sequence(lambda n: 1000000 + n)
    cost_item = factory.SubFactory(CostItemFactory, link=factory.SelfAttribute("..invoice.link"))
    description = "Work completed this period"
    scheduled_value = Decimal("10000.00")
    quantity = Decimal("1")
    unit_price = Decimal("1000")
    amount = Decimal("1000.00")


class PrimeContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.PrimeContract

    link = factory.SubFactory(LinkFactory)
    project = factory.SubFactory(ProjectFactory, link=factory.SelfAttribute("..link"))
    owner = factory.SubFactory(VendorFactory, link=factory.SelfAttribute("..link"), name=factory.Sequence(lambda n: f"Harbour Property Trust {n}"))
    procore_id = factory.Sequence(lambda n: 1100000 + n)
    number = factory.Sequence(lambda n: f"PC-{n:02d}")
    title = "Main contract"
    status = "Approved"


class OwnerInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.OwnerInvoice
        skip_postgeneration_save = True

    link = factory.SubFactory(LinkFactory)
    prime_contract = factory.SubFactory(PrimeContractFactory, link=factory.SelfAttribute("..link"))
    project = factory.SelfAttribute("prime_contract.project")
    procore_id = factory.Sequence(lambda n: 1200000 + n)
    number = factory.Sequence(lambda n: str(n))
    invoice_number = factory.Sequence(lambda n: f"PA-{n:03d}")
    status = "approved"
    billing_date = datetime.date(2026, 10, 31)
    period_start = datetime.date(2026, 10, 1)
    period_end = datetime.date(2026, 10, 31)
    due_date = datetime.date(2026, 11, 20)
    total = Decimal("25000.00")
    erp_status = ErpStatus.READY_TO_EXPORT

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for i in range(count):
            OwnerInvoiceLineFactory(invoice=self, position=i + 1)


class OwnerInvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.OwnerInvoiceLine

    invoice = factory.SubFactory(OwnerInvoiceFactory)
    procore_id = factory.Sequence(lambda n: 1300000 + n)
    cost_item = factory.SubFactory(CostItemFactory, link=factory.SelfAttribute("..invoice.link"))
    description = "Progress claim"
    quantity = Decimal("1")
    unit_price = Decimal("25000")
    amount = Decimal("25000.00")
