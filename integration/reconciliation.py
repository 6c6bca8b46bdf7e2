"""The reconciliation report (RPT-3, DRIFT-4): Procore's figures set against what Xero holds, as the last
reconcile read it (``XeroDocument``, integration/services/reconcile_store.py), never the connector's own
idea of what it exported.

Per project, vendor and cost code:

- Procore committed = the lines of approved commitments and approved change orders;
  Xero ordered = the lines of the purchase orders Xero holds (not deleted), tracked to the project;
- Procore invoiced = the lines of approved subcontractor invoices, less the retainage they withhold and
  plus the retainage they release (on the row without a cost code, as the bill's retainage lines are);
  Xero billed = the lines of the bills Xero holds (not voided or deleted), tracked to the project;
- Procore paid = the payments written to Procore (a payment deleted in Xero stays in Procore until an
  admin resolves it, PAY-3); Xero paid = the bill payments Xero holds (not deleted), in Procore's terms
  (BOOK-3), on the row without a cost code.

Documents count whether the connector exported them or not, so a bill entered only in Xero and tracked
to a project counts too. Every difference is listed by record (`Difference.KIND`).

Both sides are summed in SQL when a reconcile of the link ends (``figures_sql``, ``differences_sql``, kept by
integration/services/reconciliation_snapshot.py as ``ReconciliationRow`` and ``ReconciliationDifference``),
so they are as at one moment, the one the page shows; a page then reads a few indexed rows, filtered and
paginated in SQL, the same queries whatever the number of invoices (PERF-8). The SQL is plain (UNION ALL,
LEFT JOIN, ROW_NUMBER), for PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils.text import capfirst

from integration.models import (
    ChangeOrder,
    ChangeOrderLine,
    Commitment,
    CommitmentLine,
    CompanyLink,
    CostCode,
    CostItem,
    DirectCost,
    ErpStatus,
    InvoiceLine,
    Payment,
    Project,
    ReconciliationDifference,
    ReconciliationRow,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
    XeroDocument,
    XeroDocumentLine,
)

ZERO = Decimal("0.00")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PAGE_ROWS = 50
PAGE_DIFFERENCES = 50
FIGURES = (
    ("committed", "Procore committed", "Xero ordered"),
    ("invoiced", "Procore invoiced", "Xero billed"),
    ("paid", "Procore paid", "Xero paid"),
)
# Records already in Xero: the reconcile compares their documents (services/reconcile.py CHECKED).
EXPORTED = (ErpStatus.SYNCED, ErpStatus.OUT_OF_SYNC, ErpStatus.READY_TO_UPDATE, ErpStatus.FAILED)
APPROVED = ("approved", "approved_as_noted", "approved as noted")
GONE = ("VOIDED", "DELETED")

KINDS = {
    1: ("missing_in_xero", "Missing in Xero"),
    2: ("missing_in_procore", "Missing in Procore"),
    3: ("amount", "Amount differs"),
    4: ("status", "Changed in Xero"),
    5: ("payment", "Payment differs"),
    6: ("xero_only", "In Xero only"),
    7: ("not_exported", "Not in Xero yet"),
    8: ("not_read", "Not read from Xero yet"),
}
KIND_BY_NAME = {name: number for number, (name, _) in KINDS.items()}


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def last_read(link_id: int) -> SyncRun | None:
    """The last reconcile of the whole link that finished: the report shows what it read."""
    return (SyncRun.objects.filter(link_id=link_id, kind=SyncRun.Kind.RECONCILE,
                                   status__in=(SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL),
                                   parameters__has_key="full")
            .order_by("-started_at", "-id").first())


class _Sql:
    """UNION ALL members, each filtered by link, project and vendor on its own columns."""

    def __init__(self, link_id: int, project_id: int | None, vendor_id: int | None):
        self.link_id, self.project_id, self.vendor_id = link_id, project_id, vendor_id
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, params: list, *, project: str | None, vendor: str) -> None:
        """`project` None: the member filters by project itself (a document's tracked lines)."""
        if self.project_id and project:
            sql += f" AND {project} = %s"
            params = [*params, self.project_id]
        if self.vendor_id:
            sql += f" AND {vendor} = %s"
            params = [*params, self.vendor_id]
        self.parts.append(sql)
        self.params += params

    def union(self) -> str:
        return "\nUNION ALL\n".join(self.parts)


# ---------------------------------------------------------------- the figures


@dataclass
class ReconRow:
    project: Project | None
    vendor: Vendor | None
    cost_code: CostCode | None  # None: retainage and payments, which Xero holds per bill
    procore: dict = field(default_factory=dict)
    xero: dict = field(default_factory=dict)

    def difference(self, key: str) -> Decimal:
        return self.procore[key] - self.xero[key]

    @property
    def has_difference(self) -> bool:
        return any(self.difference(k) for k, _, _ in FIGURES)

    @property
    def figures(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        return [(k, self.procore[k], self.xero[k], self.difference(k)) for k, _, _ in FIGURES]


def figures_sql(link_id, project_id, vendor_id) -> tuple[str, list]:
    q = _Sql(link_id, project_id, vendor_id)
    approved = f"LOWER(TRIM({{}}.status)) IN {_in(APPROVED)}"
    q.add(f"""SELECT c.project_id AS pj, c.vendor_id AS vd, ci.cost_code_id AS cc, 0 AS fig, l.amount AS amt
FROM {table(CommitmentLine)} l JOIN {table(Commitment)} c ON c.id = l.commitment_id LEFT JOIN {table(CostItem)} ci ON ci.id = l.cost_item_id
WHERE c.link_id = %s AND NOT c.removed_in_procore AND {approved.format('c')}""", [link_id], project="c.project_id", vendor="c.vendor_id")
    q.add(f"""SELECT co.project_id, c.vendor_id, ci.cost_code_id, 0, l.amount
FROM {table(ChangeOrderLine)} l JOIN {table(ChangeOrder)} co ON co.id = l.change_order_id JOIN {table(Commitment)} c ON c.id = co.commitment_id
LEFT JOIN {table(CostItem)} ci ON ci.id = l.cost_item_id
WHERE co.link_id = %s AND NOT co.removed_in_procore AND {approved.format('co')}""", [link_id], project="co.project_id", vendor="c.vendor_id")
    q.add(f"""SELECT i.project_id, i.vendor_id, ci.cost_code_id, 1, l.amount
FROM {table(InvoiceLine)} l JOIN {table(SubcontractorInvoice)} i ON i.id = l.invoice_id
LEFT JOIN {table(CostItem)} ci ON ci.id = l.cost_item_id
WHERE i.link_id = %s AND NOT i.removed_in_procore AND {approved.format('i')}""", [link_id], project="i.project_id", vendor="i.vendor_id")
    q.add(f"""SELECT i.project_id, i.vendor_id, CAST(NULL AS INTEGER), 1, i.retainage_released - i.retainage_this_period
FROM {table(SubcontractorInvoice)} i
WHERE i.link_id = %s AND NOT i.removed_in_procore AND (i.retainage_this_period <> 0 OR i.retainage_released <> 0)
  AND {approved.format('i')}""",
          [link_id], project="i.project_id", vendor="i.vendor_id")
    q.add(f"""SELECT COALESCE(i.project_id, c.project_id), COALESCE(i.vendor_id, c.vendor_id), CAST(NULL AS INTEGER), 2, p.amount
FROM {table(Payment)} p LEFT JOIN {table(SubcontractorInvoice)} i ON i.id = p.subcontractor_invoice_id
LEFT JOIN {table(Commitment)} c ON c.id = p.commitment_id
WHERE p.link_id = %s AND p.direction = 'issued'
  AND (p.status = 'synced' OR (p.status = 'voided' AND p.procore_id IS NOT NULL AND p.resolved_at IS NULL))""",
          [link_id], project="COALESCE(i.project_id, c.project_id)", vendor="COALESCE(i.vendor_id, c.vendor_id)")
    q.add(f"""SELECT l.project_id, d.vendor_id, l.cost_code_id, CASE WHEN d.resource = 'PurchaseOrders' THEN 3 ELSE 4 END, l.amount
FROM {table(XeroDocumentLine)} l JOIN {table(XeroDocument)} d ON d.id = l.document_id
WHERE d.link_id = %s AND l.project_id IS NOT NULL AND d.status NOT IN {_in(GONE)}
  AND (d.resource = 'PurchaseOrders' OR (d.resource = 'Invoices' AND d.doc_type = 'ACCPAY')
       OR (d.resource = 'CreditNotes' AND d.doc_type = 'ACCPAYCREDIT' AND EXISTS (
           SELECT 1 FROM {table(SubcontractorInvoice)} r WHERE r.link_id = d.link_id AND r.xero_credit_note
             AND LOWER(r.xero_id) = d.xero_id)))""",
          [link_id], project="l.project_id", vendor="d.vendor_id")
    q.add(f"""SELECT d.project_id, d.vendor_id, CAST(NULL AS INTEGER), 5, d.net_amount
FROM {table(XeroDocument)} d
WHERE d.link_id = %s AND d.resource = 'Payments' AND d.doc_type = 'ACCPAYPAYMENT' AND d.status <> 'DELETED'
  AND d.project_id IS NOT NULL""", [link_id], project="d.project_id", vendor="d.vendor_id")
    sums = ", ".join(f"SUM(CASE WHEN fig = {n} THEN amt ELSE 0 END) AS f{n}" for n in range(6))
    return f"SELECT pj, vd, cc, {sums} FROM (\n{q.union()}\n) u GROUP BY pj, vd, cc", q.params


@dataclass
class Figures:
    rows: list[ReconRow]
    count: int
    totals: ReconRow


FIELDS = {"committed": ("procore_committed", "xero_ordered"), "invoiced": ("procore_invoiced", "xero_billed"),
          "paid": ("procore_paid", "xero_paid")}


def _row(row, project=None, vendor=None, cost_code=None) -> ReconRow:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return ReconRow(project, vendor, cost_code, {k: (get(p) or ZERO) for k, (p, _) in FIELDS.items()},
                    {k: (get(x) or ZERO) for k, (_, x) in FIELDS.items()})


def figures(*, link_id: int, project_id=None, vendor_id=None, differences_only=False, page: int = 1,
            per_page: int = PAGE_ROWS) -> Figures:
    """A page of the rows the last reconcile left, their number and their totals (three queries)."""
    qs = ReconciliationRow.objects.filter(link_id=link_id)
    if project_id:
        qs = qs.filter(project_id=project_id)
    if vendor_id:
        qs = qs.filter(vendor_id=vendor_id)
    if differences_only:
        qs = qs.filter(has_difference=True)
    start = (max(page, 1) - 1) * per_page
    rows = list(qs.select_related("project", "vendor", "cost_code").order_by("position")[start:start + per_page])
    count = qs.count() if rows or page > 1 else 0
    names = [n for pair in FIELDS.values() for n in pair]
    totals = qs.aggregate(**{n: Sum(n) for n in names}) if rows else dict.fromkeys(names, ZERO)
    return Figures(rows=[_row(r, r.project, r.vendor, r.cost_code) for r in rows], count=count, totals=_row(totals))


# ---------------------------------------------------------------- the differences


@dataclass
class Difference:
    kind: int
    record_model: str  # "" for a document no Procore record is linked to
    record: object | None
    document: XeroDocument | None
    project: Project | None
    vendor: Vendor | None
    procore_amount: Decimal | None
    xero_amount: Decimal | None
    detail: str = ""
    record_url: str = ""
    xero_url: str = ""

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind][0]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind][1]

    @property
    def label(self) -> str:
        if self.record is not None:
            return f"{capfirst(self.record._meta.verbose_name)} {self.record}"
        doc = self.document
        return f"{doc.get_resource_display()} {doc.number or doc.xero_id}" if doc else ""


