"""What Xero holds, as the last reconcile read it (DRIFT-1, DRIFT-4, RPT-3).

A ``XeroDocument`` is one bill, sales invoice, purchase order, contact, Item, tracking option or payment of a
link's organisation, as Xero answered the reconcile's read, whether a record of the connector is linked
to it or not (documents entered only in Xero are kept too when they are tracked to a project of the link).
Its lines carry the project and cost code they are tracked to, resolved when read, so the reconciliation
report sums them in SQL.
"""

from decimal import Decimal

from django.db import models


class XeroDocument(models.Model):
    class Resource(models.TextChoices):
        INVOICES = "Invoices", "Bill or sales invoice"
        CREDIT_NOTES = "CreditNotes", "Credit note"
        PURCHASE_ORDERS = "PurchaseOrders", "Purchase order"
        CONTACTS = "Contacts", "Contact"
        ITEMS = "Items", "Item"
        TRACKING_OPTIONS = "TrackingOptions", "Tracking option"
        PAYMENTS = "Payments", "Payment"

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=20, choices=Resource.choices)
    xero_id = models.CharField("Xero ID", max_length=36)
    doc_type = models.CharField(max_length=20, blank=True, help_text="ACCPAY, ACCREC, or the payment's type.")
    number = models.CharField(max_length=255, blank=True)
    contact_id = models.CharField("contact ID", max_length=36, blank=True)
    status = models.CharField(max_length=20, blank=True)
    date = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_paid = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # What the reconciliation sets against Procore's figure: a document's lines summed (before tax when
    # amounts are exclusive), a payment's amount in Procore's terms (BOOK-3).
    net_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"),
                                     help_text="The lines summed; for a payment, the amount Procore shows.")
    currency = models.CharField(max_length=3, blank=True)
    parent_id = models.CharField("parent ID", max_length=36, blank=True, help_text="A payment's invoice.")
    project = models.ForeignKey("integration.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey("integration.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    xero_updated_at = models.DateTimeField("updated in Xero at", null=True, blank=True)
    read_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "Xero document"
        constraints = [models.UniqueConstraint(fields=["link", "resource", "xero_id"], name="uniq_xero_document")]
        indexes = [
            models.Index(fields=["link", "resource", "project"], name="xerodoc_project"),
            models.Index(fields=["link", "resource", "parent_id"], name="xerodoc_parent"),
        ]

    def __str__(self):
        return f"{self.get_resource_display()} {self.number or self.xero_id} ({self.status.lower()})"


class XeroDocumentLine(models.Model):
    document = models.ForeignKey(XeroDocument, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    project = models.ForeignKey("integration.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cost_code = models.ForeignKey("integration.CostCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item_code = models.CharField(max_length=100, blank=True)
    account_code = models.CharField(max_length=10, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["document", "position"]
        indexes = [models.Index(fields=["project", "cost_code"], name="xerodocline_project_code")]

    def __str__(self):
        return f"{self.document} line {self.position}"


class ReconciliationRow(models.Model):
    """One row of the reconciliation's figures (RPT-3), as the link's last reconcile left them: Procore's and
    Xero's sums per project, vendor and cost code at the time Xero was read, kept so that a page of the
    report reads a few indexed rows whatever the number of invoices (PERF-8)."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="The report's order: project, vendor, cost code.")
    project = models.ForeignKey("integration.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey("integration.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cost_code = models.ForeignKey("integration.CostCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    procore_committed = models.DecimalField("Procore committed", max_digits=18, decimal_places=2, default=Decimal("0"))
    procore_invoiced = models.DecimalField("Procore invoiced", max_digits=18, decimal_places=2, default=Decimal("0"))
    procore_paid = models.DecimalField("Procore paid", max_digits=18, decimal_places=2, default=Decimal("0"))
    xero_ordered = models.DecimalField("Xero ordered", max_digits=18, decimal_places=2, default=Decimal("0"))
    xero_billed = models.DecimalField("Xero billed", max_digits=18, decimal_places=2, default=Decimal("0"))
    xero_paid = models.DecimalField("Xero paid", max_digits=18, decimal_places=2, default=Decimal("0"))
    has_difference = models.BooleanField(default=False)

    class Meta:
        ordering = ["link", "position"]
        indexes = [
            models.Index(fields=["link", "position"], name="reconrow_order"),
            models.Index(fields=["link", "project", "position"], name="reconrow_project"),
            models.Index(fields=["link", "vendor", "position"], name="reconrow_vendor"),
            models.Index(fields=["link", "has_difference", "position"], name="reconrow_difference"),
        ]

    def __str__(self):
        return f"Reconciliation row {self.position}"


class ReconciliationDifference(models.Model):
    """One difference the link's last reconcile found between a Procore record and what Xero holds (RPT-3,
    DRIFT-4): its kind (integration/reconciliation.py KINDS), the record and the Xero document behind it."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="The report's order: kind, project, vendor.")
    kind = models.PositiveSmallIntegerField()
    record_model = models.CharField(max_length=30, blank=True)
    record_pk = models.BigIntegerField(null=True, blank=True)
    document = models.ForeignKey(XeroDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey("integration.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey("integration.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    procore_amount = models.DecimalField("Procore amount", max_digits=18, decimal_places=2, null=True, blank=True)
    xero_amount = models.DecimalField("Xero amount", max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["link", "position"]
        indexes = [
            models.Index(fields=["link", "position"], name="recondiff_order"),
            models.Index(fields=["link", "kind", "position"], name="recondiff_kind"),
            models.Index(fields=["link", "project", "position"], name="recondiff_project"),
            models.Index(fields=["link", "vendor", "position"], name="recondiff_vendor"),
        ]

    def __str__(self):
        return f"Reconciliation difference {self.position}"
