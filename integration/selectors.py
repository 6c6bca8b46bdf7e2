"""Read-side helpers: load what validation and mapping need, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, prefetch_related_objects

from integration import validation
from integration.models import CostItem, ErpStatus, Vendor

LINE_SELECT = {
    "commitment": ("cost_item__cost_code",),
    "changeorder": ("cost_item__cost_code", "commitment_line"),
    "subcontractorinvoice": ("cost_item__cost_code", "commitment_line"),
    "ownerinvoice": ("cost_item__cost_code",),
}


def _lines_query(model_name: str, manager):
    return manager.select_related(*LINE_SELECT[model_name]).order_by("position", "id")


def record_lines(record) -> list:
    """The record's lines in order, with what the mapping reads of them; from `prefetch_lines` when loaded."""
    related = LINE_SELECT.get(record._meta.model_name)
    if related is None:
        return []
    if "lines" in getattr(record, "_prefetched_objects_cache", {}):
        return list(record.lines.all())
    return list(_lines_query(record._meta.model_name, record.lines))


def sells(record_or_model) -> bool:
    """Whether the record's Xero document is a sale (a sales invoice or customer credit note): an owner
    invoice's. Everything else the connector exports is a purchase."""
    return getattr(record_or_model, "_meta", None) is not None and record_or_model._meta.model_name == "ownerinvoice"


def tax_types_for(link, *, sales: bool = False) -> dict[int, str]:
    """BOOK-3: the link's tax code table, Procore tax code id → the Xero TaxType of its purchases, or of its
    sales with `sales` (its own tax codes only, SEC-3); a code with no TaxType for that side is not in it."""
    from integration.models import TaxCodeMapping

    column = "xero_sales_tax_type" if sales else "xero_tax_type"
    return {code: tax_type for code, tax_type in TaxCodeMapping.objects.filter(link=link, tax_code__link=link)
            .values_list("tax_code__procore_id", column) if tax_type}


def prefetch_lines(records: list) -> None:
    """Load the lines of a batch of records of one model in one query (PERF-6)."""
    if not records or records[0]._meta.model_name not in LINE_SELECT:
        return
    name = records[0]._meta.model_name
    line_model = records[0]._meta.get_field("lines").related_model
    prefetch_related_objects(records, Prefetch("lines", queryset=_lines_query(name, line_model.objects)))


def normalise_name(name: str) -> str:
    return " ".join((name or "").lower().replace(",", " ").replace(".", " ").split())


def validation_context(record) -> validation.Context:
    ctx = validation.Context(commitment_sync=record.link.commitment_sync)
    model = record._meta.model_name
    if model == "costitem":
        ctx.item_count_on_link = (
            CostItem.objects.filter(link_id=record.link_id)
            .exclude(pk=record.pk)
            .filter(Q(xero_id__gt="") | Q(erp_status__in=[ErpStatus.READY_TO_EXPORT, ErpStatus.EXPORTING]))
            .count()
        )
    elif model == "vendor":
        target = normalise_name(record.name)
        others = (
            Vendor.objects.filter(link_id=record.link_id, name__iexact=record.name.strip())
            .exclude(pk=record.pk)
            .exclude(erp_status__in=[ErpStatus.NOT_SENT, ErpStatus.REJECTED, ErpStatus.UNLINKED])
        )
        for other in others:
            if normalise_name(other.name) == target:
                ctx.duplicate_vendor = f"{other.name} (Procore #{other.procore_id})"
                break
    return ctx


def validate_record(record, *, tax_types: dict | None = None) -> list[validation.Failure]:
    """The record's export checks. `tax_types`: the link's tax code table when the caller holds it (the
    export run); else it is read when a line carries a tax code (BOOK-3)."""
    lines = record_lines(record)
    ctx = validation_context(record)
    if tax_types is None:
        tax_types = (tax_types_for(record.link, sales=sells(record))
                     if any(validation.line_tax_code(line) for line in lines) else {})
    ctx.tax_types = tax_types
    return validation.validate(record, lines, ctx)


def export_work_waiting(link_id: int) -> bool:
    """Whether the link's export has anything to do: an accepted record it may claim now (not deferred,
    not leased to a live worker). Procore's origin_ids still to be written are the writeback task's."""
    from django.utils import timezone

    from integration.models import EXPORTABLE_MODELS

    now = timezone.now()
    for model in EXPORTABLE_MODELS:
        rows = model.objects.filter(link_id=link_id)
        if rows.filter(erp_status=ErpStatus.EXPORTING).filter(
                Q(retry_after__isnull=True) | Q(retry_after__lte=now)).filter(
                Q(export_claimed_until__isnull=True) | Q(export_claimed_until__lte=now)).exists():
            return True
    return False
