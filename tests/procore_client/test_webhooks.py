"""Procore webhooks: authorization, parsing of payload versions 2-4, sandbox deliveries (REL-4)."""

from __future__ import annotations

import json

import pytest
import requests
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from procore_client.sandbox import ProcoreSandbox
from procore_client.webhooks import (
    WebhookPayloadError,
    authorization_header,
    check_authorization,
    parse_event,
)
from tests.fixtures.sandbox_transport import mount

SECRET = "s3cret-value"


@pytest.mark.parametrize(
    ("header", "ok"),
    [(f"Bearer {SECRET}", True), (SECRET, True), ("bearer  s3cret-value", True), ("Bearer wrong", False),
     ("", False), (None, False), (f"Bearer {SECRET}x", False)],
)
def test_check_authorization(header, ok):
    """REL-4: deliveries are checked against the secret registered as their Authorization header."""
    assert check_authorization(header, SECRET) is ok


def test_empty_expected_secret_never_matches():
    """REL-4: a webhook with an empty Authorization, or a link with no secret set, is never accepted."""
    assert check_authorization("Bearer ", "") is False
    assert check_authorization("", None) is False


V2 = {"id": 99, "ulid": "01HZX3Y4K5M6N7P8Q9R0S1T2V3", "timestamp": "2026-01-05T10:00:00.000Z",
      "metadata": {"source_user_id": 5, "source_project_id": 7, "source_company_id": 3,
                   "source_application_id": "app-1", "source_operation_id": None},
      "user_id": 5, "company_id": 3, "project_id": 7, "api_version": "v2.0", "event_type": "update",
      "resource_name": "Direct Costs", "resource_id": 1234}


def test_parse_v2():
    """REL-4: a v2 payload is normalised and keeps its ulid for deduplication."""
    event = parse_event(json.dumps(V2).encode())
    assert (event.ulid, event.resource_name, event.resource_id, event.event_type) == (
        V2["ulid"], "Direct Costs", 1234, "update")
    assert (event.company_id, event.project_id, event.source_application_id) == (3, 7, "app-1")
    assert event.timestamp.tzinfo is not None


def test_parse_v3_keeps_related_resources():
    """REL-4: a v3 delivery keeps its related resources (the record a line item's event belongs to)."""
    body = {**V2, "api_version": "v3.0", "resource_name": "Direct Cost Line Items",
            "related_resources": [{"name": "Direct Costs", "id": 1234}]}
    event = parse_event(json.dumps(body))
    assert event.related_resources == ({"name": "Direct Costs", "id": 1234},)


def test_parse_v4_string_ids_reason_and_resource_type():
    """REL-4: a v4 delivery (string ids, reason, resource_type) parses to the same event as older versions,
    ids past 32 bits included."""
    body = {"id": "01HZX3Y4K5M6N7P8Q9R0S1T2V4", "timestamp": "2026-01-05T10:00:00Z", "api_version": "v4.0",
            "company_id": "3", "project_id": None, "reason": "create", "resource_type": "Company Vendors",
            "resource_id": "562949953421312"}
    event = parse_event(json.dumps(body))
    assert event.ulid == "01HZX3Y4K5M6N7P8Q9R0S1T2V4"
    assert (event.resource_name, event.resource_id, event.event_type) == ("Company Vendors", 562949953421312,
                                                                          "create")
    assert (event.company_id, event.project_id) == (3, None)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b"\xff\xfe", json.dumps({**V2, "ulid": None}).encode(),
     json.dumps({**V2, "event_type": "explode"}).encode(), json.dumps({**V2, "resource_id": "abc"}).encode(),
     json.dumps({k: v for k, v in V2.items() if k != "resource_name"}).encode()],
)
def test_malformed_bodies_get_a_clear_error(body):
    """REL-6: a malformed webhook body raises WebhookPayloadError with a message."""
    with pytest.raises(WebhookPayloadError) as info:
        parse_event(body)
    assert info.value.message


def _hooked_sandbox(procore_client, sandbox, version, resource="Company Vendors", events=("create", "update")):
    hook = procore_client.create_webhook_hook("https://connector.example/webhooks/procore",
                                              namespace="xero-connector", authorization=authorization_header(SECRET),
                                              api_version=version)
    for event in events:
        procore_client.create_webhook_trigger(hook["id"], resource, event)
    return hook


