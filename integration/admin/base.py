"""The approver's desk: one queue per exportable record type, with thin actions over the services."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from integration.models import AuditEvent, ErpStatus
from integration.selectors import validate_record
from integration.services import queue
from integration.services.status import TransitionRefused

from .filters import AgeFilter
from .links import procore_url, xero_url
from .preview import render_preview

logger = logging.getLogger(__name__)

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
    ErpStatus.OUT_OF_SYNC: "#e65100",
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


def not_synced_reason(obj) -> str:
    """Why a record is not in both systems, in the approver's words (the red cross's hover text)."""
    status = obj.erp_status
    since = f" since {obj.erp_status_changed_at:%Y-%m-%d %H:%M}" if obj.erp_status_changed_at else ""
    if status == ErpStatus.SYNCED and obj.xero_id and obj.writeback_pending:
        return ("In Xero; Procore marking pending: the origin_id that shows it synced in Procore is written "
                "when Procore's rate-limit window has room.")
    reasons = {
        ErpStatus.NOT_SENT: "Not sent to Xero: in Procore only.",
        ErpStatus.READY_TO_EXPORT: f"Waiting for an approver{since}.",
        ErpStatus.READY_TO_UPDATE: f"Changed in Procore since its export; waiting for an approver{since}.",
        ErpStatus.EXPORTING: (
            f"Accepted; deferred by Xero's daily limit until {obj.retry_after:%Y-%m-%d %H:%M}." if obj.retry_after
            else "Accepted; the export to Xero is under way."
        ),
        ErpStatus.FAILED: f"Export failed: {obj.erp_message or 'no message'}",
        ErpStatus.REJECTED: f"Rejected by the approver: {obj.erp_message or 'no reason given'}",
        ErpStatus.RETRIEVED: f"Taken back by its sender{since}.",
        ErpStatus.UNLINKED: "Unlinked: its Xero document was deleted or voided.",
        ErpStatus.SYNCED: "Marked synced but no Xero id is stored.",
        ErpStatus.OUT_OF_SYNC: f"Out of sync: {obj.xero_drift or obj.erp_message or 'its Xero document changed'}",
    }
    return reasons.get(status, status)


def in_both_systems(obj) -> bool:
    return obj.is_synced and not obj.writeback_pending


def refresh_action(obj, user) -> tuple[str, str] | None:
    """The re-push offered in the "ERP synced" column, only when the record is not synced (SYNC-6):
    re-push a failed export (approvers), resend a rejected, retrieved or unlinked record, send a new one."""
    status = obj.erp_status
    if status == ErpStatus.FAILED and user.has_perm(queue.PUSH_PERMISSION):
        return "accept", "Re-push the failed export to Xero"
    if status in (ErpStatus.REJECTED, ErpStatus.RETRIEVED, ErpStatus.UNLINKED) and user.has_perm(queue.SEND_PERMISSION):
        return "resend", "Resend to the approval queue"
    if status == ErpStatus.NOT_SENT and user.has_perm(queue.SEND_PERMISSION):
        return "send", "Send to the approval queue"
    return None


def lock_action(obj, user) -> tuple[str, str] | None:
    if not obj.is_synced or not user.has_perm(queue.MANAGE_PERMISSION):
        return None
    return ("unlock", "Unlock in Procore (allow edits)") if obj.locked else ("lock", "Lock in Procore (refuse edits)")


class ErpRecordAdmin(admin.ModelAdmin):
    """Base of every exportable type's admin: the queue, its filters, actions, checks and history."""

    actions = [accept_selected, reject_selected, send_selected, retrieve_selected]
    list_filter = ["erp_status", AgeFilter, "link"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (PERF-3)
    date_hierarchy = None
    queue_columns: tuple = ()
    readonly_fields = ERP_FIELDS + ("export_checks", "xero_preview", "erp_history")
    change_form_template = "admin/integration/erp_change_form.html"

    def get_list_display(self, request):
        return ("__str__", *self.queue_columns, "status_badge", self.erp_synced_column(request), "erp_status_changed_at")

    def get_readonly_fields(self, request, obj=None):
        return (self.erp_synced_column(request), *self.readonly_fields)

    def erp_synced_column(self, request):
        """SYNC-6: the "ERP synced" column and field for this user: a green tick when the record is in
        both systems, a red cross with the reason on hover, a refresh (re-push) button only when not
        synced, lock/unlock for ERP admins, and links that open the record in Procore and in Xero."""
        user = request.user
        next_url = request.get_full_path()

        @admin.display(description="ERP synced")
        def erp_synced(obj):
            if obj is None or obj.pk is None:
                return "-"
            if in_both_systems(obj):
                mark = format_html('<span class="erp-synced erp-synced-yes" style="color:#2e7d32;font-size:1.3em" '
                                   'title="In Procore and in Xero (synced {})">✔</span>',
                                   f"{obj.xero_synced_at:%Y-%m-%d %H:%M}" if obj.xero_synced_at else "")
            elif obj.is_synced and obj.writeback_pending:
                # PERF-4: the export does not wait for Procore's budget; the approver sees it is in Xero.
                mark = format_html('<span class="erp-synced erp-synced-pending" style="color:#b26a00" title="{}">'
                                   '⧗ in Xero; Procore marking pending</span>', not_synced_reason(obj))
            else:
                mark = format_html('<span class="erp-synced erp-synced-no" style="color:#c62828;font-size:1.3em" '
                                   'title="{}">✘</span>', not_synced_reason(obj))
            action_url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_erp_action", args=[obj.pk])
            action_url = f"{action_url}?{urlencode({'next': next_url})}"
            buttons = []
            for pair, css in ((refresh_action(obj, user), "erp-refresh"), (lock_action(obj, user), "erp-lock")):
                if pair is None:
                    continue
                action, title = pair
                label = "↻ Refresh" if css == "erp-refresh" else action.capitalize()
                buttons.append(format_html(
                    '<button type="submit" class="button {}" formaction="{}" formmethod="post" formnovalidate '
                    'name="_erp_action" value="{}" title="{}" style="padding:2px 6px;margin-left:4px">{}</button>',
                    css, action_url, action, title, label,
                ))
            links = []
            if url := procore_url(obj):
                links.append(format_html('<a href="{}" target="_blank" rel="noopener" class="erp-open-procore">Procore</a>', url))
            if url := xero_url(obj):
                links.append(format_html('<a href="{}" target="_blank" rel="noopener" class="erp-open-xero">Xero</a>', url))
            return format_html(
                '<span style="white-space:nowrap">{}{}{}</span>', mark,
                format_html_join("", "{}", ((b,) for b in buttons)),
                format_html(" {}", format_html_join(" · ", "{}", ((a,) for a in links))) if links else "",
            )

        return erp_synced

    @admin.display(description="Preview in Xero (SYNC-10)")
    def xero_preview(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return render_preview(obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/erp/", self.admin_site.admin_view(self.erp_action_view), name=f"{info[0]}_{info[1]}_erp_action"),
            *super().get_urls(),
        ]

    def erp_action_view(self, request, object_id):
        """The buttons of the "ERP synced" column: the same services as every other action."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        self._run_record_action(request, obj, request.POST.get("_erp_action", ""))
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            next_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(next_url)

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
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        self._run_record_action(request, obj, request.POST["_erp_action"])
        return HttpResponseRedirect(request.path)

    def _run_record_action(self, request, obj, action: str):
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
            except Exception as exc:  # Procore or Xero refused a lock, unlock or unlink: say so, change nothing
                if action not in ("lock", "unlock", "unlink"):
                    raise
                logger.exception("%s of %s failed", action, obj)
                self.message_user(request, f"{obj}: {action} failed, nothing was changed: {exc}", messages.ERROR)
