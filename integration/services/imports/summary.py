"""Job cost summary (JC-4), per project and cost item, from the imported direct costs.

- job-to-date cost = every imported cost line that is still in Procore: bills and spend money, with
  supplier credit notes (negative bills) and mapped manual journal lines (JC-8) counted in;
- commitment invoiced = the lines of bills exported from Procore (subcontractor invoices), less the
  supplier credit notes that credit them (``CommitmentCredit``, BOOK-6), which count in job-to-date
  cost too (they are not direct costs in Procore);
- direct costs = job-to-date cost − commitment invoiced.
Recomputed from scratch after each import, in one transaction (no network call).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from integration.models import CommitmentCredit, CompanyLink, DirectCostLine, JobCostSummary, Project

ZERO = Decimal("0")


def job_cost_summary_recompute(*, link: CompanyLink, project: Project | None = None) -> int:
    """Rebuild the link's (or one project's) summary rows; returns how many rows it holds."""
    lines = DirectCostLine.objects.filter(direct_cost__link=link, direct_cost__removed=False)
    if project is not None:
        lines = lines.filter(direct_cost__project=project)
    totals: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for project_id, item_id, from_procore, amount in lines.values_list(
            "direct_cost__project_id", "cost_item_id", "direct_cost__from_procore", "amount"):
        entry = totals[(project_id, item_id)]
        entry[0] += amount
        if from_procore:
            entry[1] += amount
    credits = CommitmentCredit.objects.filter(link=link)
    if project is not None:
        credits = credits.filter(project=project)
    for project_id, item_id, amount in credits.values_list("project_id", "cost_item_id", "amount"):
        entry = totals[(project_id, item_id)]
        entry[0] += amount
        entry[1] += amount
    with transaction.atomic():
        existing = JobCostSummary.objects.select_for_update().filter(link=link)
        if project is not None:
            existing = existing.filter(project=project)
        keep = set()
        for (project_id, item_id), (job_to_date, invoiced) in totals.items():
            row, _ = JobCostSummary.objects.update_or_create(
                project_id=project_id, cost_item_id=item_id,
                defaults={"link": link, "job_to_date_cost": job_to_date, "commitment_invoiced": invoiced,
                          "direct_costs": job_to_date - invoiced})
            keep.add(row.pk)
        existing.exclude(pk__in=keep).delete()
    return len(totals)
