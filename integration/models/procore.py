"""Mirrors of the Procore records the connector moves, with the fields the mapping tables need
(../shared/seeds/003_*.txt). Every record keeps its Procore id, its Xero id once linked, and the
timestamps the incremental syncs need."""

from decimal import Decimal

from django.db import models

from .erp import ErpRecord, ErpStatus

ZERO = Decimal("0")


def money(**kwargs):
    return models.DecimalField(max_digits=16, decimal_places=2, default=ZERO, **kwargs)


def quantity(**kwargs):
    return models.DecimalField(max_digits=16, decimal_places=4, default=ZERO, **kwargs)


def erp_indexes(prefix: str):
    return [
        models.Index(fields=["link", "erp_status"], name=f"{prefix}_link_status"),
        models.Index(fields=["erp_status", "erp_status_changed_at"], name=f"{prefix}_status_age"),
    ]


def unique_procore_id(prefix: str):
    return models.UniqueConstraint(
        fields=["link", "procore_id"], name=f"uniq_{prefix}_procore_id", condition=models.Q(procore_id__isnull=False)
    )


class Project(ErpRecord):
    """A Procore project ⇄ an option of the Xero `Project` tracking category (PRJ-1..4)."""

    name = models.CharField(max_length=255)
    project_number = models.CharField("job number", max_length=100, blank=True)
    active = models.BooleanField(default=True)
    stage_name = models.CharField(max_length=100, blank=True)
    uses_standard_cost_code_list = models.BooleanField(default=True)
    cost_code_count = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField(max_length=10, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    xero_option_name = models.CharField("Xero option name", max_length=100, blank=True)
    xero_option_status = models.CharField("Xero option status", max_length=10, blank=True)  # ACTIVE / ARCHIVED

    erp_type_label = "project"

    class Meta:
        ordering = ["project_number", "name"]
        constraints = [unique_procore_id("project")]
        indexes = erp_indexes("project")

    def __str__(self):
        return f"{self.project_number} {self.name}".strip()


class Vendor(ErpRecord):
    """A Procore directory company ⇄ a Xero contact (CO-1..3)."""

    name = models.CharField(max_length=255)
    abbreviated_name = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField(max_length=10, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    business_phone = models.CharField(max_length=50, blank=True)
    fax_number = models.CharField(max_length=50, blank=True)
    email_address = models.CharField(max_length=255, blank=True)
    tax_number = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    archived_in_erp = models.BooleanField("archived in ERP", default=False)

    erp_type_label = "company"

    class Meta:
        ordering = ["name"]
        constraints = [unique_procore_id("vendor")]
        indexes = erp_indexes("vendor")

    def __str__(self):
        return self.name


class CostType(models.Model):
    """A Procore line item type (cost type): labour, material, subcontract..."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="cost_types")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    base_type = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)
    procore_updated_at = models.DateTimeField("updated in Procore at", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["link", "code"], name="uniq_cost_type_code"),
            unique_procore_id("cost_type"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CostCode(models.Model):
    """A code of the link's one company-wide standard cost code list (WBS-1)."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="cost_codes")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    code = models.CharField(max_length=100)
    name = models.CharField("description", max_length=255)
    active = models.BooleanField(default=True)
    default_cost_types = models.ManyToManyField(CostType, blank=True, related_name="default_for")
    procore_updated_at = models.DateTimeField("updated in Procore at", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["link", "code"], name="uniq_cost_code"),
            unique_procore_id("cost_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CostItem(ErpRecord):
    """A cost code + cost type pair: one Xero Item (WBS-1, WBS-3) or one tracking option (WBS-6)."""

    cost_code = models.ForeignKey(CostCode, on_delete=models.CASCADE, related_name="items")
    cost_type = models.ForeignKey(CostType, on_delete=models.CASCADE, related_name="items")
    item_code = models.CharField(max_length=100, help_text="Cost code + cost type; Xero allows 30 characters.")
    description = models.CharField(max_length=255, help_text="The Xero Item name; Xero allows 50 characters.")

    erp_type_label = "cost item"

    class Meta:
        ordering = ["item_code"]
        constraints = [
            models.UniqueConstraint(fields=["cost_code", "cost_type"], name="uniq_cost_item_pair"),
            models.UniqueConstraint(fields=["link", "item_code"], name="uniq_cost_item_code"),
        ]
        indexes = erp_indexes("costitem")

    def __str__(self):
        return f"{self.item_code} {self.description}"

    @staticmethod
    def code_for(cost_code: str, cost_type: str) -> str:
        """The Xero Item code of a pair: cost code, a dot, cost type (the dot keeps "1-10"+"0L" apart
        from "1-100"+"L")."""
        return f"{cost_code}.{cost_type}"


class Commitment(ErpRecord):
    """A subcontract (work order contract) or purchase order contract ⇄ a Xero purchase order (CMT-1)."""

    class Kind(models.TextChoices):
        SUBCONTRACT = "subcontract", "Subcontract"
        PURCHASE_ORDER = "purchase_order", "Purchase order"

    class AccountingMethod(models.TextChoices):
        AMOUNT = "amount", "Amount based"
        UNIT = "unit", "Unit/quantity based"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="commitments")
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SUBCONTRACT)
    number = models.CharField(max_length=300)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=40, help_text="Procore status: Draft, Approved, Void...")
    accounting_method = models.CharField(max_length=10, choices=AccountingMethod.choices, default="amount")
    description = models.TextField(blank=True)
    ship_via = models.CharField(max_length=255, blank=True)
    delivery_date = models.DateField(null=True, blank=True)
    procore_created_at = models.DateTimeField("created in Procore at", null=True, blank=True)
    retainage_percent = models.DecimalField(max_digits=7, decimal_places=4, default=ZERO)
    currency = models.CharField(
        max_length=3, blank=True,
        help_text="Procore's currency_configuration.currency_iso_code: the document's CurrencyCode in Xero.")
    grand_total = money()

    erp_type_label = "commitment"

    class Meta:
        ordering = ["project", "number"]
        constraints = [unique_procore_id("commitment")]
        indexes = erp_indexes("commitment")

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class CommitmentLine(models.Model):
    """A schedule-of-values line of a commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="lines")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    cost_item = models.ForeignKey(CostItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=1000, blank=True)
    quantity = quantity()
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4, default=ZERO)
    amount = money()
    uom = models.CharField(max_length=20, blank=True)
    # Procore's tax_code_id of the line (BOOK-3): its TaxType in Xero through the link's tax code table.
    procore_tax_code_id = models.BigIntegerField("Procore tax code ID", null=True, blank=True)
    xero_line_item_id = models.CharField("Xero line item ID", max_length=36, blank=True)

    class Meta:
        ordering = ["commitment", "position", "id"]

    def __str__(self):
        return f"{self.commitment.number} #{self.position} {self.description}"


class ChangeOrder(ErpRecord):
    """A commitment change order: its lines are appended to the commitment's purchase order (CCO-1)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="change_orders")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="change_orders")
    number = models.CharField(max_length=300)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    procore_created_at = models.DateTimeField("created in Procore at", null=True, blank=True)
    grand_total = money()

    erp_type_label = "change order"

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [unique_procore_id("change_order")]
        indexes = erp_indexes("changeorder")

    def __str__(self):
        return f"{self.commitment.number} CO {self.number}"


