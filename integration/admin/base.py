"""The approver's desk: one queue per exportable record type, with thin actions over the services."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from integration.models import ErpStatus
from integration.services import queue
from integration.services.status import TransitionRefused

from . import desk
from .filters import AgeFilter
from .links import procore_url, xero_url
from .preview import build_preview, render_checks, render_preview

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

# The ERP bookkeeping every record carries: on its page it sits in the collapsed "Technical" section,
# the booleans among it shown in words (`locked_state`, `writeback_state`, `removed_state`).
ERP_FIELDS = (
    "erp_status", "erp_message", "erp_status_changed_at", "sent_by", "accepted_by", "xero_id",
    "xero_synced_at", "idempotency_key", "export_version", "export_attempts", "retry_after", "locked",
    "procore_id", "procore_updated_at", "removed_in_procore",
)
TECHNICAL_FIELDS = (
    "erp_status", "erp_message", "erp_status_changed_at", "sent_by", "accepted_by", "xero_id", "xero_synced_at",
    "xero_checked_at", "locked_state", "writeback_state", "removed_state", "procore_id", "procore_updated_at", "idempotency_key",
    "export_version", "export_attempts", "retry_after", "export_claim", "export_claimed_until", "created_at", "updated_at",
)
NOT_DETAILS = set(ERP_FIELDS) | {"writeback_pending", "xero_drift", "xero_checked_at", "export_claim", "export_claimed_until", "created_at", "updated_at", "id"}


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


@admin.action(description="Check against Xero", permissions=["push_to_accounting"])
def check_against_xero_selected(modeladmin, request, queryset):
    """DRIFT-1: read the selected records' documents from Xero now and compare them."""
    from integration.services.reconcile import reconcile_records

    for run in reconcile_records(records=[r for r in queryset if r.xero_id], actor=request.user):
        level = messages.WARNING if run.counts.get("out_of_sync") else messages.SUCCESS
        modeladmin.message_user(request, f"{run.link}: {run.message}", level)


@admin.action(description="Accept Xero's version (out of sync)", permissions=["push_to_accounting"])
def accept_xero_selected(modeladmin, request, queryset):
    """DRIFT-2: keep what Xero holds for each selected out-of-sync record."""
    from integration.services.drift_moves import record_accept_xero

    report_bulk(modeladmin, request, queue._bulk(queryset, lambda r: record_accept_xero(record=r, actor=request.user)),
                "accepted as Xero holds them")


@admin.action(description="Re-export from Procore (out of sync; shows the change first)", permissions=["push_to_accounting"])
def reexport_selected(modeladmin, request, queryset):
    """DRIFT-2: the exact change each re-export makes in Xero is shown; only a confirmation sends it."""
    from integration.services.drift_moves import record_reexport, reexport_preview

    if request.POST.get("confirm_reexport"):
        report_bulk(modeladmin, request, queue._bulk(queryset, lambda r: record_reexport(record=r, actor=request.user)),
                    "sent to Xero again")
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Re-export {queryset.count()} {modeladmin.model._meta.verbose_name_plural} from Procore",
        "queryset": queryset,
        "changes": [(r, reexport_preview(r) if r.erp_status == ErpStatus.OUT_OF_SYNC else None) for r in queryset],
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/integration/reexport_confirm.html", context)


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
        ErpStatus.SYNCED: "Marked synced but no Xero ID is stored.",
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


def synced_mark(obj):
    """A green tick when the record is in both systems, else a red cross with the reason on hover."""
    if in_both_systems(obj):
        return format_html('<span class="erp-synced erp-synced-yes" style="color:#2e7d32;font-size:1.3em" '
                           'title="In Procore and in Xero (synced {})">✔</span>',
                           f"{obj.xero_synced_at:%Y-%m-%d %H:%M}" if obj.xero_synced_at else "")
    if obj.is_synced and obj.writeback_pending:
        # PERF-4: the export does not wait for Procore's budget; the approver sees it is in Xero.
        return format_html('<span class="erp-synced erp-synced-pending" style="color:#b26a00" title="{}">'
                           '⧗ in Xero; Procore marking pending</span>', not_synced_reason(obj))
    return format_html('<span class="erp-synced erp-synced-no" style="color:#c62828;font-size:1.3em" '
                       'title="{}">✘</span>', not_synced_reason(obj))


def open_links(obj) -> list[tuple[str, str, str]]:
    """(label, url, css class) of the links that open the record in Procore and its document in Xero."""
    links = []
    if url := procore_url(obj):
        links.append(("Procore", url, "erp-open-procore"))
    if url := xero_url(obj):
        links.append(("Xero", url, "erp-open-xero"))
    return links


