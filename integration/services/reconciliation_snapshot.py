"""The reconciliation as at a reconcile (RPT-3, DRIFT-4, PERF-8).

At the end of every reconcile of a whole link, ``snapshot(link_id=..., read_at=...)`` sums Procore's records
and the Xero documents just read (integration/reconciliation.py) into ``ReconciliationRow`` and lists every
difference as a ``ReconciliationDifference``, in one transaction and two INSERT … SELECT statements: both
sides are then as at the same moment, the one the page shows, and a page of the report reads a few indexed
rows whatever the number of invoices.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from integration.models import CostCode, Project, ReconciliationDifference, ReconciliationRow, Vendor
from integration.reconciliation import differences_sql, figures_sql, table


def snapshot(*, link_id: int, read_at: dt.datetime) -> tuple[int, int]:
    """Replace the link's figures and differences; returns how many rows and differences were kept."""
    grouped, params = figures_sql(link_id, None, None)
    differs = " OR ".join(f"g.f{n} <> g.f{n + 3}" for n in range(3))
    insert_rows = f"""INSERT INTO {table(ReconciliationRow)} (link_id, position, project_id, vendor_id, cost_code_id,
    procore_committed, procore_invoiced, procore_paid, xero_ordered, xero_billed, xero_paid, has_difference)
SELECT %s, ROW_NUMBER() OVER (ORDER BY p.project_number, p.name, g.pj, v.name, g.vd,
                                       CASE WHEN g.cc IS NULL THEN 1 ELSE 0 END, k.code, g.cc),
       g.pj, g.vd, g.cc, g.f0, g.f1, g.f2, g.f3, g.f4, g.f5, CASE WHEN {differs} THEN TRUE ELSE FALSE END
FROM ({grouped}) g
LEFT JOIN {table(Project)} p ON p.id = g.pj LEFT JOIN {table(Vendor)} v ON v.id = g.vd LEFT JOIN {table(CostCode)} k ON k.id = g.cc"""
    union, union_params = differences_sql(link_id, None, None, read_at)
    insert_differences = f"""INSERT INTO {table(ReconciliationDifference)} (link_id, position, kind, record_model, record_pk,
    document_id, project_id, vendor_id, procore_amount, xero_amount)
SELECT %s, ROW_NUMBER() OVER (ORDER BY u.k, p.project_number, p.name, u.pj, v.name, u.vd, u.rm, u.rp, u.dp),
       u.k, u.rm, u.rp, u.dp, u.pj, u.vd, u.pa, u.xa
FROM ({union}) u
LEFT JOIN {table(Project)} p ON p.id = u.pj LEFT JOIN {table(Vendor)} v ON v.id = u.vd"""
    with transaction.atomic(), connection.cursor() as cursor:
        ReconciliationRow.objects.filter(link_id=link_id).delete()
        ReconciliationDifference.objects.filter(link_id=link_id).delete()
        cursor.execute(insert_rows, [link_id, *params])
        rows = cursor.rowcount
        cursor.execute(insert_differences, [link_id, *union_params])
        return rows, cursor.rowcount
