"""Procore tax codes and the link's table of their Xero TaxTypes (BOOK-3)."""

from django.db import models


class TaxCode(models.Model):
    """A tax code of the link's Procore company, as the pull reads it (``GET /rest/v1.0/tax_codes``);
    a commitment's line names one by its ``tax_code_id``."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="tax_codes")
    procore_id = models.BigIntegerField("Procore ID", )
    code = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True,
                               help_text="Procore's rate for its tax type (rate1), in %.")
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["link", "procore_id"], name="uniq_tax_code_procore_id")]

    def __str__(self):
        return f"{self.code} {self.description}".strip()


class TaxCodeMapping(models.Model):
    """Procore tax code → Xero TaxType, per link (BOOK-3): a line with a mapped tax code goes to Xero
    with that TaxType; a line with none, or an unmapped one, takes its account's default tax. Xero's
    rates apply to purchases or to sales (TaxRate.CanApplyToExpenses / CanApplyToRevenue; New Zealand's
    GST is INPUT2 on purchases and OUTPUT2 on sales), so a Procore tax code used on both commitments and
    prime contracts has a TaxType for each: purchase orders, bills and supplier credit notes take
    `xero_tax_type`, sales invoices and customer credit notes `xero_sales_tax_type`."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="tax_code_mappings")
    tax_code = models.ForeignKey(TaxCode, on_delete=models.CASCADE, related_name="+")
    xero_tax_type = models.CharField(
        "Xero TaxType on purchases", max_length=50,
        help_text="For purchase orders, bills and supplier credit notes: a TaxType of the organisation's tax "
                  "rates in Xero that applies to expenses (e.g. INPUT2, NONE); checked against Xero when saved.")
    xero_sales_tax_type = models.CharField(
        "Xero TaxType on sales", max_length=50, blank=True,
        help_text="For sales invoices and customer credit notes: a TaxType that applies to revenue (e.g. OUTPUT2, "
                  "ZERORATED, NONE); checked against Xero when saved. Blank: sales lines take their account's "
                  "default tax.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "tax_code"], name="uniq_tax_code_mapping")]

    def __str__(self):
        sales = f", sales {self.xero_sales_tax_type}" if self.xero_sales_tax_type else ""
        return f"{self.tax_code} → {self.xero_tax_type}{sales}"

    def save(self, *args, **kwargs):
        # Whatever the path (a form, a script, a fixture), one link's lines never take another
        # link's tax code mapping (SEC-3).
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        from integration.isolation import require_same_link

        if self.link_id and self.tax_code_id:
            require_same_link(self.link_id, tax_code=self.tax_code)
