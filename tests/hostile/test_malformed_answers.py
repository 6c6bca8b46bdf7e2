"""Malformed answers from Xero and Procore (REL-6, REL-2, issue 9 item 4): truncated JSON, wrong types,
an HTML error page, missing fields, during an export, a pull and an import. Each gives a failed record
or a run error with a clear message, and nothing else moves: no record changes state, nothing is
created in either system by the corrupted call, no half-written rows.

The answers are injected on the in-process transport (tests/fixtures/sandbox_transport.py): the matching
request never reaches the sandbox, the connector gets the hostile body instead."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from integration import models as m
from integration.models import ErpStatus, SyncRun
from integration.services.export import export_link
from integration.services.imports.payments import import_payments
from integration.services.pull import pull_link
from tests.factories import CostCodeFactory, CostItemFactory, CostTypeFactory, VendorFactory
from tests.pull.conftest import seed_company

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
XERO_BODIES = {
    "truncated JSON": (200, "application/json", b'{"Items": [{"ItemID": "7d1c'),
    "HTML error page": (200, "text/html", HTML),
    "wrong type": (200, "application/json", b'{"Items": "none today"}'),
    "missing fields": (200, "application/json", b'{"Id": "x", "Status": "OK"}'),
}
PROCORE_BODIES = {
    "truncated JSON": (200, "application/json", b'[{"id": 1, "name": "Harb'),
    "HTML error page": (200, "text/html", HTML),
    "wrong type": (200, "application/json", b'{"projects": 3}'),
    "missing fields": (200, "application/json", b'[{"name": "No id here"}]'),
}


def corrupt(monkeypatch, transport, *, method: str, path_contains: str, answer: tuple[int, str, bytes]) -> list:
    """Answer the matching calls with `answer` instead of the sandbox's; returns the list of hits."""
    hits, send = [], transport.send
    status, content_type, body = answer

    def send_or_corrupt(request, **kwargs):
        if request.method == method and path_contains in request.url:
            hits.append(request.url)
            response = requests.Response()
            response.status_code, response._content, response.url, response.request = status, body, request.url, request
            response.headers = CaseInsensitiveDict({"Content-Type": content_type})
            response.encoding = "utf-8"
            return response
        return send(request, **kwargs)

    monkeypatch.setattr(transport, "send", send_or_corrupt)
    return hits


def states():
    return {model.__name__: sorted(model.objects.values_list("pk", "erp_status", "xero_id", "erp_message"))
            for model in m.EXPORTABLE_MODELS}


@pytest.mark.parametrize("kind", XERO_BODIES)
def test_export_with_a_malformed_xero_answer(monkeypatch, link, sandboxes, kind):
    """REL-6: the Items write answered with garbage: the two items fail with a message that says Xero's
    answer could not be read (their key kept: a re-push looks them up first); everything else stays put."""
    labor = CostTypeFactory(link=link, code="L", name="Labor")
    items = [CostItemFactory(link=link, cost_code=CostCodeFactory(link=link, code=c), cost_type=labor,
                             erp_status=ErpStatus.EXPORTING, xero_id="") for c in ("03-300", "05-120")]
    bystander = VendorFactory(link=link)  # synced, untouched
    before = states()
    calls = []
    monkeypatch.setattr(sandboxes.xero_transport, "observers", [lambda req, resp: calls.append((req.method, req.url))])
    hits = corrupt(monkeypatch, sandboxes.xero_transport, method="PUT", path_contains="/Items", answer=XERO_BODIES[kind])
    run = export_link(link_id=link.pk)
    assert hits, (run.status, run.message, run.errors, calls)
    for item in items:
        item.refresh_from_db()
        assert item.erp_status == ErpStatus.FAILED and item.xero_id == ""
        assert "could not be read" in item.erp_message, item.erp_message
    assert run.status in (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL, SyncRun.Status.SUCCEEDED)
    assert (run.counts or {}).get("failed") == 2 and len(run.errors) == 2
    assert all(e.get("message") for e in run.errors)
    after = states()
    after.pop("CostItem"), before.pop("CostItem")
    assert after == before
    bystander.refresh_from_db()
    assert bystander.erp_status == ErpStatus.SYNCED
    assert all(not org["Items"] for org in sandboxes.xero.state()["organisations"].values())


