"""Cost codes and cost types in the admin: CSV import with a preview, CSV export (WBS-4), and the
"Assign default cost types" action (WBS-5). Every view calls `integration.services.cost_codes`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect

from integration.models import CompanyLink, CostType
from integration.services import cost_codes as svc


class UploadForm(forms.Form):
    link = forms.ModelChoiceField(CompanyLink.objects.all(), empty_label=None)
    file = forms.FileField(required=False, help_text="A CSV file in UTF-8.")
    # After the preview, the same file comes back as text for the confirmation.
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    filename = forms.CharField(required=False, widget=forms.HiddenInput)


class CsvUploadLimit(FileUploadHandler):
    """Counts each uploaded file's bytes as they stream in and drops the file once it passes
    CSV_IMPORT_MAX_BYTES, so an oversized upload is never held whole, in memory or on disk; the view
    then says which file and the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = svc.max_file_bytes()
        self.too_big: str | None = None
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = self.file_name
            raise SkipFile()  # Django reads the rest of this file off the wire and discards it
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


class ExportForm(forms.Form):
    link = forms.ModelChoiceField(CompanyLink.objects.all(), empty_label=None)


class CsvImportExportMixin:
    """Adds import-csv/ and export-csv/ to a changelist, with a preview before anything is saved."""

    csv_kind = ""  # "cost codes" / "cost types"
    csv_columns = ""  # shown on the upload page
    csv_preview = staticmethod(lambda **kw: None)
    csv_import = staticmethod(lambda **kw: None)
    csv_export = staticmethod(lambda **kw: "")
    change_list_template = "admin/integration/csv_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import-csv/", self.admin_site.admin_view(self.import_csv_entry()), name=f"{info[0]}_{info[1]}_import_csv"),
            path("export-csv/", self.admin_site.admin_view(self.export_csv_view), name=f"{info[0]}_{info[1]}_export_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "csv_kind": self.csv_kind,
                         "can_import_csv": self.has_change_permission(request),
                         "import_csv_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_csv"),
                         "export_csv_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_export_csv")}
        return super().changelist_view(request, extra_context)

    def import_csv_entry(self):
        """The import view with the size limit counted while the upload streams in. Upload handlers
        must be in place before anything reads the body, and the CSRF check reads it, so the check
        runs here, after them, instead of in the middleware."""
        protected = csrf_protect(self.import_csv_view)

        def import_csv(request):
            request.upload_handlers.insert(0, CsvUploadLimit(request))
            return protected(request)

        import_csv.csrf_exempt = True  # checked by csrf_protect above, once the handlers are set
        return import_csv

    def import_csv_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied(f"Importing {self.csv_kind} needs the permission to change them.")
        form = UploadForm(request.POST or None, request.FILES or None)
        report, content, filename = None, "", ""
        limit = next((h for h in getattr(request, "upload_handlers", []) if isinstance(h, CsvUploadLimit)), None)
        if limit is not None and limit.too_big:
            messages.error(request, f"Nothing was imported: {limit.too_big} is larger than {limit.limit:,} bytes "
                                    f"({limit.limit / 1024 / 1024:g} MB), the most a CSV import accepts.")
        elif request.method == "POST" and form.is_valid():
            link = form.cleaned_data["link"]
            upload = form.cleaned_data["file"]
            if upload is not None:
                content, filename = upload.read(), upload.name
            else:
                content, filename = form.cleaned_data["content"], form.cleaned_data["filename"]
            if not content:
                messages.error(request, "Choose a CSV file.")
            else:
                try:
                    if "_confirm" in request.POST:
                        report = self.csv_import(link=link, data=content, actor=request.user, filename=filename)
                        if report.imported:
                            messages.success(request, f"{link}: {report.summary()}")
                            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
                    else:
                        report = self.csv_preview(link=link, data=content)
                except svc.ImportRefused as exc:
                    messages.error(request, f"Nothing was imported: {exc}")
                    report = None
                if report is not None and not report.ok:
                    messages.error(request, report.summary())
                if isinstance(content, bytes):
                    content = content.decode("utf-8-sig", errors="replace")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {self.csv_kind} from CSV",
            "opts": self.opts,
            "form": form,
            "report": report,
            "content": content,
            "filename": filename,
            "columns": self.csv_columns,
            "csv_kind": self.csv_kind,
        }
        return TemplateResponse(request, "admin/integration/csv_import.html", context)

    def export_csv_view(self, request):
        # ERP admins', as the README's role table says: the whole list of a link, not a page of it.
        if not self.has_change_permission(request):
            raise PermissionDenied(f"Exporting {self.csv_kind} needs the permission to change them.")
        form = ExportForm(request.GET or None)
        if not form.is_valid():
            first = CompanyLink.objects.order_by("name").first()
            if first is None or request.GET:
                messages.error(request, "Choose a valid link to export.")
                return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
            link = first
        else:
            link = form.cleaned_data["link"]
        response = HttpResponse(self.csv_export(link=link), content_type="text/csv; charset=utf-8")
        slug = self.csv_kind.replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="{slug}-link{link.pk}-{timezone.localdate():%Y-%m-%d}.csv"'
        return response


class AssignTypesForm(forms.Form):
    cost_types = forms.ModelMultipleChoiceField(CostType.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)
    replace = forms.BooleanField(required=False, label="Replace their default cost types (otherwise add to them)")


@admin.action(description="Assign default cost types", permissions=["change"])
def assign_default_cost_types(modeladmin, request, queryset):
    """WBS-5: choose cost types; the selected cost codes get them, and the new pairs become cost items."""
    link_ids = set(queryset.values_list("link_id", flat=True))
    if len(link_ids) != 1:
        modeladmin.message_user(request, "Select cost codes of one link at a time.", messages.ERROR)
        return None
    link_id = link_ids.pop()
    form = AssignTypesForm(request.POST if "confirm_assign" in request.POST else None)
    form.fields["cost_types"].queryset = CostType.objects.filter(link_id=link_id, active=True)
    if form.is_bound and form.is_valid():
        try:
            result = svc.cost_codes_assign_types(cost_codes=queryset, cost_types=form.cleaned_data["cost_types"],
                                                 actor=request.user, replace=form.cleaned_data["replace"])
        except (ValueError, PermissionDenied) as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            created = f"; new cost items: {', '.join(result.items_created)}" if result.items_created else "; no new cost item"
            modeladmin.message_user(request, f"Default cost types assigned to {len(result.cost_codes)} cost codes{created}.", messages.SUCCESS)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Assign default cost types to {queryset.count()} cost codes",
        "opts": modeladmin.opts,
        "queryset": queryset,
        "form": form,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/integration/assign_cost_types.html", context)
