"""django-import-export resources of a link's cost codes and cost types (WBS-4).

Both are scoped to one link: lookups, the cost type codes of a cost code row and new rows all stay
inside it. The import itself goes through `integration.services.cost_codes`, which checks every row
first and imports nothing when one is bad; these resources only read and write the rows.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from integration.models import CostCode, CostType

SEPARATOR = ";"


class LinkCostTypesWidget(widgets.ManyToManyWidget):
    """Cost type codes separated by ';' ("L;M;S"), looked up in the link only."""

    def __init__(self, link):
        super().__init__(CostType, separator=SEPARATOR, field="code")
        self.link = link

    def clean(self, value, row=None, **kwargs):
        codes = split_codes(value)
        if not codes:
            return CostType.objects.none()
        return CostType.objects.filter(link=self.link, code__in=codes)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(t.code for t in value.all()))


def split_codes(value) -> list[str]:
    return [c.strip() for c in str(value or "").replace(",", SEPARATOR).split(SEPARATOR) if c.strip()]


class CostCodeResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    description = fields.Field(attribute="name", column_name="description")
    cost_types = fields.Field(attribute="default_cost_types", column_name="cost_types")

    class Meta:
        model = CostCode
        fields = ("code", "description", "cost_types")
        export_order = ("code", "description", "cost_types")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, *, link, **kwargs):
        super().__init__(**kwargs)
        self.link = link
        self.fields["cost_types"].widget = LinkCostTypesWidget(link)

    def get_queryset(self):
        return CostCode.objects.filter(link=self.link).prefetch_related("default_cost_types").order_by("code")

    def before_save_instance(self, instance, row, **kwargs):
        instance.link = self.link


class CostTypeResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    base_type = fields.Field(attribute="base_type", column_name="base_type")
    active = fields.Field(attribute="active", column_name="active", widget=widgets.BooleanWidget())

    class Meta:
        model = CostType
        fields = ("code", "name", "base_type", "active")
        export_order = ("code", "name", "base_type", "active")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, link, **kwargs):
        super().__init__(**kwargs)
        self.link = link

    def get_queryset(self):
        return CostType.objects.filter(link=self.link).order_by("code")

    def before_save_instance(self, instance, row, **kwargs):
        instance.link = self.link
