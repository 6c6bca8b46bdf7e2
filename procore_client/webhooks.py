"""Procore webhook deliveries: authorization check and event parsing (REL-4).

Procore does not sign deliveries; it echoes the ``destination_headers`` registered with the hook,
so the connector registers ``Authorization: Bearer <secret>`` and checks it here
(api/procore.md §15 — absence of signing is UNCONFIRMED, no evidence of any).

Payload versions (api/procore.md §15, ``DOC:plan_your_app/webhooks.md``):
  v2: ``{id, ulid, timestamp, metadata{...}, user_id, company_id, project_id, api_version,
        event_type, resource_name, resource_id}``
  v3: v2 + ``related_resources[]``
  v4: string ids, ``reason`` instead of ``event_type``, ``resource_type`` instead of ``resource_name``.
Events are thin: fetch the resource afterwards. Duplicates happen: deduplicate on ``ulid``.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import ProcoreError


class WebhookPayloadError(ProcoreError):
    """A delivery body that is not a Procore event (REL-6: clear message, nothing changed)."""


_BEARER = re.compile(r"^\s*bearer\s+", re.IGNORECASE)
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$", re.IGNORECASE)
_EVENT_TYPES = {
    "create": "create", "created": "create", "update": "update", "updated": "update",
    "delete": "delete", "deleted": "delete", "destroy": "delete", "destroyed": "delete",
}  # fmt: skip


def authorization_header(secret: str) -> str:
    """The value to register as the hook's ``destination_headers.Authorization``."""
    return f"Bearer {secret}"


def check_authorization(header_value: str | None, expected_secret: str | None) -> bool:
    """True when the delivery's ``Authorization`` header carries the secret (constant time).

    Accepts ``Bearer <secret>`` and the bare secret. Missing header or empty secret → False.
    """
    if not header_value or not expected_secret:
        return False
    given = _BEARER.sub("", header_value).strip()
    expected = _BEARER.sub("", expected_secret).strip()
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True)
class WebhookEvent:
    """One normalised delivery. ``event_type`` is ``create``/``update``/``delete``; ids are int."""

    ulid: str
    resource_name: str
    resource_id: int
    event_type: str
    company_id: int | None
    project_id: int | None
    payload_version: str
    event_id: int | str | None = None
    user_id: int | None = None
    timestamp: datetime | None = None
    source_application_id: str | None = None
    related_resources: tuple[dict[str, Any], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _int(value: Any, name: str, *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise WebhookPayloadError(f"webhook payload lacks {name}")
        return None
    if isinstance(value, bool):
        raise WebhookPayloadError(f"webhook payload field {name} is not an id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise WebhookPayloadError(f"webhook payload field {name} is not an id: {str(value)[:40]!r}")


def parse_event(raw_body: bytes | str) -> WebhookEvent:
    """Parse a delivery body of payload version 2, 3 or 4; raise WebhookPayloadError when malformed."""
    if isinstance(raw_body, bytes | bytearray):
        try:
            raw_body = raw_body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookPayloadError("webhook body is not UTF-8") from None
    try:
        data = json.loads(raw_body)
    except (ValueError, TypeError):
        raise WebhookPayloadError("webhook body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError("webhook body is not a JSON object")

    is_v4 = "resource_type" in data or "reason" in data
    name = data.get("resource_type") if is_v4 else data.get("resource_name")
    kind = data.get("reason") if is_v4 else data.get("event_type")
    if not isinstance(name, str) or not name.strip():
        raise WebhookPayloadError("webhook payload lacks resource_name/resource_type")
    if not isinstance(kind, str) or kind.strip().lower() not in _EVENT_TYPES:
        raise WebhookPayloadError(f"webhook payload has an unknown event type: {str(kind)[:40]!r}")

    ulid = data.get("ulid")
    if not ulid and is_v4 and isinstance(data.get("id"), str) and _ULID.match(data["id"]):
        # UNCONFIRMED: v4 examples are scarce; when no "ulid" key is present a ULID-shaped "id" is used.
        ulid = data["id"]
    if not isinstance(ulid, str) or not ulid.strip():
        raise WebhookPayloadError("webhook payload lacks its ulid")

    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    version = str(data.get("api_version") or data.get("payload_version") or ("v4.0" if is_v4 else "v2.0"))
    timestamp = None
    if isinstance(data.get("timestamp"), str):
        try:
            timestamp = datetime.fromisoformat(data["timestamp"])
            if timestamp.tzinfo is None:
                timestamp = timestamp.replace(tzinfo=UTC)
        except ValueError:
            raise WebhookPayloadError("webhook payload has a bad timestamp") from None
    related = data.get("related_resources") or []
    if not isinstance(related, list):
        raise WebhookPayloadError("webhook payload related_resources is not a list")
    source_app = metadata.get("source_application_id")
    return WebhookEvent(
        ulid=ulid.strip(),
        resource_name=name.strip(),
        resource_id=_int(data.get("resource_id"), "resource_id", required=True),
        event_type=_EVENT_TYPES[kind.strip().lower()],
        company_id=_int(data.get("company_id", metadata.get("source_company_id")), "company_id", required=False),
        project_id=_int(data.get("project_id", metadata.get("source_project_id")), "project_id", required=False),
        payload_version=version,
        event_id=data.get("id"),
        user_id=_int(data.get("user_id"), "user_id", required=False),
        timestamp=timestamp,
        source_application_id=str(source_app) if source_app is not None else None,
        related_resources=tuple(r for r in related if isinstance(r, dict)),
        raw=data,
    )
