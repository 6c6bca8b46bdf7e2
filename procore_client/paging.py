"""Procore's list paging and filters (api/procore.md §6): page sizes, ``filters[...]`` ranges, next pages.

Lists are read with ``page``/``per_page``; the next page is named by the ``Link: rel="next"`` header,
else implied by ``Total``/``Per-Page``, else by a full page (``DOC:plan_your_app/pagination.md``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import requests

#: Largest ``per_page`` used by default on v1.x lists. Procore recommends at most 2,000
#: (``DOC:plan_your_app/pagination.md``); 1000 keeps answers small enough to stay quick.
DEFAULT_PER_PAGE = 1000
#: Endpoint-specific caps (path regex → max per_page): ``OAS:RestV11ProjectsGet`` says max 300;
#: v2.0 lists max 100 (``DOC:announcements/new_rest_v2_version.md``).
PER_PAGE_CAPS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^/rest/v1\.1/projects$"), 300),
    (re.compile(r"^/rest/v2\.\d+/"), 100),
]
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def max_per_page(path: str) -> int:
    """The largest page a list endpoint (a full ``/rest/...`` path) gives."""
    for pattern, cap in PER_PAGE_CAPS:
        if pattern.search(path):
            return cap
    return DEFAULT_PER_PAGE


def format_range(since: datetime | date, until: datetime | date) -> str:
    """A ``filters[...]`` range: ``<iso>...<iso>`` (``DOC:tutorials/filtering_on_list_actions.md``)."""

    def fmt(value: datetime | date) -> str:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("datetimes sent to Procore must be timezone-aware")
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat()

    return f"{fmt(since)}...{fmt(until)}"


def next_page(response: requests.Response, page: int, count: int, seen: int, size: int) -> int | None:
    """The page after ``page`` (which held ``count`` records, ``seen`` so far, asked ``size`` per page),
    or None when ``page`` was the last."""
    link = response.headers.get("Link")
    if link is not None:
        match = _LINK_NEXT.search(link)
        if not match:
            return None
        values = parse_qs(urlsplit(match.group(1)).query).get("page")
        return int(values[0]) if values else page + 1
    total = response.headers.get("Total")
    if total is not None and total.isdigit():
        return page + 1 if seen < int(total) and count > 0 else None
    per_page = response.headers.get("Per-Page")
    if per_page is not None and per_page.isdigit():
        size = int(per_page)
    return page + 1 if count >= size and count > 0 else None
