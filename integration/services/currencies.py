"""The currencies a link's Xero organisation has enabled (BOOK-7), kept on the link.

Read from Xero (``GET /Organisation`` for the base currency, ``GET /Currencies`` for the enabled ones) at
each export run; the export checks (the approver's preview, the accept) use what was read last, and the
export run checks each document again before sending it."""

from __future__ import annotations

from integration.models import CompanyLink


def organisation_currencies_refresh(link: CompanyLink, client) -> list[str]:
    """Read and keep the organisation's base and enabled currencies; returns the enabled codes."""
    base = str(client.get_organisation().get("BaseCurrency") or "").upper()
    enabled = [str(c.get("Code") or "").upper() for c in client.list_currencies() if c.get("Code")]
    if base and base not in enabled:
        enabled.insert(0, base)  # the base currency is always the organisation's own
    if enabled != list(link.xero_currencies or []) or base != link.xero_base_currency:
        CompanyLink.objects.filter(pk=link.pk).update(xero_currencies=enabled, xero_base_currency=base)
        link.xero_currencies, link.xero_base_currency = enabled, base
    return enabled