def lock_action(obj, user) -> tuple[str, str] | None:
    if not obj.is_synced or not user.has_perm(queue.MANAGE_PERMISSION):
        return None
    return ("unlock", "Unlock in Procore (allow edits)") if obj.locked else ("lock", "Lock in Procore (refuse edits)")


DONE_WORDS = {
    "accept": "accepted; the export to Xero is queued and this page follows it.",
    "reject": "rejected; the sender is told why.",
    "send": "sent to the approval queue.",
    "resend": "sent to the approval queue again.",
    "retrieve": "taken back from the approval queue.",
    "lock": "locked in Procore.",
    "unlock": "unlocked in Procore: it can be edited there.",
    "unlink": "unlinked from its Xero document.",
    "accept_overwrite": "accepted, overwriting the edit made in Xero; the export to Xero is queued.",
    "accept_xero": "Xero's version accepted; it is synced again.",
    "reexport": "re-exported from Procore; the export updates its Xero document.",
    "check_xero": "checked against Xero (see its status and the run under Sync runs).",
}
TAB_PARAM, ALL_TAB = "tab", "all"
AWAITING = (ErpStatus.READY_TO_EXPORT, ErpStatus.READY_TO_UPDATE)
# The tabs in the order Procore's ERP tool shows them; any other status of the enum follows (when
# it holds records), so a status added to ErpStatus gets its tab without touching this list.
LEADING_TABS = ("ready_to_export", "ready_to_update", "out_of_sync", "failed", "rejected", "synced")


def queue_tabs(model_admin, request, query, showing_all: bool) -> list[dict]:
    """The queue's tabs: Awaiting decision, one per status, All; each with its count (one GROUP BY
    query) and a link that keeps the other filters (link, project, vendor, search)."""
    from django.db.models import Count

    others = query.copy()
    for key in [k for k in others if k.split("__")[0] == "erp_status" or k in ("p", TAB_PARAM)]:
        others.pop(key)
    base = model_admin.get_queryset(request)
    if link_id := others.get("link__id__exact"):
        base = base.filter(link_id=link_id) if str(link_id).isdigit() else base.none()
    counts = dict(base.order_by().values_list("erp_status").annotate(n=Count("pk")))
    current = query.get("erp_status__exact") or ("" if showing_all else query.get("erp_status__in", ""))
    statuses = [s for s in LEADING_TABS if s in ErpStatus.values]
    statuses += [s for s in ErpStatus.values if s not in statuses and counts.get(s)]

    def url(**params) -> str:
        q = others.copy()
        for k, v in params.items():
            q[k] = v
        return "?" + q.urlencode() if q else "?"

    awaiting = ",".join(AWAITING)
    tabs = [{"key": "awaiting", "label": "Awaiting decision", "count": sum(counts.get(s, 0) for s in AWAITING),
             "url": url(), "selected": current == awaiting}]
    tabs += [{"key": s, "label": ErpStatus(s).label, "count": counts.get(s, 0), "url": url(erp_status__exact=s),
              "selected": current == s} for s in statuses]
    tabs.append({"key": ALL_TAB, "label": "All", "count": sum(counts.values()), "url": url(**{TAB_PARAM: ALL_TAB}),
                 "selected": showing_all and not current})
    return tabs


def _boolean_in_words(field):
    """A boolean of the record's own as "Yes"/"No", its help text beside it in grey, never as the value."""
    @admin.display(description=capfirst(field.verbose_name) if field.verbose_name else field.name)
    def show(obj):
        value = getattr(obj, field.name)
        if not field.help_text:
            return "Yes" if value else "No"
        return format_html('<strong>{}</strong> <span class="desk-muted">({})</span>', "Yes" if value else "No", field.help_text)
    return show


