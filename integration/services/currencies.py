"""What a link's Xero organisation has enabled, kept on the link: its currencies (BOOK-7) and its active
tax rates (BOOK-3).

Read from Xero (``GET /Organisation`` for the base currency, ``GET /Currencies`` for the enabled ones,
``GET /TaxRates`` for the tax rates) when the link's settings are saved and at each export run; the
export checks (the approver's preview, the accept) use what was read last, and the export run checks
each document again when it claims it, before sending it."""

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


def organisation_tax_types_refresh(link: CompanyLink, client) -> list[str]:
    """Read and keep the TaxTypes of the organisation's active tax rates (a deleted or archived rate is
    not one Xero takes on a line); returns them."""
    active = sorted({str(r.get("TaxType") or "").upper() for r in client.list_tax_rates()
                     if r.get("TaxType") and r.get("Status", "ACTIVE") == "ACTIVE"})
    if active != list(link.xero_tax_types or []):
        CompanyLink.objects.filter(pk=link.pk).update(xero_tax_types=active)
        link.xero_tax_types = active
    return active


def organisation_refresh(link: CompanyLink) -> tuple[bool, str]:
    """BOOK-3, BOOK-7: read the organisation's currencies and tax rates now (the link's settings page does
    when it is saved), so the export checks the approver sees are right before the first export run.
    Returns (read, what the settings page says)."""
    from integration.services.connections import NotConnected, xero_client_for
    from xero_client.errors import XeroError

    try:
        client = xero_client_for(link)
    except NotConnected as exc:
        return False, (f"Xero is not connected ({exc}): its currencies and tax rates are read when it is, "
                       "or at the first export run.")
    try:
        currencies = organisation_currencies_refresh(link, client)
        tax_types = organisation_tax_types_refresh(link, client)
    except XeroError as exc:
        return False, (f"Xero's currencies and tax rates could not be read ({exc.message}); the export checks use "
                       "those read last, and the next export run reads them again.")
    return True, (f"Read from Xero: enabled currencies {', '.join(currencies) or 'none'}; active tax rates "
                  f"{', '.join(tax_types) or 'none'}.")