def differences_sql(link_id, project_id, vendor_id, read_at: dt.datetime) -> tuple[str, list]:
    q = _Sql(link_id, project_id, vendor_id)
    # With commitment sync off no commitment goes to Xero: one not there is no difference to chase.
    commitments_exported = CompanyLink.objects.filter(pk=link_id, commitment_sync=True).exists()
    exported, approved, gone = _in(EXPORTED), _in(APPROVED), _in(GONE)
    doc = XeroDocument._meta.db_table
    cols = "k, rm, rp, dp, pj, vd, pa, xa"
    invoice_amount = "r.total"
    commitment_amount = (
        f"(SELECT COALESCE(SUM(l.amount), 0) FROM {table(CommitmentLine)} l WHERE l.commitment_id = r.id)"
        f" + (SELECT COALESCE(SUM(l.amount), 0) FROM {table(ChangeOrderLine)} l JOIN {table(ChangeOrder)} co ON co.id = l.change_order_id"
        f" WHERE co.commitment_id = r.id AND co.erp_status IN {exported} AND NOT co.removed_in_procore)")
    for model, resource, amount in ((SubcontractorInvoice, "Invoices", invoice_amount),
                                    (Commitment, "PurchaseOrders", commitment_amount)):
        name = model._meta.model_name
        # CRED-1: a negative invoice's document is a credit note, kept with its amounts negative.
        kept_as = "CASE WHEN r.xero_credit_note THEN 'CreditNotes' ELSE 'Invoices' END" if model is SubcontractorInvoice \
            else f"'{resource}'"
        join = (f"LEFT JOIN {connection.ops.quote_name(doc)} d ON d.link_id = r.link_id AND d.resource = {kept_as}"
                f" AND d.xero_id = LOWER(r.xero_id)")
        # Exported: the document is gone, its amount differs, or the reconcile found it changed.
        q.add(f"""SELECT CASE WHEN d.id IS NULL AND r.xero_synced_at > %s THEN 8
            WHEN d.id IS NULL OR d.status IN {gone} THEN 1 WHEN d.net_amount <> {amount} THEN 3 ELSE 4 END AS k,
       '{name}' AS rm, r.id AS rp, d.id AS dp, r.project_id AS pj, r.vendor_id AS vd, {amount} AS pa,
       CASE WHEN d.id IS NULL OR d.status IN {gone} THEN 0 ELSE d.net_amount END AS xa
FROM {table(model)} r {join}
WHERE r.link_id = %s AND r.xero_id <> '' AND r.erp_status IN {exported} AND NOT r.removed_in_procore
  AND (d.id IS NULL OR d.status IN {gone} OR d.net_amount <> {amount} OR r.xero_drift <> '')""",
              [read_at, link_id], project="r.project_id", vendor="r.vendor_id")
        # Removed in Procore, still in Xero.
        q.add(f"""SELECT 2, '{name}', r.id, d.id, r.project_id, r.vendor_id, 0, d.net_amount
FROM {table(model)} r {join.replace('LEFT JOIN', 'JOIN')}
WHERE r.link_id = %s AND r.removed_in_procore AND r.xero_id <> '' AND d.status NOT IN {gone}""",
              [link_id], project="r.project_id", vendor="r.vendor_id")
        # Approved in Procore, not exported.
        if model is not Commitment or commitments_exported:
            q.add(f"""SELECT 7, '{name}', r.id, CAST(NULL AS INTEGER), r.project_id, r.vendor_id, {amount}, 0
    FROM {table(model)} r
    WHERE r.link_id = %s AND NOT r.removed_in_procore AND LOWER(TRIM(r.status)) IN {approved}
      AND (r.xero_id = '' OR r.erp_status NOT IN {exported})""", [link_id], project="r.project_id", vendor="r.vendor_id")
        # Entered only in Xero: a live document tracked to a project of the link that no record is linked to.
        doc_type = " AND d.doc_type = 'ACCPAY'" if resource == "Invoices" else ""
        tracked = "EXISTS (SELECT 1 FROM {lines} l WHERE l.document_id = d.id AND l.project_id IS NOT NULL{only})"
        sql = f"""SELECT 6, '', CAST(NULL AS INTEGER), d.id,
       COALESCE(d.project_id, (SELECT MIN(l2.project_id) FROM {table(XeroDocumentLine)} l2 WHERE l2.document_id = d.id)),
       d.vendor_id, 0, d.net_amount
FROM {connection.ops.quote_name(doc)} d
WHERE d.link_id = %s AND d.resource = '{resource}'{doc_type} AND d.status NOT IN {gone}
  AND NOT EXISTS (SELECT 1 FROM {table(model)} r WHERE r.link_id = d.link_id AND LOWER(r.xero_id) = d.xero_id)
  AND {tracked.format(lines=table(XeroDocumentLine), only=' AND l.project_id = %s' if project_id else '')}"""
        q.add(sql, [link_id, project_id] if project_id else [link_id], project=None, vendor="d.vendor_id")
    # Change orders the reconcile found changed (their lines live on the commitment's purchase order).
    q.add(f"""SELECT CASE WHEN d.status IN {gone} THEN 1 ELSE 4 END, 'changeorder', r.id, d.id, r.project_id, c.vendor_id,
       CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC)
FROM {table(ChangeOrder)} r JOIN {table(Commitment)} c ON c.id = r.commitment_id
LEFT JOIN {connection.ops.quote_name(doc)} d ON d.link_id = r.link_id AND d.resource = 'PurchaseOrders' AND d.xero_id = LOWER(c.xero_id)
WHERE r.link_id = %s AND r.erp_status IN {exported} AND NOT r.removed_in_procore AND r.xero_drift <> ''""",
          [link_id], project="r.project_id", vendor="c.vendor_id")
    if commitments_exported:
        q.add(f"""SELECT 7, 'changeorder', r.id, CAST(NULL AS INTEGER), r.project_id, c.vendor_id,
       (SELECT COALESCE(SUM(l.amount), 0) FROM {table(ChangeOrderLine)} l WHERE l.change_order_id = r.id), 0
FROM {table(ChangeOrder)} r JOIN {table(Commitment)} c ON c.id = r.commitment_id
WHERE r.link_id = %s AND NOT r.removed_in_procore AND LOWER(TRIM(r.status)) IN {approved} AND r.erp_status NOT IN {exported}""",
          [link_id], project="r.project_id", vendor="c.vendor_id")
    # Payments in Procore that Xero no longer holds, or holds for another amount.
    q.add(f"""SELECT 5, 'payment', p.id, d.id, COALESCE(i.project_id, c.project_id), COALESCE(i.vendor_id, c.vendor_id), p.amount,
       CASE WHEN p.status = 'voided' OR d.status = 'DELETED' THEN 0 ELSE d.net_amount END
FROM {table(Payment)} p LEFT JOIN {table(SubcontractorInvoice)} i ON i.id = p.subcontractor_invoice_id
LEFT JOIN {table(Commitment)} c ON c.id = p.commitment_id
LEFT JOIN {connection.ops.quote_name(doc)} d ON d.link_id = p.link_id AND d.resource = 'Payments' AND d.xero_id = LOWER(p.xero_payment_id)
WHERE p.link_id = %s AND p.direction = 'issued'
  AND (p.status = 'synced' OR (p.status = 'voided' AND p.procore_id IS NOT NULL AND p.resolved_at IS NULL))
  AND (p.status = 'voided' OR d.status = 'DELETED' OR d.net_amount <> p.amount)""",
          [link_id], project="COALESCE(i.project_id, c.project_id)", vendor="COALESCE(i.vendor_id, c.vendor_id)")
    # Bill payments Xero holds that Procore does not show.
    q.add(f"""SELECT 5, CASE WHEN p.id IS NULL THEN '' ELSE 'payment' END, p.id, d.id, d.project_id, d.vendor_id, 0, d.net_amount
FROM {connection.ops.quote_name(doc)} d
LEFT JOIN {table(Payment)} p ON p.link_id = d.link_id AND LOWER(p.xero_payment_id) = d.xero_id
WHERE d.link_id = %s AND d.resource = 'Payments' AND d.doc_type = 'ACCPAYPAYMENT' AND d.status <> 'DELETED'
  AND d.project_id IS NOT NULL AND (p.id IS NULL OR p.status IN ('pending', 'failed'))""",
          [link_id], project="d.project_id", vendor="d.vendor_id")
    return f"SELECT {cols} FROM (\n{q.union()}\n) u", q.params