@pytest.mark.parametrize("kind", PROCORE_BODIES)
def test_pull_with_a_malformed_procore_answer(monkeypatch, link, sandboxes, kind):
    """REL-6: the projects list answered with garbage: the run says so and lands no project; what the
    connector already held does not move."""
    seed_company(sandboxes.procore)
    held = VendorFactory(name="Held Vendor")  # another link's: a pull of this link never touches it
    before = states()
    hits = corrupt(monkeypatch, sandboxes.procore_transport, method="GET", path_contains="/projects",
                   answer=PROCORE_BODIES[kind])
    run = pull_link(link_id=link.pk)
    assert hits
    assert run.status != SyncRun.Status.SUCCEEDED
    text = " ".join([run.message or ""] + [str(e.get("message", "")) for e in run.errors or []])
    assert "Procore" in text or "project" in text.lower(), text
    assert not m.Project.objects.filter(link=link).exists()
    held.refresh_from_db()
    assert held.name == "Held Vendor"
    row = next(v for v in before["Vendor"] if v[0] == held.pk)
    assert row in states()["Vendor"]
    assert run.errors and all(e["message"] for e in run.errors)


@pytest.mark.parametrize("kind", ["truncated JSON", "HTML error page", "wrong type"])
def test_an_unreadable_list_is_not_an_empty_list(monkeypatch, link, sandboxes, kind):
    """REL-6: after a clean pull, a full pull whose projects list is garbage must not take the projects
    for deleted or inactive in Procore: they stay exactly as they were."""
    seed_company(sandboxes.procore)
    pull_link(link_id=link.pk)
    projects = sorted(m.Project.objects.values_list("pk", "erp_status", "active", "removed_in_procore", "name"))
    assert projects
    corrupt(monkeypatch, sandboxes.procore_transport, method="GET", path_contains="/projects", answer=PROCORE_BODIES[kind])
    run = pull_link(link_id=link.pk, full=True)
    assert run.status != SyncRun.Status.SUCCEEDED
    assert sorted(m.Project.objects.values_list("pk", "erp_status", "active", "removed_in_procore", "name")) == projects


@pytest.mark.parametrize("kind", ["truncated JSON", "HTML error page", "wrong type", "missing fields"])
def test_payment_import_with_a_malformed_xero_answer(monkeypatch, link, sandboxes, kind):
    """REL-6: Xero's payments list answered with garbage: the run fails with a message; no payment is
    stored and nothing is written to Procore."""
    link.payment_cutoff = date(2026, 1, 1)
    link.save()
    answer = {"truncated JSON": (200, "application/json", b'{"Payments": [{"PaymentID": "1'),
              "HTML error page": (200, "text/html", HTML),
              "wrong type": (200, "application/json", b'{"Payments": {"PaymentID": 5}}'),
              "missing fields": (200, "application/json", b'{"Payments": [{"Amount": "x"}]}')}[kind]
    procore_writes = []
    send = sandboxes.procore_transport.send
    monkeypatch.setattr(sandboxes.procore_transport, "send",
                        lambda request, **kw: procore_writes.append(request.url) if request.method != "GET" else None
                        or send(request, **kw))
    hits = corrupt(monkeypatch, sandboxes.xero_transport, method="GET", path_contains="/Payments", answer=answer)
    run = import_payments(link=link)
    assert hits
    assert run.status != SyncRun.Status.SUCCEEDED or (run.counts or {}).get("failed")
    text = " ".join([run.message or ""] + [str(e.get("message", "")) for e in run.errors or []])
    assert "Xero" in text, text
    assert not m.Payment.objects.exists()
    assert procore_writes == []
