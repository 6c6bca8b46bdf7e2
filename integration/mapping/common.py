from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from tzlocal.windows_tz import win_tz

TRACKING_OPTION_MAX = 50  # option names: the spec says 100, the older docs 50; keep the safe one (api/xero.md §7)
ZERO = Decimal("0")
CENTS = Decimal("0.01")


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


def coded_line(link, cost_item, *, account: str) -> dict:
    """How a line names its cost code: an Item (Procore's way) or a tracking option (WBS-6)."""
    if link.cost_code_export_mode == "tracking" or cost_item is None:
        return {"AccountCode": account}
    return {"ItemCode": cost_item.item_code, "AccountCode": account}
