"""Small charts the desk draws as inline SVG (no library, no CDN): job-to-date cost against commitment
invoiced per project, and exports and imports per day over 30 days. Each function returns plain
numbers and percentages; the templates draw the bars."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from integration.models import SyncRun

IMPORT_KINDS = (SyncRun.Kind.PAYMENTS, SyncRun.Kind.JOB_COSTS, SyncRun.Kind.CONTACTS)


def _percent(value, top) -> float:
    return round(float(value) * 100 / float(top), 1) if top else 0.0


def job_cost_bars(grouped) -> list[dict]:
    """Per project (the report's groups): job-to-date cost and commitment invoiced, each as a share
    of the largest figure of the chart."""
    top = max([max(sub.job_to_date_cost, sub.commitment_invoiced) for _, _, sub in grouped] or [Decimal(0)])
    return [{"project": str(project), "cost": sub.job_to_date_cost, "invoiced": sub.commitment_invoiced,
             "cost_pct": _percent(sub.job_to_date_cost, top), "invoiced_pct": _percent(sub.commitment_invoiced, top)}
            for project, _, sub in grouped]


def activity_days(*, days: int = 30, now=None) -> dict:
    """Records exported to Xero and records imported from it, per day of the last `days` days, from the
    runs' own counts (created + updated); one query over those days' runs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    exported, imported = defaultdict(int), defaultdict(int)
    for kind, started, counts in (SyncRun.objects.filter(started_at__gte=start, kind__in=(SyncRun.Kind.EXPORT, *IMPORT_KINDS))
                                  .values_list("kind", "started_at", "counts").iterator()):
        counts = counts or {}
        done = sum(v for k, v in counts.items() if k in ("created", "updated") and isinstance(v, int))
        if not done:
            continue
        (exported if kind == SyncRun.Kind.EXPORT else imported)[timezone.localdate(started)] += done
    top = max([*exported.values(), *imported.values(), 0])
    out = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        high_e, high_i = _percent(exported[day], top) * 1.2, _percent(imported[day], top) * 1.2
        # The SVG is 600 x 120 units: a 20-unit slot per day, two bars of 9 units each.
        out.append({"day": day, "exported": exported[day], "imported": imported[day], "x": n * 20, "x2": n * 20 + 10,
                    "exported_h": round(high_e, 1), "exported_y": round(120 - high_e, 1),
                    "imported_h": round(high_i, 1), "imported_y": round(120 - high_i, 1)})
    return {"days": out, "top": top, "exported": sum(exported.values()), "imported": sum(imported.values())}
