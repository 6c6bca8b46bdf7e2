"""The approver's desk: one queue per exportable record type, with thin actions over the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from integration.models import AuditEvent, ErpStatus
from integration.selectors import validate_record
from integration.services import queue
from integration.services.status import TransitionRefused

from .filters import AgeFilter

STATUS_COLOURS = {
    ErpStatus.SYNCED: "#2e7d32",
    ErpStatus.FAILED: "#c62828",
    ErpStatus.REJECTED: "#c62828",
    ErpStatus.READY_TO_EXPORT: "#1565c0",
    ErpStatus.READY_TO_UPDATE: "#1565c0",
    ErpStatus.EXPORTING: "#6a1b9a",
    ErpStatus.RETRIEVED: "#f9a825",
    ErpStatus.UNLINKED: "#757575",
    ErpStatus.NOT_SENT: "#757575",
}

ERP_FIELDS = (
    "erp_status", "erp_message", "erp_status_changed_at", "sent_by", "accepted_by", "xero_id",
    "xero_synced_at", "idempotency_key", "export_version", "export_attempts", "retry_after", "locked",
    "procore_id", "procore_updated_at", "removed_in_procore",
)


def report_bulk(modeladmin, request, result, verb: str):
    if result.done:
        modeladmin.message_user(request, f"{len(result.done)} {verb}.", messages.SUCCESS)
    for record, reason in result.refused:
        modeladmin.message_user(request, f"{record}: {reason}", messages.ERROR)


@admin.action(description="Accept for export to Xero", permissions=["push_to_accounting"])
def accept_selected(modeladmin, request, queryset):
    report_bulk(modeladmin, request, queue.records_accept(records=queryset, actor=request.user), "accepted")


@admin.action(description="Reject (asks for a reason)", permissions=["push_to_accounting"])
def reject_selected(modeladmin, request, queryset):
    if request.POST.get("confirm_reject"):
        try:
            result = queue.records_reject(records=queryset, actor=request.user, reason=request.POST.get("reason", ""))
        except TransitionRefused as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            report_bulk(modeladmin, request, result, "rejected")
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Reject {queryset.count()} {modeladmin.model._meta.verbose_name_plural}",
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "reason": request.POST.get("reason", ""),
    }
    return TemplateResponse(request, "admin/integration/reject_reason.html", context)


@admin.action(description="Send to the approval queue", permissions=["send_to_erp"])
def send_selected(modeladmin, request, queryset):
    report_bulk(modeladmin, request, queue.records_send(records=queryset, actor=request.user), "sent")


@admin.action(description="Retrieve from the approval queue", permissions=["send_to_erp"])
def retrieve_selected(modeladmin, request, queryset):
    report_bulk(modeladmin, request, queue.records_retrieve(records=queryset, actor=request.user), "retrieved")


class ErpRecordAdmin(admin.ModelAdmin):
    """Base of every exportable type's admin: the queue, its filters, actions, checks and history."""

    actions = [accept_selected, reject_selected, send_selected, retrieve_selected]
    list_filter = ["erp_status", AgeFilter, "link"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (PERF-3)
    date_hierarchy = None
    queue_columns: tuple = ()
    readonly_fields = ERP_FIELDS + ("export_checks", "erp_history")
    change_form_template = "admin/integration/erp_change_form.html"

    def get_list_display(self, request):
        return ("__str__", *self.queue_columns, "status_badge", "erp_status_changed_at")

    @admin.display(description="ERP status", ordering="erp_status")
    def status_badge(self, obj):
        colour = STATUS_COLOURS.get(obj.erp_status, "#333")
        return format_html(
            '<span style="color:{};font-weight:bold" title="{}">{}</span>',
            colour, obj.erp_message, obj.get_erp_status_display(),
        )

    @admin.display(description="Export checks (SYNC-5)")
    def export_checks(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        failures = validate_record(obj)
        if not failures:
            return format_html('<span style="color:#2e7d32">{}</span>', "✔ Passes every export rule.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li style="color:#c62828">{} <small>({})</small></li>', ((f"{f.field}: {f.message}", f.rule) for f in failures)),
        )

    @admin.display(description="History")
    def erp_history(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        events = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("-created_at", "-id")[:100]
        if not events:
            return "No history yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            ((f"{e.created_at:%Y-%m-%d %H:%M}", e.actor_name, e.action, e.from_status or "-", e.to_status or "-", e.message) for e in events),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Status</th><th>Detail</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def has_push_to_accounting_permission(self, request):
        return request.user.has_perm("integration.push_to_accounting")

    def has_send_to_erp_permission(self, request):
        return request.user.has_perm("integration.send_to_erp")

    def has_manage_erp_permission(self, request):
        return request.user.has_perm("integration.manage_erp")

    # Mirrors of Procore: they change in Procore and through the services, never by hand here.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_erp_action" in request.POST and object_id:
            return self._record_action(request, object_id)
        extra_context = extra_context or {}
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra_context["erp_actions"] = self.record_actions(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def record_actions(self, request, obj) -> list[tuple[str, str]]:
        """The buttons this user may press on this record, given its status."""
        from integration.services.status import allowed_actions

        allowed = set(allowed_actions(obj))
        user = request.user
        out = []
        if user.has_perm("integration.push_to_accounting"):
            if "accept" in allowed:
                out.append(("accept", "Re-push to Xero" if obj.erp_status == ErpStatus.FAILED else "Accept"))
            if "reject" in allowed:
                out.append(("reject", "Reject"))
        if user.has_perm("integration.send_to_erp"):
            if "send" in allowed:
                out.append(("send", "Send to ERP"))
            if "resend" in allowed:
                out.append(("resend", "Resend"))
            if "retrieve" in allowed:
                out.append(("retrieve", "Retrieve"))
        if user.has_perm("integration.manage_erp") and obj.is_synced:
            out.append(("unlock", "Unlock in Procore") if obj.locked else ("lock", "Lock in Procore"))
            out.append(("unlink", "Unlink from Xero"))
        return out

    def _record_action(self, request, object_id):
        """The buttons on a record's page: the same services as the bulk actions."""
        from django.http import HttpResponseRedirect

        obj = self.get_object(request, object_id)
        if obj is None:
            raise PermissionDenied
        action = request.POST["_erp_action"]
        calls = {
            "accept": lambda: queue.record_accept(record=obj, actor=request.user),
            "reject": lambda: queue.record_reject(record=obj, actor=request.user, reason=request.POST.get("reason", "")),
            "send": lambda: queue.record_send(record=obj, actor=request.user),
            "resend": lambda: queue.record_resend(record=obj, actor=request.user),
            "retrieve": lambda: queue.record_retrieve(record=obj, actor=request.user),
            "lock": lambda: queue.record_lock(record=obj, actor=request.user),
            "unlock": lambda: queue.record_unlock(record=obj, actor=request.user),
            "unlink": lambda: queue.record_unlink(record=obj, actor=request.user),
        }
        call = calls.get(action)
        if call is None:
            self.message_user(request, f"Unknown action '{action}'.", messages.ERROR)
        else:
            try:
                call()
                self.message_user(request, f"{obj}: {action} done.", messages.SUCCESS)
            except (TransitionRefused, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(request.path)
