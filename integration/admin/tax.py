"""The link's tax code table (BOOK-3): Procore's tax codes as the pull read them, and the Xero TaxType
each maps to, checked against the organisation's tax rates in Xero when saved."""

from django.contrib import admin

from integration import models as m

from .base import ReadOnlyAdmin
from .isolation import LinkScopedAdminMixin, LinkScopedForm


class TaxCodeMappingForm(LinkScopedForm):
    """The link-checking form (SEC-3), and the TaxType must be one of Xero's tax rates (GET /TaxRates)."""

    class Meta:
        model = m.TaxCodeMapping
        fields = ["link", "tax_code", "xero_tax_type", "xero_sales_tax_type"]

    def clean(self):
        from integration.services.xero_checks import tax_type_problem

        data = super().clean()
        link = data.get("link") or getattr(self.instance, "link", None)
        for name, sales in (("xero_tax_type", False), ("xero_sales_tax_type", True)):
            tax_type = (data.get(name) or "").strip().upper()
            data[name] = tax_type
            if tax_type and link is not None and not self.errors and (name in self.changed_data or "link" in self.changed_data):
                problem = tax_type_problem(link, tax_type, sales=sales)
                if problem:
                    self.add_error(name, problem)
        return data


@admin.register(m.TaxCodeMapping)
class TaxCodeMappingAdmin(LinkScopedAdminMixin, admin.ModelAdmin):
    form = TaxCodeMappingForm
    list_display = ("link", "tax_code", "xero_tax_type", "xero_sales_tax_type")
    list_select_related = ("link", "tax_code")
    raw_id_fields = ("tax_code",)


@admin.register(m.TaxCode)
class TaxCodeAdmin(ReadOnlyAdmin):
    """Written by the pull only: Procore is where tax codes are set up."""

    list_display = ("code", "description", "rate", "archived", "link")
    list_filter = ("link", "archived")
    list_select_related = ("link",)
