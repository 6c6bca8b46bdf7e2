"""Every model registered: the queues of exportable records, the links, the imports and the logs."""

from django import forms
from django.contrib import admin, messages
from django.utils.text import capfirst

from integration import models as m
from integration.services import cost_codes as cost_codes_service

from .base import ErpRecordAdmin, ReadOnlyAdmin
from .cost_codes import CsvImportExportMixin, assign_default_cost_types
from .credits import CommitmentCreditAdmin  # noqa: F401  (registered)
from .isolation import LinkScopedAdminMixin
from .runs import counts_sentence, run_page, started_by
from .tax import TaxCodeAdmin, TaxCodeMappingAdmin  # noqa: F401  (registered)


class LineInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommitmentLineInline(LineInline):
    model = m.CommitmentLine
    fields = ("position", "cost_item", "description", "quantity", "unit_cost", "amount", "xero_line_item_id")
    readonly_fields = fields


class ChangeOrderLineInline(LineInline):
    model = m.ChangeOrderLine
    fields = ("position", "commitment_line", "cost_item", "description", "quantity", "unit_cost", "amount")
    readonly_fields = fields


class InvoiceLineInline(LineInline):
    model = m.InvoiceLine
    fields = ("position", "cost_item", "description", "quantity", "unit_price", "amount", "retainage_this_period",
              "retainage_released")
    readonly_fields = fields


class OwnerInvoiceLineInline(LineInline):
    model = m.OwnerInvoiceLine
    fields = ("position", "cost_item", "description", "quantity", "unit_price", "amount")
    readonly_fields = fields


