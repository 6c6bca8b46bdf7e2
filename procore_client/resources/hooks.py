"""Webhook hooks and triggers (api/procore.md §15).

Paths and bodies come from the OAS extracts in ``../shared/specs/procore/endpoint-details``.
"""

from __future__ import annotations

from typing import Any

from .base import V10, Calls


class HookCalls(Calls):
    """Webhook hooks and their triggers, company- or project-scoped."""

    # -- webhooks -----------------------------------------------------------------------------------
    def create_webhook_hook(self, destination_url: str, *, namespace: str, authorization: str,
                            api_version: str = "v4", project_id: int | None = None) -> dict:
        """``POST /rest/v1.0/webhooks/hooks``; ``authorization`` is sent back by Procore as the
        ``Authorization`` header of each delivery (see ``webhooks.authorization_header``)."""
        body: dict[str, Any] = {"hook": {"api_version": api_version, "namespace": namespace,
                                         "destination_url": destination_url,
                                         "destination_headers": {"Authorization": authorization}}}
        body.update(self._hook_scope(project_id))
        return self.post(f"{V10}/webhooks/hooks", body)

    def list_webhook_hooks(self, *, namespace: str | None = None, project_id: int | None = None) -> list[dict]:
        params = self._hook_scope(project_id)
        if namespace:
            params["namespace"] = namespace
        return self.get(f"{V10}/webhooks/hooks", params, expect=list)

    def delete_webhook_hook(self, hook_id: int, *, project_id: int | None = None) -> None:
        self.delete(f"{V10}/webhooks/hooks/{int(hook_id)}", params=self._hook_scope(project_id))

    def create_webhook_trigger(self, hook_id: int, resource_name: str, event_type: str, *,
                               project_id: int | None = None, api_version: str = "v4") -> dict:
        body: dict[str, Any] = {"api_version": api_version,
                                "trigger": {"resource_name": resource_name, "event_type": event_type.lower()}}
        body.update(self._hook_scope(project_id))
        return self.post(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers", body)

    def list_webhook_triggers(self, hook_id: int, *, project_id: int | None = None) -> list[dict]:
        return self.get(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers", self._hook_scope(project_id), expect=list)

    def delete_webhook_trigger(self, hook_id: int, trigger_id: int, *, project_id: int | None = None) -> None:
        self.delete(f"{V10}/webhooks/hooks/{int(hook_id)}/triggers/{int(trigger_id)}",
                    params=self._hook_scope(project_id))

    def _hook_scope(self, project_id: int | None) -> dict[str, Any]:
        return {"project_id": int(project_id)} if project_id is not None else {"company_id": self.company_id}
