"""Webhook receivers (REL-4): thin views over ``integration.services.imports.webhooks``.

``POST /webhooks/xero``: ``x-xero-signature`` checked on the raw body with ``XERO_WEBHOOK_KEY``
(401 bad or missing, 200 good, the intent-to-receive handshake included); ``POST /webhooks/procore``:
the ``Authorization`` header checked against ``PROCORE_WEBHOOK_SECRET``. Both answer at once with an
empty body: the work is queued, never done here. CSRF-exempt, POST only, bodies over
``MAX_BODY_BYTES`` refused before they are read.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integration.services.imports.webhooks import procore_webhook_receive, xero_webhook_receive

MAX_BODY_BYTES = 256 * 1024


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _answer(receipt) -> HttpResponse:
    # Xero wants an empty body (api/xero.md §8); the reason of a 400 helps whoever replays it.
    return HttpResponse(receipt.message if receipt.status == 400 else b"", status=receipt.status,
                        content_type="text/plain")


@csrf_exempt
@require_POST
def xero_webhook(request: HttpRequest) -> HttpResponse:
    if _too_big(request):
        return HttpResponse(status=413)
    return _answer(xero_webhook_receive(raw_body=request.body, signature=request.headers.get("x-xero-signature")))


@csrf_exempt
@require_POST
def procore_webhook(request: HttpRequest) -> HttpResponse:
    if _too_big(request):
        return HttpResponse(status=413)
    return _answer(procore_webhook_receive(raw_body=request.body, authorization=request.headers.get("Authorization")))
