"""Every admin choice list limited to the link (SEC-3): form dropdowns, raw-id lookups and list filters
offer only the records of the link at hand, and a form relating records of two links is refused with
a message naming them, saving nothing."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget

from integration.isolation import cross_link_errors, is_link_scoped

LINK_FILTER = "link__id__exact"


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LinkRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id lookup popup opened on the link's records only."""

    def __init__(self, *args, link_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_id = link_id

    def url_parameters(self):
        params = super().url_parameters()
        if self.link_id is not None:
            params[LINK_FILTER] = str(self.link_id)
        return params


class LinkScopedForm(forms.ModelForm):
    """A ModelForm of a link's record: the choices of every field pointing at link-scoped records are
    the link's (the instance's, the one posted, or ?link= on an add page); on save, each chosen record
    must be of the form's link, or the form says which is not and nothing is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        link_id = self.form_link_id()
        if link_id is None:
            return
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if name == "link" or queryset is None or not is_link_scoped(queryset.model):
                continue
            shown = queryset.filter(link_id=link_id)
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's RelatedFieldWidgetWrapper
            if isinstance(widget, LinkRawIdWidget):
                widget.link_id = link_id
            elif not self.is_bound:
                field.queryset = shown
            else:
                # Bound: the field still accepts any record, so that clean() can say whose it is rather
                # than Django's "not one of the available choices"; the list shown is the link's.
                limited = field.__class__(queryset=shown, required=False)
                widget.choices = limited.choices

    def form_link_id(self):
        if self.is_bound and "link" in self.fields:
            return _as_int(self.data.get(self.add_prefix("link")))
        if "link" in self.initial:
            initial = self.initial["link"]
            return _as_int(getattr(initial, "pk", initial))
        return getattr(self.instance, "link_id", None)

    def clean(self):
        cleaned = super().clean()
        link = cleaned.get("link") if "link" in self.fields else None
        link_id = link.pk if link is not None else getattr(self.instance, "link_id", None)
        related = {name: value for name, value in cleaned.items() if name != "link"}
        for name, messages in cross_link_errors(link_id, related).items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class LinkScopedAdminMixin:
    """The ModelAdmin side: the LinkScopedForm, raw-id popups on the link, the link fixed once saved."""

    form = LinkScopedForm
    link_fixed_once_saved = False  # a cost code or cost type never moves to another link with its items

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields and is_link_scoped(db_field.related_model):
            kwargs["widget"] = LinkRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and self.link_fixed_once_saved and "link" not in fields:
            fields += ("link",)
        return fields


class LinkScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a link's records (project, vendor, commitment...): with a link chosen it lists
    that link's records only; without, and when they span links, each is labelled with its link, so
    two links' "Main Street" projects are never confused."""

    def field_choices(self, field, request, model_admin):
        link_id = _as_int(request.GET.get(LINK_FILTER))
        related = field.related_model._default_manager.all()
        limit = field.get_limit_choices_to()
        if limit:
            related = related.complex_filter(limit)
        ordering = self.field_admin_ordering(field, request, model_admin) or related.model._meta.ordering or ["pk"]
        if link_id is not None:
            return [(obj.pk, str(obj)) for obj in related.filter(link_id=link_id).order_by(*ordering)]
        rows = list(related.select_related("link").order_by(*ordering))
        if len({obj.link_id for obj in rows}) < 2:
            return [(obj.pk, str(obj)) for obj in rows]
        return [(obj.pk, f"{obj} · {obj.link}") for obj in rows]


def _points_at_link_records(field) -> bool:
    related = getattr(field, "related_model", None)
    return bool(getattr(field, "remote_field", None)) and related is not None and is_link_scoped(related)


# Every admin list filter on a relation to a link's records, whichever admin declares it.
admin.FieldListFilter.register(_points_at_link_records, LinkScopedRelatedFilter, take_priority=True)
