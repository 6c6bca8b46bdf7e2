"""The company's tax codes (BOOK-3): ``GET /rest/v1.0/tax_codes``, read whole with the cost codes (a
short list with no ``updated_at`` filter). A code Procore no longer lists is kept, archived, so a
mapping to it stays readable; Procore archives tax codes rather than deleting them (OAS
RestV10TaxCodesGet: ``archived``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from integration.mapping.from_procore import BadRecord, reference, text
from integration.models import TaxCode
from integration.services.pull.context import PullRun
from procore_client.errors import Forbidden, NotFound, ProcoreError


def _rate(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.0001")) if value not in (None, "") else None
    except InvalidOperation:
        return None


def pull_tax_codes(pull: PullRun) -> None:
    try:
        codes = pull.call("tax codes", pull.client.list_tax_codes)
    except (Forbidden, NotFound):
        return  # tax support is not enabled for the company: no tax codes, nothing to map
    except ProcoreError as exc:
        pull.scope_failed("taxcode", None, "tax codes", exc)
        return
    seen = set()
    for data in codes:
        pull.read()
        try:
            procore_id = reference(data.get("id")) if isinstance(data, dict) else None
            code = text(data.get("code")) if procore_id is not None else ""
            if procore_id is None or not code:
                raise BadRecord("a tax code without its id or code")
            values = {"code": code[:100], "description": text(data.get("description"))[:255],
                      "rate": _rate(data.get("rate1")), "archived": bool(data.get("archived"))}
        except BadRecord as exc:
            pull.count("taxcode", "failed")
            pull.error("taxcode", None, "tax code", str(exc))
            continue
        with transaction.atomic():
            current = TaxCode.objects.select_for_update().filter(link=pull.link, procore_id=procore_id).first()
            if current is None:
                current = TaxCode.objects.create(link=pull.link, procore_id=procore_id, **values)
                pull.count("taxcode", "created")
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                current.save()
                pull.count("taxcode", "updated")
        seen.add(current.pk)
    gone = TaxCode.objects.filter(link=pull.link, archived=False).exclude(pk__in=seen).update(archived=True)
    if gone:
        pull.count("taxcode", "removed", gone)