class InvoiceFileInline(admin.TabularInline):
    """ATT-1: the invoice's files and what became of each in Xero, with the reason when one is not attached."""

    model = m.InvoiceFile
    fk_name = None
    fields = ("filename", "content_type", "size", "status", "reason", "attached_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "file"
    verbose_name_plural = "Files (attached to the Xero document)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may read the invoice reads its files (the approver sees why one is not attached).
        opts = self.parent_model._meta
        return any(request.user.has_perm(f"{opts.app_label}.{verb}_{opts.model_name}") for verb in ("view", "change"))


class SubcontractorInvoiceFileInline(InvoiceFileInline):
    fk_name = "subcontractor_invoice"


class OwnerInvoiceFileInline(InvoiceFileInline):
    fk_name = "owner_invoice"


class DirectCostLineInline(LineInline):
    model = m.DirectCostLine
    fields = ("cost_item", "description", "quantity", "unit_cost", "amount")
    readonly_fields = fields


@admin.action(description="Refresh cost codes from Procore", permissions=["manage_erp"])
def refresh_cost_codes(modeladmin, request, queryset):
    """PRJ-3: re-read each project's cost codes; those in Xero go to ready_to_update."""
    from django.core.exceptions import PermissionDenied

    from integration.services.projects import project_refresh_cost_codes
    from integration.services.status import TransitionRefused

    for project in queryset:
        try:
            run = project_refresh_cost_codes(project=project, actor=request.user)
        except (TransitionRefused, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{project}: {exc}", messages.ERROR)
            continue
        level = messages.SUCCESS if run.status == "succeeded" else messages.WARNING
        modeladmin.message_user(request, f"{project}: cost codes refreshed ({run.get_status_display().lower()}).", level)


@admin.register(m.Project)
class ProjectAdmin(ErpRecordAdmin):
    actions = [*ErpRecordAdmin.actions, refresh_cost_codes]
    queue_columns = ("project_number", "stage_name", "active")
    list_filter = ["erp_status", "active", *ErpRecordAdmin.list_filter[1:]]
    list_select_related = ("link",)
    search_fields = ("name", "project_number")


@admin.action(description="Archive as ERP companies", permissions=["manage_erp"])
def archive_companies(modeladmin, request, queryset):
    """CO-3: archived companies leave the lists and the suggestions; the archived companies report shows them."""
    from integration.services.imports.contacts import vendor_archive

    for vendor in queryset:
        vendor_archive(vendor=vendor, actor=request.user)
    modeladmin.message_user(request, f"{queryset.count()} archived.")


@admin.action(description="Restore archived ERP companies", permissions=["manage_erp"])
def unarchive_companies(modeladmin, request, queryset):
    from integration.services.imports.contacts import vendor_unarchive

    for vendor in queryset:
        vendor_unarchive(vendor=vendor, actor=request.user)
    modeladmin.message_user(request, f"{queryset.count()} restored.")


@admin.register(m.Vendor)
class VendorAdmin(ErpRecordAdmin):
    actions = [*ErpRecordAdmin.actions, archive_companies, unarchive_companies]
    queue_columns = ("city", "business_phone", "archived_in_erp")
    list_select_related = ("link",)
    search_fields = ("name", "email_address", "tax_number")


@admin.register(m.CostItem)
class CostItemAdmin(ErpRecordAdmin):
    queue_columns = ("item_code", "description")
    list_select_related = ("link", "cost_code", "cost_type")
    search_fields = ("item_code", "description")


@admin.register(m.Commitment)
class CommitmentAdmin(ErpRecordAdmin):
    queue_columns = ("project", "vendor", "kind", "status", "grand_total")
    list_filter = ["erp_status", "project", "vendor", *ErpRecordAdmin.list_filter[1:]]
    list_select_related = ("link", "project", "vendor")
    search_fields = ("number", "title", "vendor__name")
    inlines = [CommitmentLineInline]


@admin.register(m.ChangeOrder)
class ChangeOrderAdmin(ErpRecordAdmin):
    queue_columns = ("project", "commitment", "status", "grand_total")
    list_filter = ["erp_status", "project", *ErpRecordAdmin.list_filter[1:]]
    list_select_related = ("link", "project", "commitment")
    search_fields = ("number", "title", "commitment__number")
    inlines = [ChangeOrderLineInline]


@admin.register(m.SubcontractorInvoice)
class SubcontractorInvoiceAdmin(ErpRecordAdmin):
    queue_columns = ("project", "billing_date", "status", "total")
    list_filter = ["erp_status", "project", "vendor", *ErpRecordAdmin.list_filter[1:]]
    list_select_related = ("link", "project", "vendor", "commitment")
    search_fields = ("invoice_number", "vendor__name", "commitment__number")
    inlines = [InvoiceLineInline, SubcontractorInvoiceFileInline]

    def get_search_results(self, request, queryset, search_term):
        """PERF-8: the same matches as Django's search (each word in the invoice number, the vendor's name
        or the commitment's number), found through indexes: the few vendors and commitments that match
        are looked up first, so the invoices are filtered on their own columns (a trigram index on the
        invoice number, the foreign keys' indexes) instead of scanning every invoice joined to both."""
        from django.db.models import Q
        from django.utils.text import smart_split, unescape_string_literal

        words = [unescape_string_literal(w) if w[:1] in "\"'" and w[-1:] == w[:1] else w for w in smart_split(search_term)]
        if not words:
            return super().get_search_results(request, queryset, search_term)
        cap = 1000
        for word in words:
            vendors = list(m.Vendor.objects.filter(name__icontains=word).values_list("pk", flat=True)[:cap])
            commitments = list(m.Commitment.objects.filter(number__icontains=word).values_list("pk", flat=True)[:cap])
            match = Q(invoice_number__icontains=word)
            match |= Q(vendor__name__icontains=word) if len(vendors) == cap else Q(vendor_id__in=vendors)
            match |= Q(commitment__number__icontains=word) if len(commitments) == cap else Q(commitment_id__in=commitments)
            queryset = queryset.filter(match)
        return queryset, False


@admin.register(m.OwnerInvoice)
class OwnerInvoiceAdmin(ErpRecordAdmin):
    queue_columns = ("project", "prime_contract", "billing_date", "status", "total")
    list_filter = ["erp_status", "project", *ErpRecordAdmin.list_filter[1:]]
    list_select_related = ("link", "project", "prime_contract")
    search_fields = ("invoice_number",)
    inlines = [OwnerInvoiceLineInline, OwnerInvoiceFileInline]


class CompanyLinkForm(forms.ModelForm):
    """The link's settings; the retentions accounts are checked against Xero's chart (BOOK-2)."""

    class Meta:
        model = m.CompanyLink
        fields = ["retainage_account_code", "retainage_receivable_account_code"]  # the admin adds its fieldsets' fields

    def clean(self):
        from integration.services.xero_checks import RETENTION_ACCOUNTS, retention_account_problems

        data = super().clean()
        changed = {name: data.get(name) or "" for name in RETENTION_ACCOUNTS if name in self.changed_data}
        if changed and self.instance.pk:
            for name, problem in retention_account_problems(self.instance, changed).items():
                self.add_error(name, problem)
        return data


@admin.register(m.CompanyLink)
class CompanyLinkAdmin(admin.ModelAdmin):
    form = CompanyLinkForm
    list_display = ("name", "procore_company_name", "xero_tenant_name", "is_active", "commitment_sync", "direct_export", "payment_sync_frequency")
    readonly_fields = ("procore_company_id", "procore_company_name", "xero_tenant_id", "xero_tenant_name", "xero_timezone", "xero_base_currency", "xero_currencies", "xero_tax_types", "sync_cursors", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "is_active", "procore_company_id", "procore_company_name", "xero_tenant_id", "xero_tenant_name")}),
        ("Export settings", {"fields": ("project_tracking_category", "cost_code_export_mode", "cost_code_tracking_category", "retainage_item_code", "default_purchase_account", "default_sales_account", "retainage_account_code", "retainage_receivable_account_code", "amounts_tax", "xero_document_status", "negative_invoices", "xero_timezone", "xero_base_currency", "xero_currencies", "xero_tax_types", "commitment_sync", "direct_export", "export_attachments", "project_stage_name", "procore_standard_cost_code_list_id")}),
        ("Import settings", {"fields": ("payment_sync_frequency", "payment_cutoff", "job_cost_sync_time", "vendor_contact_group", "procore_webhooks")}),
        ("Sync state", {"fields": ("sync_cursors", "created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        """BOOK-3, BOOK-7: saving the settings reads the organisation's currencies and tax rates, as the
        retentions accounts are checked against its chart, so the export checks hold before any export."""
        from integration.services.currencies import organisation_refresh

        super().save_model(request, obj, form, change)
        if change:
            read, message = organisation_refresh(obj)
            self.message_user(request, message, messages.INFO if read else messages.WARNING)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        from integration.services.on_demand import SYNCS, allowed

        extra_context = {**(extra_context or {}),
                         "sync_buttons": [(what, label) for what, label in SYNCS.items() if allowed(request.user, what)]}
        extra_context["can_manage"] = request.user.has_perm("integration.manage_erp")
        if object_id:
            extra_context["sync_contacts"] = (m.Vendor.objects.filter(link_id=object_id).exclude(xero_id="")
                                              .order_by("name").values_list("xero_id", "name")[:1000])
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        from django.urls import path

        from . import companies

        def view(fn):
            return self.admin_site.admin_view(lambda request, link_id: fn(self, request, link_id))

        return [path("<int:link_id>/sync/", self.admin_site.admin_view(self.sync_view), name="integration_companylink_sync"),
                path("<int:link_id>/contacts/", view(companies.link_contacts_view), name="integration_companylink_contacts"),
                path("<int:link_id>/refresh-companies/", view(companies.refresh_companies_view),
                     name="integration_companylink_refresh_companies"),
                path("<int:link_id>/projects-from-xero/", view(companies.import_projects_view), name="integration_companylink_projects"),
                *super().get_urls()]

    def sync_view(self, request, link_id):
        """The page's on-demand sync buttons (PAY-5, JC-9): thin, the service checks and queues."""
        from django.core.exceptions import PermissionDenied
        from django.http import HttpResponseNotAllowed, HttpResponseRedirect
        from django.shortcuts import get_object_or_404
        from django.urls import reverse

        from integration.services.on_demand import SyncRequestRefused, link_sync_request

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        link = get_object_or_404(m.CompanyLink, pk=link_id)
        try:
            self.message_user(request, link_sync_request(
                link=link, what=request.POST.get("what", ""), actor=request.user,
                project_number=request.POST.get("project_number", ""), contact_id=request.POST.get("contact_id", "")))
        except (SyncRequestRefused, PermissionDenied) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:integration_companylink_change", args=[link.pk]))


@admin.register(m.Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    """Tokens are never shown: only their status (REL-7)."""

    list_display = ("link", "provider", "auth_type", "shown_status", "expires_at", "last_refreshed_at", "day_limit_remaining")
    list_select_related = ("link",)
    fields = ("link", "provider", "auth_type", "shown_status", "status_message", "expires_at", "scope", "connected_by", "connected_at", "last_refreshed_at", "refresh_count", "day_limit_remaining", "day_limit_retry_at")
    readonly_fields = fields


@admin.register(m.AccountMapping)
class AccountMappingAdmin(LinkScopedAdminMixin, admin.ModelAdmin):
    list_display = ("link", "account_code", "cost_item")
    list_select_related = ("link", "cost_item")
    raw_id_fields = ("cost_item",)


@admin.register(m.CostCode)
class CostCodeAdmin(CsvImportExportMixin, LinkScopedAdminMixin, admin.ModelAdmin):
    """WBS-4, WBS-5: CSV import (with a preview) and export, and default cost types."""

    list_display = ("code", "name", "link", "default_types", "active")
    list_filter = ("link", "active")
    list_select_related = ("link",)
    search_fields = ("code", "name")
    filter_horizontal = ("default_cost_types",)
    show_full_result_count = False
    actions = [assign_default_cost_types]
    link_fixed_once_saved = True
    csv_kind = "cost codes"
    csv_columns = "code, description, cost_types (cost type codes separated by ';', e.g. L;M;S)"
    csv_preview = staticmethod(cost_codes_service.cost_codes_preview)
    csv_import = staticmethod(cost_codes_service.cost_codes_import)
    csv_export = staticmethod(cost_codes_service.cost_codes_export)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("default_cost_types")

    @admin.display(description="Default cost types")
    def default_types(self, obj):
        return ";".join(sorted(t.code for t in obj.default_cost_types.all())) or "-"


@admin.register(m.CostType)
class CostTypeAdmin(CsvImportExportMixin, LinkScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "base_type", "link", "active")
    list_filter = ("link", "active")
    list_select_related = ("link",)
    show_full_result_count = False
    link_fixed_once_saved = True
    csv_kind = "cost types"
    csv_columns = "code, name, base_type, active (1 or 0)"
    csv_preview = staticmethod(cost_codes_service.cost_types_preview)
    csv_import = staticmethod(cost_codes_service.cost_types_import)
    csv_export = staticmethod(cost_codes_service.cost_types_export)


@admin.register(m.PrimeContract)
class PrimeContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "project", "owner", "status")
    list_select_related = ("project", "owner")


class PaymentAttachmentInline(admin.TabularInline):
    """PAY-4: attachments may be added and removed on an imported payment."""

    model = m.PaymentAttachment
    extra = 1
    fields = ("file", "uploaded_at")
    readonly_fields = ("uploaded_at",)


@admin.register(m.Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Imported payments are read-only except the payment number and attachments (PAY-4). The number
    goes through its service (written to Procore first); a payment deleted in Xero is resolved here."""

    list_display = ("date", "amount", "direction", "commitment", "subcontractor_invoice", "reference", "status")
    list_filter = ("status", "direction", "link")
    list_select_related = ("commitment", "subcontractor_invoice__vendor", "link")
    show_full_result_count = False
    fields = ("link", "direction", "xero_payment_id", "xero_batch_payment_id", "procore_id", "commitment", "prime_contract", "subcontractor_invoice", "owner_invoice", "amount", "date", "reference", "payment_number", "status", "message", "deleted_in_xero_at", "resolved_at")
    readonly_fields = fields
    inlines = [PaymentAttachmentInline]
    change_form_template = "admin/integration/payment/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and "_payment_action" in request.POST:
            return self._payment_action(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _payment_action(self, request, object_id):
        from django.core.exceptions import PermissionDenied
        from django.http import HttpResponseRedirect

        from integration.services.imports.payments import payment_resolve, payment_update_number

        payment = self.get_object(request, object_id)
        if payment is None or not self.has_change_permission(request, payment):
            raise PermissionDenied
        action = request.POST["_payment_action"]
        try:
            if action == "number":
                payment_update_number(payment=payment, number=request.POST.get("payment_number", ""), actor=request.user)
                self.message_user(request, "Payment number saved here and in Procore.")
            elif action == "resolve":
                payment_resolve(payment=payment, actor=request.user, note=request.POST.get("note", ""))
                self.message_user(request, "Marked resolved.")
            else:
                self.message_user(request, f"Unknown action '{action}'.", messages.ERROR)
        except Exception as exc:  # the service's refusal (bad number, Procore's answer) is shown, nothing saved
            self.message_user(request, f"Not saved: {exc}", messages.ERROR)
        return HttpResponseRedirect(request.path)


@admin.register(m.DirectCost)
class DirectCostAdmin(ReadOnlyAdmin):
    list_display = ("date", "project", "direct_cost_type", "vendor_name", "invoice_number", "amount", "locked", "removed")
    list_filter = ("direct_cost_type", "removed", "link", "project")
    list_select_related = ("project",)
    inlines = [DirectCostLineInline]


@admin.register(m.JobCostSummary)
class JobCostSummaryAdmin(ReadOnlyAdmin):
    list_display = ("project", "cost_item", "job_to_date_cost", "commitment_invoiced", "direct_costs", "computed_at")
    list_filter = ("link", "project")
    list_select_related = ("project", "cost_item")


@admin.register(m.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Each event in words: who by name, what was done, the statuses by their labels."""

    list_display = ("created_at", "who", "what", "record_label", "shown_from", "shown_to", "message")
    list_select_related = ("actor",)
    list_filter = ("action", "link")
    search_fields = ("record_label", "message", "actor_name")
    date_hierarchy = "created_at"
    fields = ("created_at", "link", "record_label", "record_type", "who", "what", "shown_from", "shown_to", "message",
              "payload", "response")
    readonly_fields = fields

    @admin.display(description="Who", ordering="actor_name")
    def who(self, obj):
        from .desk import person

        return person(obj.actor) if obj.actor_id else obj.shown_actor

    @admin.display(description="What", ordering="action")
    def what(self, obj):
        from .desk import ACTION_WORDS

        return ACTION_WORDS.get(obj.action, obj.action.replace("_", " "))

    @admin.display(description="Record type")
    def record_type(self, obj):
        return capfirst(obj.content_type.model_class()._meta.verbose_name) if obj.content_type_id else "-"

    @admin.display(description="From", ordering="from_status")
    def shown_from(self, obj):
        from .desk import status_label

        return status_label(obj.from_status) or "-"

    @admin.display(description="To", ordering="to_status")
    def shown_to(self, obj):
        from .desk import status_label

        return status_label(obj.to_status) or "-"


@admin.register(m.SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    """RPT-4: every run; its page shows the progress while it runs (refreshing by itself), then its
    counts and its errors, each linked to its record."""

    list_display = ("run_name", "started_at", "started_by", "link", "shown_status", "progress", "counts_summary", "error_count")
    list_filter = ("kind", "status", "trigger", "link")
    list_select_related = ("link", "triggered_by")
    change_form_template = "admin/integration/syncrun_change_form.html"
    change_list_template = "admin/integration/desk_change_list.html"
    fields = ("kind", "link", "status", "started_by", "started_at", "finished_at", "message", "deferred_until")
    readonly_fields = ("started_by",)

    @admin.display(description="Run", ordering="pk")
    def run_name(self, obj):
        return f"{obj.get_kind_display()} #{obj.pk}"

    @admin.display(description="Started by")
    def started_by(self, obj):
        return started_by(obj)

    @admin.display(description="Status", ordering="status")
    def shown_status(self, obj):
        from .runs import is_stuck, stale_minutes

        if is_stuck(obj):
            return f"Stuck: no progress for over {stale_minutes()} minutes"
        return obj.get_status_display()

    @admin.display(description="Progress")
    def progress(self, obj):
        if not obj.progress_total:
            return f"{obj.progress_done}" if obj.progress_done else "-"
        return f"{obj.progress_done}/{obj.progress_total} ({100 * obj.progress_done // obj.progress_total}%)"

    @admin.display(description="Counts")
    def counts_summary(self, obj):
        return counts_sentence(obj.counts)

    @admin.display(description="Errors")
    def error_count(self, obj):
        return sum(1 for e in obj.errors or [] if not e.get("held"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if run is not None:
            extra_context.update(run_page(run))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(m.UnsyncableTransaction)
class UnsyncableTransactionAdmin(ReadOnlyAdmin):
    list_display = ("date", "document_type", "reference", "contact_name", "amount", "reason")
    list_filter = ("document_type", "link")


@admin.register(m.WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "event_key")
    list_filter = ("source",)


admin.site.site_header = "Procore ⇄ Xero connector"
admin.site.site_title = "Procore ⇄ Xero"
admin.site.index_title = "Approver's desk"
# The dashboard lists every page; without the side bar the queues keep their columns on a 1366 px screen.
admin.site.enable_nav_sidebar = False
