"""Webhooks (REL-4): signatures, the handshake, deduplication, and only a targeted sync enqueued."""

import json

import pytest

from integration.models import DirectCost, WebhookEvent
from xero_client.webhooks import sign

KEY = "xero-webhook-key-for-tests"
SECRET = "procore-webhook-secret"


@pytest.fixture
def queued(monkeypatch, settings):
    settings.XERO_WEBHOOK_KEY = KEY
    settings.PROCORE_WEBHOOK_SECRET = SECRET
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: calls.append((func, args, kwargs)))
    return calls


def _xero_body(link, resource_id="0b8a6e57-3c1d-4e0e-9a55-6f1c2b3d4e5f", category="INVOICE"):
    return json.dumps({"events": [{
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}", "resourceId": resource_id,
        "eventDateUtc": "2026-05-04T09:00:00.123", "eventType": "UPDATE", "eventCategory": category,
        "tenantId": link.xero_tenant_id, "tenantType": "ORGANISATION"}],
        "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "ABC"}).encode()


def _post_xero(client, body, signature):
    headers = {"HTTP_X_XERO_SIGNATURE": signature} if signature is not None else {}
    return client.post("/webhooks/xero", data=body, content_type="application/json", **headers)


def test_xero_good_bad_and_missing_signature(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: 401 for a bad or a missing signature (nothing stored), 200 and one targeted sync for a good one."""
    body = _xero_body(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_xero(client, body, sign(body, "some-other-key")).status_code == 401
        assert _post_xero(client, body, None).status_code == 401
    assert queued == [] and not WebhookEvent.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer = _post_xero(client, body, sign(body, KEY))
    assert answer.status_code == 200 and answer.content == b""
    assert queued == [("integration.tasks.import_xero_document", (link.pk,),
                       {"trigger": "webhook", "category": "INVOICE",
                        "resource_id": "0b8a6e57-3c1d-4e0e-9a55-6f1c2b3d4e5f"})]


def test_xero_intent_to_receive(client, db, queued):
    """REL-4: the handshake (no events) answers 200 when signed, 401 when not."""
    body = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "X"}).encode()
    assert _post_xero(client, body, sign(body, KEY)).status_code == 200
    assert _post_xero(client, body, sign(body + b" ", KEY)).status_code == 401
    assert queued == []


def test_same_event_twice_enqueues_one_sync(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: Xero delivers at least once; the second delivery of an event is answered 200 and ignored."""
    body = _xero_body(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_xero(client, body, sign(body, KEY)).status_code == 200
        assert _post_xero(client, body, sign(body, KEY)).status_code == 200
    assert len(queued) == 1 and WebhookEvent.objects.filter(source="xero").count() == 1


def test_signed_but_malformed_body_is_refused_with_a_reason(client, db, queued):
    """REL-6: a body that is not Xero's payload: 400 with the reason, nothing stored."""
    body = b'{"events": "nope"}'
    answer = _post_xero(client, body, sign(body, KEY))
    assert answer.status_code == 400 and b"events" in answer.content
    assert not WebhookEvent.objects.exists()


def test_only_post(client, db):
    """REL-4, REL-6: the webhook receivers answer only POST; a GET is 405 and changes nothing."""
    assert client.get("/webhooks/xero").status_code == 405
    assert client.get("/webhooks/procore").status_code == 405


def test_xero_sandbox_delivery_runs_a_targeted_job_cost_sync(client, world, queued, django_capture_on_commit_callbacks):
    """REL-4 end to end: the accountant approves a bill in Xero; Xero's signed delivery queues one sync of
    that bill; running the queued task makes its direct cost."""
    from integration import tasks

    xero = world.sandboxes.xero
    xero.webhook_url, xero.webhook_key = "https://connector.example.com/webhooks/xero", KEY
    answers = []
    xero.deliver = lambda url, headers, body: answers.append(_post_xero(client, body, headers["x-xero-signature"]))
    with django_capture_on_commit_callbacks(execute=True):
        bill = world.bill([("03-300", "HV-101", "640.00")], reference="WH-1")
    assert [a.status_code for a in answers] == [200]
    [(func, args, kwargs)] = [q for q in queued if q[2].get("resource_id") == bill["InvoiceID"]]
    assert func == "integration.tasks.import_xero_document"

    getattr(tasks, func.rsplit(".", 1)[1])(*args, **kwargs)

    assert DirectCost.objects.get(link=world.link, xero_document_id=bill["InvoiceID"]).procore_id


def _procore_body(link, ulid="01HZX5V7J8K9M0N1P2Q3R4S5T6"):
    return json.dumps({"id": 77, "ulid": ulid, "timestamp": "2026-05-04T09:00:00Z", "metadata": {},
                       "user_id": 1, "company_id": link.procore_company_id, "project_id": 123,
                       "api_version": "v2", "event_type": "update", "resource_name": "Work Order Contracts",
                       "resource_id": 456}).encode()


def test_procore_authorization_and_dedupe(client, link, queued, django_capture_on_commit_callbacks):
    """REL-4: Procore's registered Authorization secret is checked; deliveries are deduplicated by ulid
    and enqueue one targeted pull."""
    body = _procore_body(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/webhooks/procore", data=body, content_type="application/json").status_code == 401
        assert client.post("/webhooks/procore", data=body, content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
        for _ in range(2):
            assert client.post("/webhooks/procore", data=body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {SECRET}").status_code == 200
    assert queued == [("integration.tasks.pull_record", (), {
        "link_id": link.pk, "trigger": "webhook", "resource_name": "Work Order Contracts", "resource_id": 456,
        "project_id": 123})]


def test_body_limit(client, db, queued):
    """REL-4, REL-6: a webhook body over 256 KiB is refused with 413 before it is read or queued."""
    body = b"x" * (256 * 1024 + 1)
    assert client.post("/webhooks/xero", data=body, content_type="application/json").status_code == 413
