"""Webhooks of the Procore sandbox: hooks, triggers and at-least-once deliveries (api/procore.md §15)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from .records import KINDS, ValidationFailed
from .wire import Reply

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(ts: float) -> str:
    value = (int(ts * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _default_deliver(url: str, headers: dict[str, str], body: bytes) -> int:
    import requests

    return requests.post(url, data=body, headers=headers, timeout=5).status_code


def _payload(version: str, *, ulid: str, event_id: int, now: float, company_id: int, project_id: int | None,
             resource_name: str, resource_id: int, event_type: str, source_app: str | None) -> dict[str, Any]:
    metadata = {"source_user_id": 1, "source_project_id": project_id, "source_company_id": company_id,
                "source_application_id": source_app, "source_operation_id": None}
    timestamp = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if version.startswith("v4"):
        # §15: v4 uses string ids, "reason" for event_type and "resource_type" for resource_name.
        # The exact v4 envelope is UNCONFIRMED; the sandbox keeps ulid and the v2 keys it does not rename.
        return {"id": ulid, "ulid": ulid, "timestamp": timestamp, "api_version": "v4.0",
                "company_id": str(company_id), "project_id": str(project_id) if project_id else None,
                "user_id": "1", "reason": event_type, "resource_type": resource_name,
                "resource_id": str(resource_id),
                "metadata": {k: (str(v) if v is not None else None) for k, v in metadata.items()}}
    body = {"id": event_id, "ulid": ulid, "timestamp": timestamp, "metadata": metadata, "user_id": 1,
            "company_id": company_id, "project_id": project_id, "api_version": "v2.0" if version.startswith(
                "v2") else "v3.0", "event_type": event_type, "resource_name": resource_name,
            "resource_id": resource_id}
    if version.startswith("v3"):
        body["related_resources"] = []  # §15: v3 adds related_resources[]
    return body


class HookRoutes:
    """Hooks and triggers, the events of every write and their deliveries."""

    # -- webhooks (§15) ---------------------------------------------------------------------------
    def _hook_scope(self, request: Request, body: dict[str, Any] | None = None) -> tuple[int | None, int | None]:
        source = body if body is not None else request.args
        company, project = source.get("company_id"), source.get("project_id")
        if company in (None, "") and project in (None, ""):
            # OAS:RestV10WebhooksHooksPost: "Hooks must be created within a company and/or project scope."
            raise Reply(400, {"errors": "company_id or project_id is required"})
        if project not in (None, ""):
            return None, self._project_param(request, value=int(project))
        if int(company) != self.company_id:
            raise Reply(404, {"errors": "Company not found"})
        return self.company_id, None

    def h_hooks(self, request: Request) -> Response:
        if request.method == "GET":
            company, project = self._hook_scope(request)
            namespace = request.args.get("namespace")
            hooks = [h for h in self.hooks.values() if h["owned_by_company_id"] == company
                     and h["owned_by_project_id"] == project and (not namespace or h["namespace"] == namespace)]
            return self._json(hooks)
        body = self._body(request)
        company, project = self._hook_scope(request, body)
        hook = self._wrapped(body, "hook")
        errors = {}
        for name in ("namespace", "destination_url"):
            if not hook.get(name):
                errors[name] = ["can't be blank"]
        version = str(hook.get("api_version") or "v2")
        if version not in ("v2", "v3", "v4", "v2.0", "v3.0", "v4.0"):
            errors["api_version"] = ["is not included in the list"]
        if errors:
            raise ValidationFailed(errors)
        headers = hook.get("destination_headers") or {}
        if not isinstance(headers, dict):
            raise ValidationFailed({"destination_headers": ["must be an object"]})
        record = {"id": self.store.new_id(), "api_version": version, "namespace": hook["namespace"],
                  "destination_url": hook["destination_url"], "destination_headers": dict(headers),
                  "owned_by_company_id": company, "owned_by_project_id": project, "owned_by_user_id": 1}
        self.hooks[record["id"]] = record
        return self._json(record, 201)

    def h_hook(self, request: Request, id: int) -> Response:
        hook = self.hooks.get(id)
        if hook is None:
            raise Reply(404, {"errors": "Hook not found"})
        if request.method == "DELETE":
            del self.hooks[id]
            self.triggers = {k: t for k, t in self.triggers.items() if t["webhook_hook_id"] != id}
            return self._json(None, 204)
        data = self._wrapped(self._body(request), "hook")
        for name in ("namespace", "destination_url", "destination_headers", "api_version"):
            if name in data:
                hook[name] = data[name]
        return self._json(hook)

    def h_triggers(self, request: Request, hook_id: int) -> Response:
        hook = self.hooks.get(hook_id)
        if hook is None:
            raise Reply(404, {"errors": "Hook not found"})
        if request.method == "GET":
            return self._json([t for t in self.triggers.values() if t["webhook_hook_id"] == hook_id])
        body = self._body(request)
        company, project = self._hook_scope(request, body)
        trigger = self._wrapped(body, "trigger")
        event_type = str(trigger.get("event_type") or "").lower()
        names = {k.resource_name for k in KINDS.values() if k.resource_name}
        errors = {}
        if trigger.get("resource_name") not in names:
            errors["resource_name"] = ["is not included in the list"]
        if event_type not in ("create", "update", "delete"):
            errors["event_type"] = ["is not included in the list"]
        if errors:
            raise ValidationFailed(errors)
        record = {"id": self.store.new_id(), "webhook_hook_id": hook_id, "resource_name": trigger["resource_name"],
                  "resource_id": None, "event_type": event_type, "company_id": company, "project_id": project,
                  "user_id": 1}
        self.triggers[record["id"]] = record
        return self._json(record, 201)

    def h_trigger(self, request: Request, hook_id: int, id: int) -> Response:
        trigger = self.triggers.get(id)
        if trigger is None or trigger["webhook_hook_id"] != hook_id:
            raise Reply(404, {"errors": "Trigger not found"})
        del self.triggers[id]
        return self._json(None, 204)

    # -- deliveries (§15: at least once, Authorization header echoed, ulid for dedup) -------------
    def _event(self, kind: str, event_type: str, record: dict[str, Any], *, source_app: str | None) -> None:
        name = KINDS[kind].resource_name
        if not name:
            return
        project_id = record.get("project_id")
        for trigger in self.triggers.values():
            hook = self.hooks.get(trigger["webhook_hook_id"])
            if hook is None or trigger["resource_name"] != name or trigger["event_type"] != event_type:
                continue
            if hook["owned_by_project_id"] is not None and hook["owned_by_project_id"] != project_id:
                continue
            ulid = new_ulid(self.clock())
            body = _payload(hook["api_version"], ulid=ulid, event_id=self.store.new_id(), now=self.clock(),
                            company_id=self.company_id, project_id=project_id, resource_name=name,
                            resource_id=record["id"], event_type=event_type, source_app=source_app)
            headers = {"Content-Type": "application/json", **hook["destination_headers"]}
            delivery = {"hook_id": hook["id"], "url": hook["destination_url"], "ulid": ulid, "attempts": 0,
                        "outcome": "pending", "body": body, "headers": headers}
            self.deliveries.append(delivery)
            self._pending.append(delivery)

    def flush_deliveries(self) -> int:
        """Try every pending delivery once; failures stay pending (retried on the next flush)."""
        with self._lock:
            pending, self._pending = self._pending, []
        delivered = 0
        failed = []
        for delivery in pending:
            delivery["attempts"] += 1
            try:
                result = self.deliver(delivery["url"], dict(delivery["headers"]),
                                      json.dumps(delivery["body"]).encode("utf-8"))
                status = getattr(result, "status_code", result)
                ok = status is None or (isinstance(status, int) and 200 <= status < 300)
            except Exception:  # noqa: BLE001 - any failure of the receiver means "retry later"
                ok, status = False, None
            delivery["response_status"] = status if isinstance(status, int) else None
            if ok:
                delivery["outcome"] = "ok" if delivery["attempts"] == 1 else "retried"
                delivered += 1
            else:
                delivery["outcome"] = "failing"
                failed.append(delivery)
        with self._lock:
            self._pending = failed + self._pending
        return delivered