class ChangeOrderLine(models.Model):
    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    commitment_line = models.ForeignKey(
        CommitmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    cost_item = models.ForeignKey(CostItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=1000, blank=True)
    quantity = quantity()
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4, default=ZERO)
    amount = money()

    class Meta:
        ordering = ["change_order", "position", "id"]

    def __str__(self):
        return f"{self.change_order} line {self.position}"


class SubcontractorInvoice(ErpRecord):
    """A Procore requisition ⇄ a Xero bill (ACCPAY) (INV-1..4)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="subcontractor_invoices")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=50, blank=True, help_text="Procore's sequential number.")
    invoice_number = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=40)
    billing_date = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # Procore's payment date (v1.1 requisition ``payment_date``): the bill's due date (seed 003, INV-2).
    payment_date = models.DateField(null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True,
        help_text="Procore's currency_configuration.currency_iso_code: the document's CurrencyCode in Xero.")
    retainage_this_period = money()
    retainage_released = money(help_text="Retainage withheld on earlier invoices and released by this one.")
    total = money(help_text="The lines this period less retainage withheld plus retainage released: what the bill will total.")
    # CRED-1: a negative total exports as a credit note; its CreditNoteID is then the record's xero_id.
    xero_credit_note = models.BooleanField(
        "Xero credit note", default=False,
        help_text="Its Xero document is a credit note (the invoice's total is negative), not a bill or sales invoice.")
    credit_allocation = models.TextField(
        blank=True, help_text="What became of the credit note's credit: allocated to an open bill, or left open.")

    erp_type_label = "subcontractor invoice"

    class Meta:
        ordering = ["-billing_date", "invoice_number"]
        constraints = [unique_procore_id("sub_invoice")]
        indexes = erp_indexes("subinvoice") + [
            models.Index(fields=["link", "project", "erp_status"], name="subinvoice_project_status"),
            models.Index(fields=["link", "vendor", "erp_status"], name="subinvoice_vendor_status"),
            # The queue's default order (PERF-3): a page of the newest invoices without sorting them all.
            models.Index(fields=["-billing_date", "invoice_number", "-id"], name="subinvoice_queue_order"),
        ]

    def __str__(self):
        return f"{self.invoice_number or self.number} ({self.vendor or 'no vendor'})"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(SubcontractorInvoice, on_delete=models.CASCADE, related_name="lines")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    item_type = models.CharField(max_length=40, blank=True)
    commitment_line = models.ForeignKey(
        CommitmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost_item = models.ForeignKey(CostItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=1000, blank=True)
    scheduled_value = money()
    quantity = quantity(help_text="Quantity invoiced this period (unit/quantity commitments).")
    unit_price = models.DecimalField(max_digits=16, decimal_places=4, default=ZERO)
    amount = money(help_text="Work completed this period plus the materials newly stored this period.")
    retainage_this_period = money()
    retainage_released = money()
    # Procore's balance of retainage held on this line's stored materials (cumulative,
    # materials_stored_retainage_currently_retained): the next invoice's figure for the period is the
    # difference from it (RET-1).
    materials_retainage_held = money()

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self):
        return f"{self.invoice} line {self.position}"


class PrimeContract(models.Model):
    """The owner contract of a project; its payment applications are owner invoices (INV-5)."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="prime_contracts")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    number = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=40, blank=True)
    owner = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    procore_updated_at = models.DateTimeField("updated in Procore at", null=True, blank=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [unique_procore_id("prime_contract")]

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class OwnerInvoice(ErpRecord):
    """A payment application (progress claim) on a prime contract ⇄ a Xero sales invoice (ACCREC)."""

    prime_contract = models.ForeignKey(PrimeContract, on_delete=models.PROTECT, related_name="invoices")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="owner_invoices")
    number = models.CharField(max_length=50, blank=True)
    invoice_number = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=40)
    billing_date = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True,
        help_text="Procore's currency_configuration.currency_iso_code: the document's CurrencyCode in Xero.")
    retainage_this_period = money()
    retainage_released = money(help_text="Retainage withheld on earlier claims and released by this one.")
    total = money()
    # CRED-1: a negative total exports as a credit note; its CreditNoteID is then the record's xero_id.
    xero_credit_note = models.BooleanField(
        "Xero credit note", default=False,
        help_text="Its Xero document is a credit note (the invoice's total is negative), not a bill or sales invoice.")
    credit_allocation = models.TextField(
        blank=True, help_text="What became of the credit note's credit: allocated to an open bill, or left open.")

    erp_type_label = "owner invoice"

    class Meta:
        ordering = ["-billing_date", "invoice_number"]
        constraints = [unique_procore_id("owner_invoice")]
        indexes = erp_indexes("ownerinvoice")

    def __str__(self):
        return f"{self.invoice_number or self.number} ({self.prime_contract})"