@dataclass
class Differences:
    items: list[Difference]
    count: int


MODELS = {"subcontractorinvoice": SubcontractorInvoice, "commitment": Commitment, "changeorder": ChangeOrder, "payment": Payment}
RELATED = {"subcontractorinvoice": ("project", "vendor", "commitment", "link"), "commitment": ("project", "vendor", "link"),
           "changeorder": ("project", "commitment", "link"), "payment": ("subcontractor_invoice", "commitment", "link")}


def differences(*, link_id: int, project_id=None, vendor_id=None, kind: str = "", page: int = 1,
                per_page: int = PAGE_DIFFERENCES, read_at: dt.datetime | None = None) -> Differences:
    """A page of the differences the last reconcile found, each with its record and its Xero document (two
    queries, then the page's records, documents and names)."""
    if read_at is None:
        run = last_read(link_id)
        read_at = run.started_at if run else EPOCH
    qs = ReconciliationDifference.objects.filter(link_id=link_id)
    if project_id:
        qs = qs.filter(project_id=project_id)
    if vendor_id:
        qs = qs.filter(vendor_id=vendor_id)
    if kind:
        qs = qs.filter(kind=KIND_BY_NAME[kind])
    start = (max(page, 1) - 1) * per_page
    found = list(qs.order_by("position").values_list(
        "kind", "record_model", "record_pk", "document_id", "project_id", "vendor_id", "procore_amount", "xero_amount")
        [start:start + per_page])
    if not found:
        return Differences(items=[], count=qs.count() if page > 1 else 0)
    count = qs.count()
    records = {}
    for name, model in MODELS.items():
        pks = {r[2] for r in found if r[1] == name and r[2]}
        if pks:
            records[name] = model.objects.select_related(*RELATED[name]).in_bulk(pks)
    documents = XeroDocument.objects.in_bulk({r[3] for r in found if r[3]})
    projects = Project.objects.in_bulk({r[4] for r in found if r[4]})
    vendors = Vendor.objects.in_bulk({r[5] for r in found if r[5]})
    imported = {i.lower() for i in DirectCost.objects.filter(link_id=link_id, xero_document_id__in=[
        d.xero_id for d in documents.values() if d.resource == "Invoices"]).values_list("xero_document_id", flat=True)}
    items = []
    for k, rm, rp, dp, pj, vd, pa, xa in found:
        item = Difference(kind=k, record_model=rm, record=records.get(rm, {}).get(rp) if rm else None,
                          document=documents.get(dp), project=projects.get(pj), vendor=vendors.get(vd),
                          procore_amount=pa, xero_amount=xa)
        item.detail = _detail(item, read_at, imported=imported)
        items.append(item)
    return Differences(items=items, count=count)


