"""No secret in logs, audit rows, sync run errors, messages or the admin, after a full demo run (REL-7).

The demo (`manage.py demo --no-serve`, as tests/demo runs it) connects a link through the real OAuth
flows, plays a month through pull, approval, export, payments and job costs. Every secret the
connector held meanwhile is collected (the client secrets, every access and refresh token it stored,
every authorization code it redeemed, the webhook keys, SECRET_KEY and the Fernet key) and looked for
in everything a person or a log collector could read.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from integration import models as m
from integration.management.commands.demo import DEMO_CLIENTS
from integration.services import connect as connect_service
from integration.services import connections
from tests.demo.test_sandbox_command import free_port
from xero_client.webhooks import sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XERO_KEY = "xero-webhook-key-7f3a9c1e5b2d4f60"
PROCORE_SECRET = "procore-webhook-secret-2c8e4a6b0d1f3579"
MAIN_MODELS = [m.CompanyLink, m.Connection, m.AuditEvent, m.SyncRun, m.WebhookEvent, m.Payment, m.DirectCost,
               m.UnsyncableTransaction, *m.EXPORTABLE_MODELS]


def test_no_secret_anywhere_after_the_demo(capsys, caplog, monkeypatch):
    """REL-7: after the whole demo and a few webhook deliveries, none of the secrets appears in the logs
    (DEBUG), the command's output, any AuditEvent (message, payload, response, label), any SyncRun
    (message, errors, parameters), any stored webhook payload, or any admin page of the main models."""
    from integration.roles import sync_roles

    sync_roles()  # an earlier transactional test's flush removed the groups the demo's users join
    caplog.set_level(logging.DEBUG)
    secrets: set[str] = set()
    save = connections.DbTokenStore.save

    def remembering_save(self, token):
        secrets.update(t for t in (token.access_token, getattr(token, "refresh_token", None)) if t)
        return save(self, token)

    complete = connect_service.connect_complete

    def remembering_complete(**kwargs):
        if kwargs.get("code"):
            secrets.add(kwargs["code"])
        return complete(**kwargs)

    monkeypatch.setattr(connections.DbTokenStore, "save", remembering_save)
    monkeypatch.setattr(connect_service, "connect_complete", remembering_complete)
    monkeypatch.setattr(settings, "XERO_WEBHOOK_KEY", XERO_KEY)
    monkeypatch.setattr(settings, "PROCORE_WEBHOOK_SECRET", PROCORE_SECRET)
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **k: None)

    call_command("demo", "--no-serve", "--sandbox-port", str(free_port()))
    out = capsys.readouterr()

    link = m.CompanyLink.objects.get(name="Harbourside Builders")
    for conn in m.Connection.objects.filter(link=link):
        secrets.update(t for t in (conn.access_token, conn.refresh_token) if t)  # decrypted by the field
    secrets.update(v for k, v in DEMO_CLIENTS.items() if k.endswith("SECRET"))
    secrets.update([XERO_KEY, PROCORE_SECRET, settings.SECRET_KEY])
    secrets.update(k for k in str(getattr(settings, "FIELD_ENCRYPTION_KEY", "")).split(",") if k)
    assert len([s for s in secrets if "." in s or len(s) > 20]) >= 6, secrets  # tokens really were collected

    # Webhook deliveries: good, badly signed, with the secret in a wrong header.
    client = Client()
    body = json.dumps({"events": [{"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/x", "resourceId": "x",
                                   "eventDateUtc": "2026-05-04T09:00:00.123", "eventType": "UPDATE", "eventCategory": "INVOICE",
                                   "tenantId": link.xero_tenant_id, "tenantType": "ORGANISATION"}],
                       "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "E"}).encode()
    client.post("/webhooks/xero", data=body, content_type="application/json", HTTP_X_XERO_SIGNATURE=sign(body, XERO_KEY))
    client.post("/webhooks/xero", data=body, content_type="application/json", HTTP_X_XERO_SIGNATURE="bad")
    client.post("/webhooks/procore", data=b'{"ulid": "01J", "resource_name": "Projects"}', content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {PROCORE_SECRET}")
    client.post("/webhooks/procore", data=b"{}", content_type="application/json", HTTP_AUTHORIZATION=PROCORE_SECRET + "x")

    texts = {"logs": caplog.text, "stdout": out.out, "stderr": out.err}
    texts["audit"] = "\n".join(json.dumps([e.message, e.payload, e.response, e.record_label, e.actor_name], default=str)
                               for e in m.AuditEvent.objects.all())
    texts["runs"] = "\n".join(json.dumps([r.message, r.errors, r.parameters, r.counts], default=str)
                              for r in m.SyncRun.objects.all())
    texts["webhooks"] = "\n".join(json.dumps(w.payload) for w in m.WebhookEvent.objects.all())
    texts["records"] = "\n".join(str(r.erp_message) for model in m.EXPORTABLE_MODELS for r in model.objects.all())
    texts["connections"] = "\n".join(f"{c.status_message} {c.scope}" for c in m.Connection.objects.all())

    admin = Client()
    admin.force_login(m.CompanyLink._meta.apps.get_model("auth", "User").objects.filter(is_superuser=True).first()
                      or _superuser())
    pages = []
    for model in MAIN_MODELS:
        info = model._meta.app_label, model._meta.model_name
        pages.append(admin.get(reverse(f"admin:{info[0]}_{info[1]}_changelist")))
        for obj in model.objects.order_by("-pk")[:3]:
            pages.append(admin.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])))
    pages += [admin.get(reverse("admin:index")), admin.get(reverse("desk:reports"))]
    assert all(p.status_code == 200 for p in pages), [(p.request["PATH_INFO"], p.status_code) for p in pages if p.status_code != 200]
    texts["admin"] = "\n".join(p.content.decode() for p in pages)

    assert texts["logs"] and texts["audit"] and texts["runs"] and texts["admin"]  # there was something to search
    leaks = [(where, secret[:6] + "…") for where, text in texts.items() for secret in secrets if secret in text]
    assert leaks == []


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("security-root", password="pw")