class OwnerInvoiceLine(models.Model):
    invoice = models.ForeignKey(OwnerInvoice, on_delete=models.CASCADE, related_name="lines")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    cost_item = models.ForeignKey(CostItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=1000, blank=True)
    quantity = quantity()
    unit_price = models.DecimalField(max_digits=16, decimal_places=4, default=ZERO)
    amount = money(help_text="Work completed this period plus the materials newly stored this period.")
    # Procore's materials presently stored on this line (a balance, AIA G703 column F): the next claim's
    # materials for the period are the difference from it (RET-1).
    materials_stored = money()
    # The tax code of the prime contract line it bills (BOOK-3): its TaxType by the link's tax code table.
    procore_tax_code_id = models.BigIntegerField("Procore tax code ID", null=True, blank=True)

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self):
        return f"{self.invoice} line {self.position}"


class Payment(models.Model):
    """A Xero payment imported into Procore: issued on a commitment (PAY-1..5) or received on a
    prime contract (PAY-6). Read-only except payment number and attachments (PAY-4)."""

    class Direction(models.TextChoices):
        ISSUED = "issued", "Payment issued (bill)"
        RECEIVED = "received", "Payment received (owner invoice)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be written to Procore"
        SYNCED = "synced", "In Procore"
        VOIDED = "voided", "Voided (deleted in Xero)"
        FAILED = "failed", "Failed"

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="payments")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.ISSUED)
    xero_payment_id = models.CharField("Xero payment ID", max_length=36)
    xero_batch_payment_id = models.CharField("Xero batch payment ID", max_length=36, blank=True)
    xero_updated_at = models.DateTimeField("updated in Xero at", null=True, blank=True)
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    prime_contract = models.ForeignKey(
        PrimeContract, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    subcontractor_invoice = models.ForeignKey(
        SubcontractorInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    owner_invoice = models.ForeignKey(
        OwnerInvoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount = money()
    date = models.DateField()
    reference = models.CharField(max_length=255, blank=True)
    payment_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    deleted_in_xero_at = models.DateTimeField("deleted in Xero at", null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="An admin resolved the deleted payment.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["link", "xero_payment_id"], name="uniq_payment_xero_id")]
        indexes = [models.Index(fields=["link", "status"], name="payment_link_status")]

    def __str__(self):
        return f"{self.amount} on {self.date} ({self.reference or self.xero_payment_id})"


class PaymentAttachment(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="payment_attachments/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.file.name


class DirectCost(models.Model):
    """A Xero cost document (or its part for one project) imported as a Procore direct cost (JC-1..3)."""

    class Type(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        SUBCONTRACTOR_INVOICE = "subcontractor_invoice", "Subcontractor invoice"
        EXPENSE = "expense", "Expense"

    class Source(models.TextChoices):
        BILL = "ACCPAY", "Bill"
        SPEND = "SPEND", "Spend money"
        CREDIT_NOTE = "ACCPAYCREDIT", "Supplier credit note"
        MANUAL_JOURNAL = "MANUALJOURNAL", "Manual journal"

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="direct_costs")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="direct_costs")
    xero_document_id = models.CharField("Xero document ID", max_length=36)
    xero_document_type = models.CharField("Xero document type", max_length=15, choices=Source.choices)
    xero_updated_at = models.DateTimeField("updated in Xero at", null=True, blank=True)
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)
    direct_cost_type = models.CharField(max_length=25, choices=Type.choices)
    date = models.DateField()
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor_name = models.CharField(max_length=255, blank=True)
    invoice_number = models.CharField(max_length=255, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    received_date = models.DateField(null=True, blank=True)
    amount = money()
    from_procore = models.BooleanField("from Procore", default=False, help_text="The bill was exported from Procore.")
    locked = models.BooleanField(default=True, help_text="Imported direct costs are locked against edits in Procore.")
    removed = models.BooleanField(default=False, help_text="Voided or deleted in Xero; removed from Procore.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "xero_document_id", "project"], name="uniq_direct_cost_doc_project")
        ]
        indexes = [models.Index(fields=["link", "project", "removed"], name="directcost_project")]

    def __str__(self):
        return f"{self.get_direct_cost_type_display()} {self.invoice_number or self.description} {self.amount}"


class DirectCostLine(models.Model):
    direct_cost = models.ForeignKey(DirectCost, on_delete=models.CASCADE, related_name="lines")
    cost_item = models.ForeignKey(CostItem, on_delete=models.PROTECT, related_name="+")
    xero_line_item_id = models.CharField("Xero line item ID", max_length=36, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    quantity = quantity()
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4, default=ZERO)
    amount = money()

    class Meta:
        ordering = ["direct_cost", "id"]

    def __str__(self):
        return f"{self.cost_item_id}: {self.amount}"


class JobCostSummary(models.Model):
    """Per project and cost item (JC-4): job-to-date cost = bills + spend money; commitment invoiced =
    bills exported from Procore; direct costs = job-to-date cost − commitment invoiced."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="job_costs")
    cost_item = models.ForeignKey(CostItem, on_delete=models.CASCADE, related_name="job_costs")
    job_to_date_cost = money()
    commitment_invoiced = money()
    direct_costs = money()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "cost_item"]
        constraints = [models.UniqueConstraint(fields=["project", "cost_item"], name="uniq_job_cost_summary")]
        verbose_name_plural = "job cost summaries"

    def __str__(self):
        return f"{self.project} · {self.cost_item}"


EXPORTABLE_MODELS = (Project, Vendor, CostItem, Commitment, ChangeOrder, SubcontractorInvoice, OwnerInvoice)
__all__ = ["ErpStatus", "EXPORTABLE_MODELS"]
