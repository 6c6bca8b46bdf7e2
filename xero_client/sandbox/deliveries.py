"""The Xero sandbox's webhook deliveries (api/xero.md §8)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC

from werkzeug.wrappers import Request

from ..webhooks import sign
from .wire import log


def _post(url: str, headers: dict, body: bytes):
    import requests

    return requests.post(url, data=body, headers=headers, timeout=5)


class WebhookDeliveries:
    """Signed webhook payloads of contact, invoice and credit note events."""

    # ------------------------------------------------------------------ webhooks (§8)
    def _deliver(self, events: list, request: Request) -> None:
        """§8: when a contact, invoice or credit note changes, POST a signed payload of events
        (IDs only) to the configured URL: x-xero-signature = base64(HMAC-SHA256(body, key))."""
        if not events or not self.webhook_url or not self.webhook_key:
            return
        base = request.host_url.rstrip("/") + request.script_root
        with self._lock:
            first = self._event_sequence + 1
            self._event_sequence += len(events)
            last = self._event_sequence
        now = self.clock().astimezone(UTC)
        payload_events = []
        for tenant, category, event_type, resource_id, data in events:
            collection = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}[category]
            event = {"resourceUrl": f"{base}/api.xro/2.0/{collection}/{resource_id}", "resourceId": resource_id,
                     "eventDateUtc": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}",
                     "eventType": event_type, "eventCategory": category, "tenantId": tenant,
                     "tenantType": "ORGANISATION"}
            if data:
                event["data"] = data
            payload_events.append(event)
        body = json.dumps({"events": payload_events, "firstEventSequence": first, "lastEventSequence": last,
                           "entropy": secrets.token_hex(10).upper()}).encode("utf-8")
        headers = {"Content-Type": "application/json", "x-xero-signature": sign(body, self.webhook_key)}
        record = {"url": self.webhook_url, "headers": headers, "body": body, "ok": False}
        try:
            result = self.deliver(self.webhook_url, headers, body)
            status = getattr(result, "status_code", 200)
            record["ok"] = 200 <= int(status) < 300
        except Exception as exc:  # noqa: BLE001 - a failed delivery never breaks the API call (§8 retries)
            log.warning("sandbox webhook delivery failed: %s", type(exc).__name__)
        with self._lock:
            self.webhook_deliveries.append(record)