@pytest.mark.parametrize("version", ["v2", "v3", "v4"])
def test_sandbox_delivers_events_with_the_registered_authorization(procore_client, procore_sandbox, version):
    """REL-4: create/update of a triggered resource is delivered with the registered Authorization
    header and a ulid; the connector's parser reads every payload version."""
    received = []
    procore_sandbox.deliver = lambda url, headers, body: received.append((url, headers, body)) or 200
    _hooked_sandbox(procore_client, procore_sandbox, version)
    vendor = procore_client.create_vendor({"name": "Acme"})  # API write: delivered after the answer
    procore_sandbox.update_record("vendor", vendor["id"], {"name": "Acme 2"})  # a user edit
    procore_sandbox.create_record("project", {"name": "no trigger for projects"})
    assert len(received) == 2
    events = [parse_event(body) for _, _, body in received]
    assert [e.event_type for e in events] == ["create", "update"]
    assert {e.resource_id for e in events} == {vendor["id"]}
    assert all(check_authorization(h["Authorization"], SECRET) for _, h, _ in received)
    assert len({e.ulid for e in events}) == 2


def test_failed_deliveries_are_retried_until_they_succeed(procore_client, procore_sandbox):
    """REL-4: delivery is at least once: a failing receiver gets the event again later."""
    outcomes = iter([500, ConnectionError("down"), 200])
    received = []

    def deliver(url, headers, body):
        received.append(body)
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    procore_sandbox.deliver = deliver
    _hooked_sandbox(procore_client, procore_sandbox, "v2")
    procore_sandbox.create_record("vendor", {"name": "Acme"})
    assert procore_sandbox.state()["pending_deliveries"] == 1
    procore_sandbox.flush_deliveries()
    procore_sandbox.flush_deliveries()
    assert procore_sandbox.state()["pending_deliveries"] == 0
    assert len(received) == 3 and len(set(received)) == 1  # same event, same ulid
    assert procore_sandbox.deliveries[0]["outcome"] == "retried"


def test_hooks_and_triggers_can_be_listed_and_deleted(procore_client, procore_sandbox):
    """REL-4: the webhook hooks and triggers the connector subscribes with can be listed and deleted again."""
    hook = _hooked_sandbox(procore_client, procore_sandbox, "v4", resource="Direct Costs", events=("delete",))
    assert [h["id"] for h in procore_client.list_webhook_hooks(namespace="xero-connector")] == [hook["id"]]
    triggers = procore_client.list_webhook_triggers(hook["id"])
    assert [(t["resource_name"], t["event_type"]) for t in triggers] == [("Direct Costs", "delete")]
    procore_client.delete_webhook_trigger(hook["id"], triggers[0]["id"])
    assert procore_client.list_webhook_triggers(hook["id"]) == []
    procore_client.delete_webhook_hook(hook["id"])
    assert procore_client.list_webhook_hooks() == []


def test_sandbox_mounted_under_a_prefix_builds_urls_from_the_request():
    """FID-1: the sandbox command mounts it under /procore and /procore-login: Link headers and the authorize
    redirect must not assume the root."""
    sandbox = ProcoreSandbox(deliver=lambda *a: 200)
    app = DispatcherMiddleware(lambda e, s: s("404 Not Found", []) or [b""],
                               {"/procore": sandbox.wsgi_app, "/procore-login": sandbox.wsgi_app})
    session = requests.Session()
    mount(session, ["http://localhost:8000"], app)
    token = sandbox.issue_token()
    for i in range(3):
        sandbox.create_record("vendor", {"name": f"V{i}"})
    answer = session.get("http://localhost:8000/procore/rest/v1.0/vendors",
                         params={"company_id": sandbox.company_id, "per_page": 2},
                         headers={"Authorization": f"Bearer {token.access_token}",
                                  "Procore-Company-Id": str(sandbox.company_id)})
    assert answer.status_code == 200
    assert '<http://localhost:8000/procore/rest/v1.0/vendors?' in answer.headers["Link"]
    assert 'rel="next"' in answer.headers["Link"] and answer.headers["Total"] == "3"
    redirect = session.get("http://localhost:8000/procore-login/oauth/authorize",
                           params={"client_id": "c", "response_type": "code", "redirect_uri": "/cb", "state": "s"},
                           allow_redirects=False)
    assert redirect.headers["Location"].startswith("http://localhost:8000/cb?code=")
