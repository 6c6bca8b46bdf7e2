"""Hostile webhook deliveries (REL-4, REL-6, issue 9 item 4): huge, malformed, replayed, for Xero and
Procore. Each is refused (401/400/413) or deduplicated; nothing is enqueued twice; nothing answers 500.
(Signatures, the handshake and the plain duplicate are in tests/imports/test_webhooks.py.)"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from integration.models import CompanyLink, WebhookEvent
from integration.webhooks import MAX_BODY_BYTES
from xero_client.webhooks import sign

KEY = "xero-hostile-key"
SECRET = "procore-hostile-secret"
pytestmark = pytest.mark.django_db

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                           max_leaves=20)


@pytest.fixture
def queued(monkeypatch, settings):
    settings.XERO_WEBHOOK_KEY, settings.PROCORE_WEBHOOK_SECRET = KEY, SECRET
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: calls.append((func, args, kwargs)))
    return calls


@pytest.fixture
def link(db):
    return CompanyLink.objects.create(name="Hook Builders", procore_company_id=42,
                                      xero_tenant_id="7a0b2c3d-1111-2222-3333-444455556666")


def xero_event(link, resource="0b8a6e57-3c1d-4e0e-9a55-6f1c2b3d4e5f", when="2026-05-04T09:00:00.123"):
    return {"resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource}", "resourceId": resource,
            "eventDateUtc": when, "eventType": "UPDATE", "eventCategory": "INVOICE", "tenantId": link.xero_tenant_id,
            "tenantType": "ORGANISATION"}


def xero_body(events, entropy="E", seq=1) -> bytes:
    return json.dumps({"events": events, "firstEventSequence": seq, "lastEventSequence": seq, "entropy": entropy}).encode()


def post_xero(client, body, signature=None):
    return client.post("/webhooks/xero", data=body, content_type="application/json",
                       HTTP_X_XERO_SIGNATURE=sign(body, KEY) if signature is None else signature)


def post_procore(client, body, auth=f"Bearer {SECRET}"):
    return client.post("/webhooks/procore", data=body, content_type="application/json", HTTP_AUTHORIZATION=auth)


def procore_body(**overrides) -> bytes:
    data = {"ulid": "01HZX3J5Q6W7E8R9T0Y1U2I3O4", "resource_name": "Commitments", "resource_id": 77,
            "event_type": "update", "company_id": 42, "project_id": 9, "api_version": "v2"}
    data.update(overrides)
    return json.dumps(data).encode()


def test_huge_bodies_are_refused_before_they_are_read(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: a body over the limit answers 413 for both, signed or not; nothing stored or queued."""
    huge = xero_body([xero_event(link)] * 1) + b" " * (MAX_BODY_BYTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_xero(client, huge).status_code == 413
        assert post_procore(client, procore_body() + b" " * (MAX_BODY_BYTES + 1)).status_code == 413
        # a Content-Length that lies (smaller than the body) gives a truncated body: its signature fails
        body = xero_body([xero_event(link)])
        answer = client.generic("POST", "/webhooks/xero", body + b"x" * 1000, content_type="application/json",
                                HTTP_X_XERO_SIGNATURE=sign(body + b"x" * 1000, KEY), CONTENT_LENGTH=str(len(body)))
        assert answer.status_code == 401
        answer = client.generic("POST", "/webhooks/procore", procore_body(), content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {SECRET}", CONTENT_LENGTH="not-a-number")
        assert answer.status_code == 413
    assert queued == [] and not WebhookEvent.objects.exists()


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_signed_xero_body_is_refused_or_accepted_never_a_crash(link, queued, body):
    """REL-6: whatever a correctly signed body holds, the answer is 200 or 400 with a reason, never a 500."""
    answer = post_xero(Client(raise_request_exception=True), body)
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert answer.content


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from(["ulid", "resource_name", "resource_id", "event_type", "company_id",
                                              "project_id", "timestamp", "metadata", "related_resources", "id",
                                              "resource_type", "reason"]), json_values, max_size=8),
       huge_id=st.integers(min_value=2**63, max_value=2**200))
def test_any_authorised_procore_body_is_refused_or_accepted_never_a_crash(link, queued, fields, huge_id):
    """REL-6: any fields of any type (ids beyond 64 bits too) give 200 or 400, never a 500."""
    client = Client(raise_request_exception=True)
    assert post_procore(client, json.dumps(fields).encode()).status_code in (200, 400)
    for name in ("company_id", "resource_id", "project_id"):
        body = procore_body(**{name: huge_id, "ulid": f"01HUGE{name}{huge_id}"})
        assert post_procore(client, body).status_code in (200, 400)


def test_xero_replays_enqueue_once(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: the same event twice in one body, then redelivered in new bodies (new entropy and sequence):
    one sync queued; a different event for the same document is a new one."""
    event = xero_event(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_xero(client, xero_body([event, event])).status_code == 200
        for n in range(3):
            assert post_xero(client, xero_body([event], entropy=f"R{n}", seq=n + 2)).status_code == 200
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=True):
        post_xero(client, xero_body([xero_event(link, when="2026-05-04T10:00:00.000")]))
    assert len(queued) == 2
    assert WebhookEvent.objects.filter(source="xero").count() == 2


def test_procore_replays_enqueue_once_and_bad_ones_store_nothing(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: one ulid delivered five times: one sync; a malformed or unauthorised body stores nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert post_procore(client, procore_body()).status_code == 200
        assert post_procore(client, b"{not json").status_code == 400
        assert post_procore(client, procore_body(resource_id="abc", ulid="01OTHER")).status_code == 400
        assert post_procore(client, "\udcff".encode("utf-8", "surrogatepass")).status_code == 400
        assert post_procore(client, procore_body(ulid="01THIRD"), auth="Bearer wrong").status_code == 401
    assert len(queued) == 1
    assert list(WebhookEvent.objects.values_list("event_key", flat=True)) == ["01HZX3J5Q6W7E8R9T0Y1U2I3O4"]