def _when(doc: XeroDocument | None) -> str:
    stamp = doc.xero_updated_at if doc else None
    return f" on {stamp.date().isoformat()}" if stamp else ""


def _detail(d: Difference, read_at: dt.datetime, *, imported: set[str]) -> str:
    """What the difference is, in the accountant's words."""
    doc, record = d.document, d.record
    if d.kind == 1:
        if doc is None:
            return "Xero no longer returns its document"
        return f"{doc.status.lower()} in Xero{_when(doc)}" + (f" ({record.xero_drift})" if getattr(record, "xero_drift", "") else "")
    if d.kind == 2:
        return f"removed in Procore; its {doc.get_resource_display().lower()} is still in Xero ({doc.status.lower()})"
    if d.kind == 3:
        return f"Procore {d.procore_amount} against Xero {d.xero_amount}" + (
            f"; {record.xero_drift}" if getattr(record, "xero_drift", "") else "")
    if d.kind == 4:
        return getattr(record, "xero_drift", "") or "changed in Xero"
    if d.kind == 5:
        if d.record_model == "payment" and record is not None and (record.status == Payment.Status.SYNCED or
                                                                    record.status == Payment.Status.VOIDED) and d.procore_amount:
            if record.status == Payment.Status.VOIDED or (doc is not None and doc.status == "DELETED"):
                return f"deleted in Xero{_when(doc)}; Procore still shows it paid"
            return f"Procore shows {d.procore_amount}, Xero {d.xero_amount}"
        paid = f"paid in Xero on {doc.date.isoformat()}" if doc is not None and doc.date else "paid in Xero"
        if record is None:
            return f"{paid}; not in Procore (not imported)"
        if record.status == Payment.Status.PENDING:
            return f"{paid}; imported, not yet written to Procore"
        return f"{paid}; writing it to Procore failed: {record.message}" if record.message else f"{paid}; writing it to Procore failed"
    if d.kind == 6:
        note = "; imported to Procore as a direct cost" if doc is not None and doc.xero_id in imported else ""
        return f"entered in Xero ({doc.status.lower()}), tracked to a project, no Procore record{note}"
    if d.kind == 7:
        return f"approved in Procore, not in Xero yet ({record.get_erp_status_display().lower()})" if record else "not in Xero yet"
    return f"exported after the last reconcile read Xero ({read_at:%Y-%m-%d %H:%M} UTC); the next reconcile checks it"


# ---------------------------------------------------------------- the page


@dataclass
class Reconciliation:
    run: SyncRun | None
    figures: Figures
    differences: Differences


def reconciliation(*, link_id: int, project_id=None, vendor_id=None, differences_only: bool = False, kind: str = "",
                   page: int = 1, differences_page: int = 1) -> Reconciliation:
    """RPT-3, DRIFT-4: the figures and the differences, from what the last reconcile read of Xero."""
    run = last_read(link_id)
    read_at = run.started_at if run else EPOCH
    return Reconciliation(
        run=run,
        figures=figures(link_id=link_id, project_id=project_id, vendor_id=vendor_id, differences_only=differences_only, page=page),
        differences=differences(link_id=link_id, project_id=project_id, vendor_id=vendor_id, kind=kind,
                                page=differences_page, read_at=read_at),
    )
