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
        PURCHASE_ORDERS = "PurchaseOrders", "Purchase order"
        CONTACTS = "Contacts", "Contact"
        ITEMS = "Items", "Item"
        TRACKING_OPTIONS = "TrackingOptions", "Tracking option"
        PAYMENTS = "Payments", "Payment"

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=20, choices=Resource.choices)
    xero_id = models.CharField(max_length=36)
    doc_type = models.CharField(max_length=20, blank=True, help_text="ACCPAY, ACCREC, or the payment's type.")
    number = models.CharField(max_length=255, blank=True)
    contact_id = models.CharField(max_length=36, blank=True)
    status = models.CharField(max_length=20, blank=True)
    date = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_paid = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, blank=True)
    parent_id = models.CharField(max_length=36, blank=True, help_text="A payment's invoice.")
    project = models.ForeignKey("integration.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey("integration.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    xero_updated_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
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
