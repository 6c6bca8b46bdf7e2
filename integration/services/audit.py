"""One audit row per transition or attempt (SYNC-1); secrets are scrubbed first (REL-7)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from integration.models import AuditEvent
from integration.redaction import redact


def person_name(user) -> str:
    """A user as people know them: the full name, else the username exactly as typed."""
    return (user.get_full_name() or "").strip() or user.get_username()


def actor_name(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def _json_safe(value: Any) -> Any:
    """Decimals, dates and other values as JSON-safe text, after redaction."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    if value is None:
        return None
    return json.loads(json.dumps(redact(value), cls=DjangoJSONEncoder))


def audit_record(
    record,
    *,
    action: str,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    payload: Any = None,
    response: Any = None,
    link=None,
) -> AuditEvent:
    event = audit_event(record, action=action, actor=actor, from_status=from_status, to_status=to_status,
                        message=message, payload=payload, response=response, link=link)
    event.save()
    return event


def audit_event(
    record,
    *,
    action: str,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
    payload: Any = None,
    response: Any = None,
    link=None,
) -> AuditEvent:
    """The audit row of `audit_record`, unsaved: a batch writes its rows with one `bulk_create` (PERF-6)."""
    user = actor if actor is not None and not isinstance(actor, str) else None
    return AuditEvent(
        link=link if link is not None else getattr(record, "link", None),
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        record_label=str(record)[:300] if record is not None else "",
        actor=user,
        actor_name=actor_name(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        message=redact(message) if message else "",
        payload=_json_safe(payload),
        response=_json_safe(response),
    )
