"""Email (SYNC-9): the rejection notice to the sender."""

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
