from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import win_tz

TRACKING_OPTION_MAX = 50  # option names: the spec says 100, the older docs 50; keep the safe one (api/xero.md §7)
ZERO = Decimal("0")
CENTS = Decimal("0.01")
UNIT_PLACES = Decimal("0.0001")  # what Xero keeps of a UnitAmount sent with ?unitdp=4 (api/xero.md §5 "Precision")


def xero_date(value: datetime.date | datetime.datetime | None) -> str | None:
    """Xero takes document dates as YYYY-MM-DD (api/xero.md §9)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


# Xero names an organisation's time zone by its Windows zone, upper-cased without spaces, dots or dashes
# (OAS xero_accounting.yaml `TimeZone`: NEWZEALANDSTANDARDTIME, UTC02 for "UTC-02"...). CLDR's
# Windows → IANA table (tzlocal's copy) covers all of them but two, named here.
XERO_ZONES = {re.sub(r"[ .\-]", "", name.upper()): zone for name, zone in win_tz.items()}
XERO_ZONES.update({"KAMCHATKASTANDARDTIME": "Asia/Kamchatka", "MIDATLANTICSTANDARDTIME": "Etc/GMT+2"})


class UnknownTimezone(ValueError):
    pass


def organisation_zone(xero_timezone: str) -> ZoneInfo:
    """The IANA zone of a Xero Organisation.Timezone; an empty one is UTC (not read yet)."""
    if not xero_timezone:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(XERO_ZONES[xero_timezone.strip().upper()])
    except KeyError:
        raise UnknownTimezone(f"Xero's organisation time zone {xero_timezone!r} is not one the connector knows") from None


def organisation_day(moment: datetime.datetime | datetime.date | None, xero_timezone: str) -> datetime.date | None:
    """BOOK-1: the organisation's calendar day of an instant (dates are the organisation's dates)."""
    if moment is None or not isinstance(moment, datetime.datetime):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(organisation_zone(xero_timezone)).date()


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENTS, rounding=ROUND_HALF_UP)


def trim_keeping_prefix(prefix: str, text: str, limit: int) -> str:
    """`prefix text`, cut to `limit` characters without ever cutting the prefix (the job number)."""
    prefix, text = (prefix or "").strip(), " ".join((text or "").split())
    full = f"{prefix} {text}".strip() if prefix else text
    if len(full) <= limit:
        return full
    if not prefix:
        return text[:limit].rstrip()
    room = limit - len(prefix) - 1
    return prefix[:limit] if room <= 0 else f"{prefix} {text[:room].rstrip()}"


def project_option_name(project) -> str:
    """PRJ-1: the tracking option of a project: its job number and name, trimmed to Xero's limit."""
    return trim_keeping_prefix(project.project_number, project.name, TRACKING_OPTION_MAX)


def cost_item_option_name(item) -> str:
    """WBS-6: a cost item as an option of the 'Cost Codes' tracking category."""
    return trim_keeping_prefix(item.item_code, item.description, TRACKING_OPTION_MAX)


def tracking_for(link, project, cost_item=None) -> list[dict]:
    """Tracking by category name and option name: Xero checks both (api/xero.md §5)."""
    tracking = [{"Name": link.project_tracking_category, "Option": project.xero_option_name or project_option_name(project)}]
    if cost_item is not None and link.cost_code_export_mode == "tracking":
        tracking.append({"Name": link.cost_code_tracking_category, "Option": cost_item_option_name(cost_item)})
    return tracking


def item_account(items: dict | None, item_code: str, side: str) -> str:
    """The account an Item posts to in Xero on `side` ("purchase" or "sales"); "" when it has none.
    `items` maps Item codes to Xero's Item documents."""
    details = (items.get(item_code) or {}).get("PurchaseDetails" if side == "purchase" else "SalesDetails") or {}
    return str(details.get("AccountCode") or "")


def coded_line(link, cost_item, *, account: str, items: dict | None = None, side: str = "purchase") -> dict:
    """How a line names its cost code: an Item (Procore's way) or a tracking option (WBS-6).

    BOOK-2: a line with an Item posts where Xero posts that Item: its purchase account on bills and
    purchase orders, its sales account on sales invoices, which the accountant sets in Xero. The
    link's default `account` is sent only when the Item has no account on that side."""
    if link.cost_code_export_mode == "tracking" or cost_item is None:
        return {"AccountCode": account}
    line = {"ItemCode": cost_item.item_code}
    # Items not known (the preview, before any read of Xero) are taken to carry their accounts, as the
    # accountant sets them up (seed 003: "assign the purchase and sales accounts ... in Xero").
    if items is not None and not item_account(items, cost_item.item_code, side):
        line["AccountCode"] = account
    return line


def priced(quantity, unit, amount: Decimal) -> tuple[Decimal, Decimal]:
    """BOOK-4: a unit/quantity line's (Quantity, UnitAmount), such that Quantity × UnitAmount rounds to
    the line's amount: Procore's unit price when it does (to 4 places, sent with unitdp=4), else the
    amount over the quantity; when no unit price can, 1 × amount."""
    quantity = Decimal(quantity or 0).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)
    if quantity > 0:
        candidates = [] if unit is None else [Decimal(unit).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP)]
        candidates.append((amount / quantity).quantize(UNIT_PLACES, rounding=ROUND_HALF_UP))
        for candidate in candidates:
            if money(quantity * candidate) == amount:
                return quantity, candidate
    return Decimal("1"), amount
