"""Email (SYNC-9): the rejection notice to the sender, and the daily summary to the approvers."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

logger = logging.getLogger(__name__)

# Every line boundary str.splitlines knows, and the other control characters: a header built from
# Procore or Xero data (a vendor named "Ev\r\nBcc: x@evil.example") keeps to one line (SEC-4).
_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
HEADER_MAX = 200


def header_text(value) -> str:
    """Text fit for an email header: line breaks and control characters become one space, and it is
    cut to HEADER_MAX characters, so no data can add a header or make Django raise BadHeaderError."""
    text = _HEADER_BREAKS.sub(" ", str(value)).strip()
    return text if len(text) <= HEADER_MAX else text[: HEADER_MAX - 1] + "…"


def notify_rejection(*, record_ref: tuple, sender_id: int | None, reason: str) -> bool:
    """Tell the person who sent a record that the approver rejected it, and why. It runs after the
    rejection is committed: a failure to send is logged and returns False, it never undoes or fails
    the decision (SEC-4)."""
    try:
        return _notify_rejection(record_ref=record_ref, sender_id=sender_id, reason=reason)
    except Exception:  # the mail server, the backend or the data: the rejection stands either way
        logger.exception("The rejection notice for %s #%s was not sent", record_ref[0].__name__, record_ref[1])
        return False


def _notify_rejection(*, record_ref: tuple, sender_id: int | None, reason: str) -> bool:
    if sender_id is None:
        return False
    sender = get_user_model().objects.filter(pk=sender_id).first()
    if sender is None or not sender.email:
        return False
    model, pk = record_ref
    record = model.objects.filter(pk=pk).first()
    if record is None:
        return False
    subject = header_text(f"Rejected for export to Xero: {record.erp_type_label} {record}")
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
        try:
            message.send()
        except Exception:  # one refused address or a mail server hiccup: the other approvers still get theirs
            logger.exception("The daily summary to user #%s was not sent", approver.pk)
            continue
        sent += 1
    return sent


def public_base_url() -> str:
    """Where people open the admin, for absolute links in emails (CONNECTOR_BASE_URL)."""
    return settings.CONNECTOR_BASE_URL.rstrip("/")
