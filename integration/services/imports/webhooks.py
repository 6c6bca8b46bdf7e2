"""Webhook deliveries (REL-4): check, deduplicate, enqueue a targeted sync. Never the work itself.

``xero_webhook_receive(*, raw_body, signature)`` and ``procore_webhook_receive(*, raw_body, authorization)``
return a ``Receipt`` (HTTP status + a short message) for ``integration.webhooks``:
- a bad or missing signature / Authorization → 401, nothing stored;
- a correctly signed Xero "intent to receive" (no events) → 200;
- a body that is not the provider's payload → 400 with the reason (REL-6), nothing stored;
- each event is stored once in ``WebhookEvent`` (unique source + key: Xero's (tenantId, resourceId,
  eventDateUtc), Procore's ``ulid``); a new one for a known link enqueues one task on commit:
  Xero INVOICE / CREDITNOTE / CONTACT → ``integration.tasks.import_xero_document``; Procore →
  ``integration.tasks.pull_record``. A duplicate enqueues nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from integration.models import CompanyLink, WebhookEvent

from .schedules import enqueue_import

log = logging.getLogger(__name__)

XERO_CATEGORIES = {"INVOICE", "CREDITNOTE", "CONTACT"}


@dataclass(frozen=True)
class Receipt:
    status: int
    message: str = ""
    queued: int = 0


def _remember(source: str, key: str, payload: dict) -> bool:
    """True when the event is new (stored now), False for a duplicate delivery."""
    try:
        with transaction.atomic():
            _, created = WebhookEvent.objects.get_or_create(source=source, event_key=key[:255],
                                                            defaults={"payload": payload})
    except IntegrityError:  # the same event delivered twice at once
        return False
    return created


def xero_webhook_receive(*, raw_body: bytes, signature: str | None) -> Receipt:
    from xero_client.webhooks import MalformedWebhook, parse_events, verify_signature

    if not verify_signature(raw_body, signature, settings.XERO_WEBHOOK_KEY):
        return Receipt(401, "bad signature")
    try:
        payload = parse_events(raw_body)
    except MalformedWebhook as exc:
        return Receipt(400, str(exc))
    if payload.is_intent_to_receive:
        return Receipt(200, "intent to receive")
    queued = 0
    with transaction.atomic():
        links: dict[str, list[CompanyLink]] = {}
        for link in CompanyLink.objects.filter(is_active=True).exclude(xero_tenant_id="").order_by("pk"):
            links.setdefault(link.xero_tenant_id.lower(), []).append(link)
        for event in payload.events:
            key = "|".join(event.dedupe_key)
            record = {"category": event.event_category, "type": event.event_type, "resource": event.resource_id,
                      "tenant": event.tenant_id, "date": event.event_date_utc.isoformat()}
            if not _remember("xero", key, record):
                continue
            if event.event_category.upper() not in XERO_CATEGORIES:
                continue
            # One organisation has one link (SEC-3); should that ever change, every link of it hears the event.
            for link in links.get(event.tenant_id.lower(), []):
                enqueue_import(kind="xero_document", link=link, trigger="webhook",
                               category=event.event_category.upper(), resource_id=event.resource_id)
                queued += 1
    return Receipt(200, f"{queued} queued", queued)


def procore_webhook_receive(*, raw_body: bytes, authorization: str | None) -> Receipt:
    from procore_client.webhooks import WebhookPayloadError, check_authorization, parse_event

    if not check_authorization(authorization, settings.PROCORE_WEBHOOK_SECRET):
        return Receipt(401, "bad authorization")
    try:
        event = parse_event(raw_body)
    except WebhookPayloadError as exc:
        return Receipt(400, str(exc))
    record = {"resource": event.resource_name, "id": event.resource_id, "type": event.event_type,
              "company": event.company_id, "project": event.project_id}
    with transaction.atomic():
        if not _remember("procore", event.ulid, record):
            return Receipt(200, "duplicate")
        links = list(CompanyLink.objects.filter(is_active=True, procore_company_id=event.company_id).order_by("pk")) \
            if event.company_id is not None else []
        if not links:
            return Receipt(200, "no link for this company")
        for link in links:  # a Procore company may pair with several organisations: each link pulls the record
            enqueue_import(kind="pull_record", link=link, trigger="webhook", resource_name=event.resource_name,
                           resource_id=event.resource_id, project_id=event.project_id)
    return Receipt(200, f"{len(links)} queued", len(links))