class ErpRecordAdmin(admin.ModelAdmin):
    """Base of every exportable type's admin: the queue, its filters, actions, checks and history."""

    actions = [accept_selected, reject_selected, send_selected, retrieve_selected, check_against_xero_selected,
               accept_xero_selected, reexport_selected]
    list_filter = ["erp_status", AgeFilter, "link"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (PERF-3)
    date_hierarchy = None
    queue_columns: tuple = ()
    readonly_fields = TECHNICAL_FIELDS
    change_form_template = "admin/integration/erp_change_form.html"
    change_list_template = "admin/integration/erp_change_list.html"

    def get_list_filter(self, request):
        # The status is chosen with the tabs above the list, so the side bar keeps the other filters.
        return [f for f in super().get_list_filter(request) if f != "erp_status"]

    def changelist_view(self, request, extra_context=None):
        """The queue opens on what awaits a decision; one tab per status, each with its count."""
        query = request.GET.copy()
        tab = query.pop(TAB_PARAM, [""])[0]
        # Only a page being opened gets the default: an action posted from it acts on the rows ticked.
        if request.method in ("GET", "HEAD") and tab != ALL_TAB and not any(key.split("__")[0] == "erp_status" for key in query):
            query.setlist("erp_status__in", [",".join(AWAITING)])
        request.GET = query
        extra_context = {"title": capfirst(self.opts.verbose_name_plural), **(extra_context or {}),
                         "desk_tabs": queue_tabs(self, request, query, tab == ALL_TAB)}
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        # The ERP columns stand right after the record's name, as in Procore's ERP Integrations tool.
        return ("__str__", "status_badge", self.erp_synced_column(request), *self.queue_columns, "in_status_since")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *self._detail_words())

    def get_fieldsets(self, request, obj=None):
        """The record's own fields (booleans in words), then the ERP bookkeeping, collapsed."""
        words = self._detail_words()
        details = [f"{f.name}_in_words" if f"{f.name}_in_words" in words else f.name
                   for f in self.model._meta.fields if f.editable and f.name not in NOT_DETAILS]
        return (
            ("Details", {"fields": details}),
            ("Technical", {"classes": ("collapse",), "fields": TECHNICAL_FIELDS,
                           "description": "What the connector keeps to export the record exactly once."}),
        )

    def _detail_words(self) -> tuple[str, ...]:
        """A display, in words with the help text beside it, for each boolean field of the record's own."""
        names = []
        for field in self.model._meta.fields:
            if field.get_internal_type() != "BooleanField" or field.name in NOT_DETAILS or field.name == "writeback_pending":
                continue
            name = f"{field.name}_in_words"
            if not hasattr(self, name):
                setattr(self, name, _boolean_in_words(field))
            names.append(name)
        return tuple(names)

    @admin.display(description="Locked in Procore")
    def locked_state(self, obj):
        return desk.locked_in_words(obj)

    @admin.display(description="Link back to Procore")
    def writeback_state(self, obj):
        return desk.writeback_in_words(obj)

    @admin.display(description="Removed in Procore")
    def removed_state(self, obj):
        return desk.removed_in_words(obj)

    @admin.display(description="In status since", ordering="erp_status_changed_at")
    def in_status_since(self, obj):
        return f"{obj.erp_status_changed_at:%Y-%m-%d %H:%M}" if obj.erp_status_changed_at else "—"

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
            mark = synced_mark(obj)
            action_url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_erp_action", args=[obj.pk])
            action_url = f"{action_url}?{urlencode({'next': next_url})}"
            buttons = []
            for pair, css in ((refresh_action(obj, user), "erp-refresh"), (lock_action(obj, user), "erp-lock")):
                if pair is None:
                    continue
                action, title = pair
                label = "↻ Refresh" if css == "erp-refresh" else capfirst(action)
                buttons.append(format_html(
                    '<button type="submit" class="button {}" formaction="{}" formmethod="post" formnovalidate '
                    'name="_erp_action" value="{}" title="{}" style="padding:2px 6px;margin-left:4px">{}</button>',
                    css, action_url, action, title, label,
                ))
            links = [format_html('<a href="{}" target="_blank" rel="noopener" class="{}">{}</a>', url, css, label)
                     for label, url, css in open_links(obj)]
            return format_html(
                '<span style="white-space:nowrap">{}{}{}</span>', mark,
                format_html_join("", "{}", ((b,) for b in buttons)),
                format_html(" {}", format_html_join(" · ", "{}", ((a,) for a in links))) if links else "",
            )

        return erp_synced

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
        return format_html(
            '<span class="erp-badge erp-badge-{}" data-status="{}" title="{}">{}</span>',
            obj.erp_status, obj.erp_status, not_synced_reason(obj) if not in_both_systems(obj) else "In Procore and in Xero",
            obj.get_erp_status_display(),
        )

    def desk_context(self, request, obj) -> dict:
        """The record's page as the approver reads it: summary, checks, the Xero document, history."""
        preview = build_preview(obj)
        return {
            "type_label": obj.erp_type_label,
            "synced_mark": synced_mark(obj),
            "reason": "" if in_both_systems(obj) else not_synced_reason(obj),
            "summary": desk.summary(obj),
            "checks": render_checks(preview["checks"]),
            "preview": render_preview(obj, preview),
            "links": open_links(obj),
            "history": desk.history(obj),
            "xero_versions": self.xero_versions(obj),
        }

    @admin.display(description="Xero's version (DRIFT-3)")
    def xero_versions(self, obj):
        """What Xero holds now, what the connector last sent, what it would send: side by side, with the
        fields edited in Xero marked, and the exact change a re-export would make."""
        if obj is None or obj.pk is None or not obj.xero_id:
            return "-"
        from integration.services.drift_moves import reexport_preview, xero_versions

        versions = xero_versions(obj)
        if not obj.xero_drift and obj.erp_status != ErpStatus.OUT_OF_SYNC:
            checked = f" (checked {obj.xero_checked_at:%Y-%m-%d %H:%M})" if obj.xero_checked_at else " (not checked yet)"
            return format_html('<span style="color:#2e7d32">{}</span>', "✔ Xero holds what was last sent" + checked + ".")
        rows = format_html_join("", '<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', (
            (mark_safe(' style="background:#fff3e0" class="edited-in-xero"') if now != sent and sent else "", field, now, sent, new)
            for field, now, sent, new in versions.rows))
        change = reexport_preview(obj)
        return format_html(
            '<p style="color:#e65100"><strong>Edited in Xero:</strong> {}</p>'
            '<table class="xero-versions"><thead><tr><th>Field</th><th>What Xero holds now</th><th>What the connector last sent</th>'
            '<th>What it would send</th></tr></thead><tbody>{}</tbody></table><p><strong>A re-export (or accepting the update) '
            'would change in Xero:</strong> {}</p>',
            obj.xero_drift or obj.erp_message, rows, "; ".join(change) or "nothing")

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
                extra_context["desk"] = self.desk_context(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def record_actions(self, request, obj) -> list[tuple[str, str]]:
        """The buttons this user may press on this record, given its status."""
        from integration.services.status import allowed_actions

        allowed = set(allowed_actions(obj))
        user = request.user
        out = []
        if user.has_perm("integration.push_to_accounting"):
            if "accept" in allowed and obj.xero_id and obj.xero_drift:
                out.append(("accept_overwrite", "Accept, overwriting Xero's edit"))  # DRIFT-3: never silently
            elif "accept" in allowed:
                out.append(("accept", "Re-push to Xero" if obj.erp_status == ErpStatus.FAILED else "Accept"))
            if obj.erp_status == ErpStatus.OUT_OF_SYNC:  # DRIFT-2
                out.append(("accept_xero", "Accept Xero's version"))
                out.append(("reexport", "Re-export from Procore"))
                out.append(("unlink", "Unlink (voided or deleted in Xero)"))
            if obj.xero_id:
                out.append(("check_xero", "Check against Xero"))
            if "reject" in allowed:
                out.append(("reject", "Reject with reason"))
        if user.has_perm("integration.send_to_erp"):
            if "send" in allowed:
                out.append(("send", "Send to the approval queue"))
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
        from integration.services import drift_moves, reconcile

        calls = {
            "accept": lambda: queue.record_accept(record=obj, actor=request.user),
            "reject": lambda: queue.record_reject(record=obj, actor=request.user, reason=request.POST.get("reason", "")),
            "send": lambda: queue.record_send(record=obj, actor=request.user),
            "resend": lambda: queue.record_resend(record=obj, actor=request.user),
            "retrieve": lambda: queue.record_retrieve(record=obj, actor=request.user),
            "lock": lambda: queue.record_lock(record=obj, actor=request.user),
            "unlock": lambda: queue.record_unlock(record=obj, actor=request.user),
            "unlink": lambda: queue.record_unlink(record=obj, actor=request.user),
            "accept_overwrite": lambda: queue.record_accept(record=obj, actor=request.user, overwrite_xero_edit=True),
            "accept_xero": lambda: drift_moves.record_accept_xero(record=obj, actor=request.user),
            "reexport": lambda: drift_moves.record_reexport(record=obj, actor=request.user),
            "check_xero": lambda: reconcile.reconcile_records(records=[obj], actor=request.user),
        }
        call = calls.get(action)
        if call is None:
            self.message_user(request, f"Unknown action '{action}'.", messages.ERROR)
        else:
            try:
                call()
                self.message_user(request, f"{capfirst(obj.erp_type_label)} {obj}: {DONE_WORDS[action]}", messages.SUCCESS)
            except (TransitionRefused, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
            except Exception as exc:  # Procore or Xero refused a lock, unlock or unlink: say so, change nothing
                if action not in ("lock", "unlock", "unlink", "check_xero"):
                    raise
                logger.exception("%s of %s failed", action, obj)
                self.message_user(request, f"{obj}: {action} failed, nothing was changed: {exc}", messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the connector's services: visible, never edited by hand."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
