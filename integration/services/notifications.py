"""Email (SYNC-9): the rejection notice to the sender, and the daily summary to the approvers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail


def notify_rejection(*, record_ref: tuple, sender_id: int | None, reason: str) -> bool:
    """Tell the person who sent a record that the approver rejected it, and why."""
    if sender_id is None:
        return False
    sender = get_user_model().objects.filter(pk=sender_id).first()
    if sender is None or not sender.email:
        return False
    model, pk = record_ref
    record = model.objects.filter(pk=pk).first()
    if record is None:
        return False
    subject = f"Rejected for export to Xero: {record.erp_type_label} {record}"
    body = (
        f"Hello {sender.get_full_name() or sender.get_username()},\n\n"
        f"The accounting approver rejected the {record.erp_type_label} '{record}' that you sent for export to Xero.\n\n"
        f"Reason: {reason}\n\n"
        "Correct it in Procore, then resend it from the connector's admin.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [sender.email])
    return True


DAILY_SUMMARY_SUBJECT = "ERP Integrations Daily Summary"


def send_daily_summary(*, now=None) -> int:
    """SYNC-9: one "ERP Integrations Daily Summary" to each accounting approver with an email address,
    while anything awaits approval: per link and type, how many records wait and since when, by age,
    with a link to each queue. Nothing is sent when nothing awaits. Returns the number of emails sent."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import timezone

    from integration import reports

    now = now or timezone.now()
    awaiting = reports.awaiting_approval(now=now)
    if not awaiting:
        return 0
    base = public_base_url()
    by_link: dict[str, list] = {}
    for row in awaiting:
        row.url = (base + reverse(f"admin:integration_{row.model_name}_changelist")
                   + f"?link__id__exact={row.link_id}&erp_status__in=ready_to_export,ready_to_update")
        by_link.setdefault(row.link_name, []).append(row)
    total = sum(r.total for r in awaiting)
    sent = 0
    for approver in reports.approvers():
        if not approver.email:
            continue
        context = {"approver": approver, "by_link": by_link, "total": total, "now": now,
                   "age_buckets": reports.AGE_BUCKETS, "dashboard_url": base + reverse("admin:index")}
        message = EmailMultiAlternatives(
            DAILY_SUMMARY_SUBJECT,
            render_to_string("emails/daily_summary.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [approver.email],
        )
        message.attach_alternative(render_to_string("emails/daily_summary.html", context), "text/html")
        message.send()
        sent += 1
    return sent


def public_base_url() -> str:
    """Where people open the admin, for absolute links in emails (CONNECTOR_BASE_URL)."""
    return settings.CONNECTOR_BASE_URL.rstrip("/")
