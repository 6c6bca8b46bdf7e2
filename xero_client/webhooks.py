"""Xero webhooks (api/xero.md §8, REL-4): check the signature, then read the events.

`verify_signature(raw_body, request.headers.get("x-xero-signature"), key)` must be called on the
raw bytes, before any JSON parsing. Answer 401 when it is False (including Intent to Receive),
200 otherwise, within 5 seconds; queue the work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime


class MalformedWebhook(ValueError):
    """The webhook body is not the payload Xero sends (REL-6)."""


def sign(raw_body: bytes, key: str) -> str:
    """base64(HMAC-SHA256(raw body, webhook key)): the value of `x-xero-signature`."""
    digest = hmac.new(key.encode("utf-8"), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(raw_body: bytes, signature_header: str | None, key: str) -> bool:
    """True when `signature_header` is the signature of `raw_body` under `key` (constant-time compare)."""
    if not signature_header or not key or not isinstance(raw_body, bytes | bytearray):
        return False
    try:
        given = base64.b64decode(signature_header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(key.encode("utf-8"), bytes(raw_body), hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


@dataclass(frozen=True)
class WebhookEvent:
    resource_id: str
    event_category: str  # INVOICE, CONTACT, CREDITNOTE, SUBSCRIPTION (kept as given: enums are open)
    event_type: str  # CREATE, UPDATE
    tenant_id: str
    event_date_utc: datetime  # aware, UTC
    resource_url: str | None = None
    tenant_type: str | None = None
    data: dict | None = None

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        """§8: dedupe on (tenantId, resourceId, eventDateUtc)."""
        return (self.tenant_id, self.resource_id, self.event_date_utc.isoformat())


@dataclass(frozen=True)
class WebhookPayload:
    events: list[WebhookEvent] = field(default_factory=list)
    first_event_sequence: int = 0
    last_event_sequence: int = 0
    entropy: str = ""

    @property
    def is_intent_to_receive(self) -> bool:
        return not self.events


def _parse_time(value: object, index: int) -> datetime:
    if not isinstance(value, str) or not value:
        raise MalformedWebhook(f"event {index}: eventDateUtc is missing")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Xero writes up to 7 fractional digits ("2019-04-24T22:51:58.1370000"); Python takes 6.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedWebhook(f"event {index}: eventDateUtc {value!r} is not a timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the field is UTC by name
    return moment.astimezone(UTC)


def parse_events(raw_body: bytes | str) -> WebhookPayload:
    """The events of a (verified) webhook body; raises MalformedWebhook with a clear reason otherwise."""
    try:
        body = json.loads(raw_body)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise MalformedWebhook("webhook body is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise MalformedWebhook("webhook body has no 'events' list")
    events = []
    for index, raw in enumerate(body["events"]):
        if not isinstance(raw, dict):
            raise MalformedWebhook(f"event {index} is not an object")
        for name in ("resourceId", "eventCategory", "eventType", "tenantId"):
            if not isinstance(raw.get(name), str) or not raw[name]:
                raise MalformedWebhook(f"event {index}: {name} is missing")
        data = raw.get("data")
        events.append(WebhookEvent(
            resource_id=raw["resourceId"], event_category=raw["eventCategory"], event_type=raw["eventType"],
            tenant_id=raw["tenantId"], event_date_utc=_parse_time(raw.get("eventDateUtc"), index),
            resource_url=raw.get("resourceUrl"), tenant_type=raw.get("tenantType"),
            data=data if isinstance(data, dict) else None))

    def _int(name: str) -> int:
        value = body.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedWebhook(f"{name} is not an integer")
        return value

    entropy = body.get("entropy", "")
    return WebhookPayload(events=events, first_event_sequence=_int("firstEventSequence"),
                          last_event_sequence=_int("lastEventSequence"),
                          entropy=entropy if isinstance(entropy, str) else "")
