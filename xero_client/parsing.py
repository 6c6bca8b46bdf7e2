"""JSON in and out of Xero: Decimal money, MS-JSON dates, nothing lossy (api/xero.md §9).

- `loads(text)`: every JSON number becomes `Decimal` (money must never pass through float), except
  the few integer counters in INT_KEYS; every `/Date(ms±zzzz)/` string becomes a `date` (document
  dates, DATE_KEYS) or an aware `datetime` (everything else), with its offset applied.
  Unknown enum values are left alone: they are plain strings (§9 "Enums are open").
- `dumps(obj)`: Decimal written as a JSON number with its exact digits, `date` as YYYY-MM-DD
  (§9: send dates as YYYY-MM-DD; an offset can shift the day), aware `datetime` as ISO 8601.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

# Document dates: Xero sends them as midnight /Date(...)/ values; they mean a calendar day.
DATE_KEYS = frozenset(
    {"Date", "DueDate", "FullyPaidOnDate", "DeliveryDate", "ExpectedArrivalDate", "PlannedPaymentDate",
     "ExpectedPaymentDate"}
)
# Integer counters that stay `int`; every other number is parsed as Decimal.
INT_KEYS = frozenset(
    {"page", "pageSize", "pageCount", "itemCount", "ErrorNumber", "FinancialYearEndDay", "FinancialYearEndMonth",
     "expires_in", "Status", "firstEventSequence", "lastEventSequence", "Day"}
)

_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_msdate(value: str, *, as_date: bool = False) -> date | datetime:
    """`/Date(1518685950940+1300)/` -> aware datetime in +13:00 (or its calendar date when `as_date`).

    The milliseconds are the instant (Unix epoch, UTC); the optional ±hhmm is the zone it is shown in.
    The date of a document is taken in that zone, never after converting to UTC (xero-python#179).
    """
    match = _MSDATE.match(value)
    if not match:
        raise ValueError(f"not an MS-JSON date: {value!r}")
    millis = int(match.group(1))
    tz = UTC
    if match.group(2):
        sign = -1 if match.group(2)[0] == "-" else 1
        hours, minutes = int(match.group(2)[1:3]), int(match.group(2)[3:5])
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    moment = moment.astimezone(tz)
    return moment.date() if as_date else moment


def format_msdate(moment: datetime | date) -> str:
    """The inverse, as Xero writes it in answers: `/Date(ms+0000)/` (dates at UTC midnight)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    millis = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    return f"/Date({millis}+0000)/"


def _convert(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _convert(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, key) for v in value]
    if isinstance(value, str) and value.startswith("/Date("):
        try:
            return parse_msdate(value, as_date=key in DATE_KEYS)
        except ValueError:
            return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and key not in INT_KEYS:
        return Decimal(value)
    return value


def loads(text: str | bytes) -> Any:
    """Parse a Xero JSON answer (see module docstring). Raises ValueError on bad JSON."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return _convert(json.loads(text, parse_float=Decimal))


_NUM = "\u0000num:"
_NUM_RE = re.compile(r'"\\u0000num:(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"')


def _prepare(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _prepare(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(v) for v in value]
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send a non-finite amount: {value}")
        return _NUM + format(value, "f")
    if isinstance(value, float):
        raise TypeError("floats are not accepted for Xero payloads; use Decimal")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a Xero payload")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def dumps(obj: Any) -> str:
    """JSON text for a Xero request body (see module docstring)."""
    return _NUM_RE.sub(lambda m: m.group(1), json.dumps(_prepare(obj), ensure_ascii=False))


def format_if_modified_since(moment: datetime) -> str:
    """`If-Modified-Since` value: UTC, whole seconds, with `Z`.

    xero.md §4 calls the exact format tolerance [UNCONFIRMED] and suggests no milliseconds; the spec
    declares the header `format: date-time` (RFC 3339, which needs the zone), so we send
    `2026-01-31T12:00:00Z`: a valid date-time, no milliseconds, unambiguous.
    """
    if moment.tzinfo is None:
        raise ValueError("If-Modified-Since needs an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
