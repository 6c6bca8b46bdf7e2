"""Xero cost documents → Procore direct costs (JC-1..3, JC-5..9), and the unsyncable list (JC-6).

``import_job_costs(*, link, trigger, actor, project=None, contact_id=None)`` reads, incrementally
(one ``If-Modified-Since`` cursor per resource, pages of 1000, PERF-2):
bills (``Invoices`` where ``Type=="ACCPAY"``), spend money (``BankTransactions`` where ``Type=="SPEND"``),
supplier credit notes (``CreditNotes`` where ``Type=="ACCPAYCREDIT"``) and manual journals. With a
`project` (JC-9 "get direct invoices for project #") or a `contact_id` (JC-9 one contact) it reads
everything of that scope without a cursor. Documents listed unsyncable for a reason the connector can
fix (a project or contact linked since, an account mapped since) are read again at the end.

A document becomes direct costs when it is approved (bills and credit notes AUTHORISED or PAID, spend
money AUTHORISED, journals POSTED) and every line is tracked to a synced project and coded to a synced
Item (journal lines: tracked lines only, their account mapped to a cost item in ``AccountMapping``,
JC-8). Lines on the link's retainage Item are left out (retainage is not a cost code, 003_*.txt). A
document tracked to several projects gives one direct cost per project with only its lines (JC-3).
Mapping ("Job Cost Transaction Details", 003_*.txt; ``direct_cost_payload``): type ``invoice`` for a
bill entered in Xero, ``subcontractor_invoice`` for a bill exported from Procore, ``expense`` for spend
money and journals; status approved; date; vendor = the contact (journals: the company itself, see
``journal_vendor``); invoice # = the bill's reference; description = the reference of spend money and
of bills from Procore; received date only for documents first entered in Xero; lines = Item → budget
code (the project's cost code + the cost type), description, quantity, unit cost, amount (net of tax);
credit notes negative. ``origin_id`` = the Xero id (``<id>:<procore project id>`` for the parts of a
document tracked to several projects).

A changed document updates its direct costs; a voided or deleted one (or one that became unsyncable)
removes them in Procore. Procore locks a direct cost with an origin_id (§13): updates and deletes
unlock it first. New direct costs are written per project in batches (``direct_cost_batches``, PERF-4),
and a document already imported as Xero has it is skipped before its project's cost codes are read. Direct costs an admin unlocked (JC-7, ``direct_cost_unlock``) are left alone.
Every document that cannot be imported is kept in ``UnsyncableTransaction`` with its reasons (JC-6).
The job cost summary (JC-4) is recomputed at the end of each run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from integration.mapping.common import cost_item_option_name
from integration.models import (
    AccountMapping,
    CompanyLink,
    CostItem,
    DirectCost,
    Project,
    SyncRun,
    UnsyncableTransaction,
    Vendor,
)
from integration.services.audit import audit_record

from .common import (
    ZERO,
    BadDocument,
    amount,
    clients_for,
    cursor_get,
    cursor_set,
    day,
    later,
    obj,
    rows,
    run_guarded,
    stamp,
    start_run,
    text,
)
from .credits import (
    allocated_invoice_ids,
    commitment_credit_clear,
    commitment_credit_store,
    credited_invoice,
    exported_invoices,
    with_allocations,
)
from .direct_cost_batches import Creation, DirectCostCreations, store_imported

log = logging.getLogger(__name__)

BILL, SPEND, CREDIT, JOURNAL = "ACCPAY", "SPEND", "ACCPAYCREDIT", "MANUALJOURNAL"
APPROVED = {BILL: {"AUTHORISED", "PAID"}, CREDIT: {"AUTHORISED", "PAID"}, SPEND: {"AUTHORISED"}, JOURNAL: {"POSTED"}}
REMOVED = {"VOIDED", "DELETED"}
ID_KEYS = {BILL: "InvoiceID", CREDIT: "CreditNoteID", SPEND: "BankTransactionID", JOURNAL: "ManualJournalID"}
RESOURCES = {BILL: "Invoices", CREDIT: "CreditNotes", SPEND: "BankTransactions", JOURNAL: "ManualJournals"}
CURSORS = {BILL: "xero:bills", SPEND: "xero:spend_money", CREDIT: "xero:credit_notes", JOURNAL: "xero:manual_journals"}
NOT_APPROVED = "not approved"
RETRY_LIMIT = 200


@dataclass
class Line:
    number: int
    line_id: str
    item_code: str
    account_code: str
    description: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    option_id: str
    option_name: str
    tracked: bool
    code_option_id: str = ""
    code_option_name: str = ""


@dataclass
class Document:
    doc_id: str
    source: str
    status: str
    date: dt.date
    contact_id: str
    contact_name: str
    number: str
    reference: str
    updated: dt.datetime | None
    lines: list[Line] = field(default_factory=list)
    allocated_to: list[str] = field(default_factory=list)  # credit notes: the invoices allocated to
    currency: str = ""  # CurrencyCode; "" for journals (always the base currency)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def label(self) -> str:
        kind = {BILL: "Bill", SPEND: "Spend money", CREDIT: "Credit note", JOURNAL: "Manual journal"}[self.source]
        return f"{kind} {self.number or self.reference or self.doc_id}"


def parse_document(doc: dict, source: str, *, tracking_category: str, code_category: str = "") -> Document:
    """A Xero bill, spend money, supplier credit note or manual journal, checked (REL-6). Each line's
    option of the project `tracking_category`, and of the `code_category` (cost codes as tracking, WBS-6)."""
    if not isinstance(doc, dict):
        raise BadDocument("a document is not an object")
    doc_id = text(doc.get(ID_KEYS[source]), ID_KEYS[source], required=True).lower()
    where = f"{RESOURCES[source]} {doc_id}"
    sign = Decimal("-1") if source == CREDIT else Decimal("1")
    inclusive = doc.get("LineAmountTypes") == "Inclusive"
    raw_lines = rows(doc.get("JournalLines" if source == JOURNAL else "LineItems"), f"{where}: lines")
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        label = f"{where}: line {number}"
        line_amount = amount(raw.get("LineAmount"), f"{label} LineAmount")
        if inclusive and source != JOURNAL:
            line_amount -= amount(raw.get("TaxAmount"), f"{label} TaxAmount", required=False)
        quantity = Decimal("1") if source == JOURNAL else amount(raw.get("Quantity", 1), f"{label} Quantity")
        unit = line_amount if source == JOURNAL else amount(raw.get("UnitAmount", line_amount), f"{label} UnitAmount")
        quantity, unit = net_priced(quantity, unit, line_amount)
        option_id = option_name = code_option_id = code_option_name = ""
        tracked = False
        for entry in rows(raw.get("Tracking"), f"{label} Tracking"):
            name = text(entry.get("Name"), f"{label} Tracking.Name").casefold()
            if name == tracking_category.strip().casefold():
                tracked = True
                option_id = text(entry.get("TrackingOptionID"), f"{label} TrackingOptionID").lower()
                option_name = text(entry.get("Option"), f"{label} Tracking.Option")
            elif code_category and name == code_category.strip().casefold():
                code_option_id = text(entry.get("TrackingOptionID"), f"{label} TrackingOptionID").lower()
                code_option_name = text(entry.get("Option"), f"{label} Tracking.Option")
        lines.append(Line(
            number=number, line_id=text(raw.get("LineItemID"), f"{label} LineItemID").lower(),
            item_code=text(raw.get("ItemCode"), f"{label} ItemCode"),
            account_code=text(raw.get("AccountCode"), f"{label} AccountCode"),
            description=text(raw.get("Description"), f"{label} Description", limit=1000),
            quantity=quantity, unit_cost=sign * unit if source != JOURNAL else unit,
            amount=sign * line_amount if source != JOURNAL else line_amount,
            option_id=option_id, option_name=option_name, tracked=tracked,
            code_option_id=code_option_id, code_option_name=code_option_name))
    contact = obj(doc.get("Contact"), f"{where}: Contact", required=source != JOURNAL)
    number_key = {BILL: "InvoiceNumber", CREDIT: "CreditNoteNumber"}.get(source)
    return Document(
        doc_id=doc_id, source=source,
        status=text(doc.get("Status"), f"{where}: Status", required=True).upper(),
        date=day(doc.get("Date"), f"{where}: Date"),
        contact_id=text(contact.get("ContactID"), f"{where}: Contact.ContactID").lower(),
        contact_name=text(contact.get("Name"), f"{where}: Contact.Name", limit=255),
        number=text(doc.get(number_key), f"{where}: {number_key}", limit=255) if number_key else "",
        reference=text(doc.get("Narration" if source == JOURNAL else "Reference"), f"{where}: Reference", limit=255),
        updated=stamp(doc.get("UpdatedDateUTC")),
        lines=lines,
        allocated_to=allocated_invoice_ids(doc) if source == CREDIT else [],
        currency=text(doc.get("CurrencyCode"), f"{where}: CurrencyCode").upper() if source != JOURNAL else "",
    )


UNIT_PLACES = Decimal("0.0001")


def net_priced(quantity: Decimal, unit: Decimal, net: Decimal) -> tuple[Decimal, Decimal]:
    """BOOK-3: a direct cost line's (quantity, unit cost) such that quantity × unit cost is exactly its
    net amount. Procore calculates a line's amount from its quantity and unit cost (the v1.1 direct cost
    line has `quantity`, `unit_cost` and `manual_amount`, no `amount`: OAS
    RestV11ProjectsProjectIdDirectCostsPost), so a gross unit price (a tax-inclusive bill's) or one Xero
    rounded to 2 places would book another amount. Xero's unit price when it is exact, else the net over
    the quantity at 4 places when that is exact, else 1 × net."""
    if quantity:
        for candidate in (unit, (net / quantity).quantize(UNIT_PLACES)):
            if quantity * candidate == net:
                return quantity, candidate
    return Decimal("1"), net


@dataclass
class Part:
    """The lines of one document for one project, ready for Procore."""

    project: Project
    lines: list[tuple[Line, CostItem, dict]]


class JobCostImporter:
    """One run: caches of the link's projects, items, vendors and each project's Procore cost codes."""

    def __init__(self, link: CompanyLink, xero, procore, tracker, actor=None):
        self.link, self.xero, self.procore, self.tracker, self.actor = link, xero, procore, tracker, actor
        projects = list(Project.objects.filter(link=link))
        self.projects_by_option_id = {p.xero_id.lower(): p for p in projects if p.xero_id}
        from integration.mapping.common import project_option_name

        self.projects_by_option_name = {}
        for p in projects:
            for name in {p.xero_option_name, project_option_name(p)}:
                if name:
                    self.projects_by_option_name.setdefault(name.casefold(), p)
        items = list(CostItem.objects.filter(link=link).select_related("cost_code", "cost_type"))
        self.items = {i.item_code.casefold(): i for i in items}
        # BOOK-5: with cost codes exported as tracking options (WBS-6) a line names its cost item by its
        # option of that category: by the option's id (the item's xero_id), else by the name it was
        # exported under (`cost_item_option_name`).
        self.code_category = link.cost_code_tracking_category if link.cost_code_export_mode == "tracking" else ""
        self.items_by_option_id = {i.xero_id.lower(): i for i in items if i.xero_id} if self.code_category else {}
        self.items_by_option_name = {cost_item_option_name(i).casefold(): i for i in items} if self.code_category else {}
        self.mappings = {m.account_code: m.cost_item for m in AccountMapping.objects.filter(link=link, cost_item__link=link).select_related(
            "cost_item__cost_code", "cost_item__cost_type")}
        self.exported = exported_invoices(link)
        self.from_procore = set(self.exported)
        self._cost_codes: dict[int, list[dict]] = {}
        self._journal_vendor: Vendor | None = None
        self.seen: set[str] = set()
        self.creations = DirectCostCreations(self)

    # -- reading -----------------------------------------------------------------------------------
    def run_source(self, source: str, *, since: dt.datetime | None, contact_id: str | None = None,
                   project: Project | None = None) -> dt.datetime | None:
        where = {BILL: 'Type=="ACCPAY"', CREDIT: 'Type=="ACCPAYCREDIT"', SPEND: 'Type=="SPEND"', JOURNAL: None}[source]
        if contact_id:
            if source == JOURNAL:
                return None  # journals have no contact
            where = f'{where} && Contact.ContactID==Guid("{contact_id}")'
        iterate = {BILL: self.xero.iter_invoices, CREDIT: self.xero.iter_credit_notes,
                   SPEND: self.xero.iter_bank_transactions, JOURNAL: self.xero.iter_manual_journals}[source]
        high = None
        for raw in iterate(if_modified_since=since, where=where):
            high = later(high, raw.get("UpdatedDateUTC") if isinstance(raw, dict) else None)
            self.process(raw, source, project=project)
        self.creations.flush()
        return high

    def retry_unsyncable(self) -> None:
        """Documents listed unsyncable for a reason fixed on our side since are read again."""
        pending = (UnsyncableTransaction.objects.filter(link=self.link).exclude(reason__startswith=NOT_APPROVED)
                   .exclude(xero_document_id__in=self.seen).order_by("last_seen_at")[:RETRY_LIMIT])
        for entry in pending:
            source = entry.document_type
            if source not in RESOURCES:
                continue
            body = self.xero.get(f"{RESOURCES[source]}/{entry.xero_document_id}")
            documents = body.get(RESOURCES[source]) if isinstance(body, dict) else None
            if not isinstance(documents, list) or not documents:
                continue
            self.process(documents[0], source)
        self.creations.flush()

    # -- one document ------------------------------------------------------------------------------
    def process(self, raw: dict, source: str, *, project: Project | None = None) -> None:
        from procore_client.errors import ProcoreError

        self.tracker.count("read")
        if source == CREDIT:
            raw = with_allocations(self.xero, raw)
        try:
            doc = parse_document(raw, source, tracking_category=self.link.project_tracking_category,
                                 code_category=self.code_category)
        except BadDocument as exc:
            self.tracker.count("failed")
            self.tracker.error(None, f"Xero document skipped: {exc}")
            return
        if source == SPEND and str(raw.get("Type") or "SPEND").upper() != "SPEND":
            return
        self.seen.add(doc.doc_id)
        if project is not None and not any(self._project_of(line) == project for line in doc.lines):
            return  # JC-9: one project only
        try:
            self._process(doc)
        except ProcoreError as exc:
            self.tracker.count("failed")
            self.tracker.error(None, f"{doc.label}: Procore refused it: {exc}")
        self.tracker.advance()

    def _process(self, doc: Document) -> None:
        existing = list(DirectCost.objects.filter(link=self.link, xero_document_id=doc.doc_id).select_related("project"))
        credited = credited_invoice(doc.doc_id, doc.allocated_to, self.exported) if doc.source == CREDIT else None
        if doc.source == CREDIT and (credited is None or doc.status not in APPROVED[CREDIT]):
            why = f"{doc.status.lower()} in Xero" if doc.status in REMOVED else (
                "no longer approved in Xero" if doc.status not in APPROVED[CREDIT] else
                "no longer allocated to a bill exported from Procore")
            commitment_credit_clear(link=self.link, doc=doc, why=why, actor=self.actor)
        elif credited is not None:
            self._credit_commitment(doc, existing, credited)
            return
        if doc.status in REMOVED:
            removed = self._remove(doc, [dc for dc in existing if not dc.removed], f"{doc.status.lower()} in Xero")
            UnsyncableTransaction.objects.filter(link=self.link, xero_document_id=doc.doc_id).delete()
            self.tracker.count("updated" if removed else "skipped")
            return
        if doc.status not in APPROVED[doc.source]:
            self._remove(doc, [dc for dc in existing if not dc.removed], "no longer approved in Xero")
            self._unsyncable(doc, [f"{NOT_APPROVED} (status {doc.status})"])
            self.tracker.count("skipped")
            return
        if unchanged_since_imported(doc, existing):
            self.tracker.count("skipped")  # nothing to read from Procore either (its cost codes)
            return
        parts, reasons, vendor = self._plan(doc)
        if reasons:
            self._remove(doc, [dc for dc in existing if not dc.removed], "cannot be imported any more")
            self._unsyncable(doc, reasons)
            self.tracker.count("skipped")
            return
        by_project = {dc.project_id: dc for dc in existing}
        several = len(parts) > 1
        changed, queued = False, []
        for part in parts.values():
            current = by_project.get(part.project.pk)
            done = self._apply(doc, part, vendor, current, several=several)
            if isinstance(done, Creation):
                queued.append(done)
            changed |= bool(done)
        gone = [dc for dc in existing if not dc.removed and dc.project_id not in parts]
        changed |= bool(self._remove(doc, gone, "no longer tracked to this project"))
        UnsyncableTransaction.objects.filter(link=self.link, xero_document_id=doc.doc_id).delete()
        count = "created" if changed and not existing else "updated" if changed else "skipped"
        if queued:
            self.creations.hold(doc, count, queued)
        else:
            self.tracker.count(count)

    def _credit_commitment(self, doc: Document, existing: list[DirectCost], invoice_pk: int) -> None:
        """BOOK-6: an approved credit note against an exported bill credits its commitment, not direct costs."""
        parts, reasons, _ = self._plan(doc)
        live = [dc for dc in existing if not dc.removed]
        if reasons:
            commitment_credit_clear(link=self.link, doc=doc, why="cannot be imported any more", actor=self.actor)
            self._remove(doc, live, "cannot be imported any more")
            self._unsyncable(doc, reasons)
            self.tracker.count("skipped")
            return
        removed = self._remove(doc, live, "credits a commitment (allocated to a bill exported from Procore)")
        lines = [(part.project, line, item) for part in parts.values() for line, item, _ in part.lines]
        changed = commitment_credit_store(link=self.link, doc=doc, invoice_pk=invoice_pk, lines=lines,
                                          actor=self.actor)
        UnsyncableTransaction.objects.filter(link=self.link, xero_document_id=doc.doc_id).delete()
        self.tracker.count("updated" if changed or removed else "skipped")

    def _project_of(self, line: Line) -> Project | None:
        if not line.tracked:
            return None
        return self.projects_by_option_id.get(line.option_id) or self.projects_by_option_name.get(
            line.option_name.casefold())

    def _retainage(self, line: Line) -> bool:
        return bool(line.item_code) and line.item_code.casefold() == self.link.retainage_item_code.casefold()

    def _currency_reason(self, doc: Document) -> str:
        """BOOK-7: a Procore direct cost takes no currency (RestV11ProjectsProjectIdDirectCostsPost): it is
        in the project's, which is the company's, the Xero organisation's base currency. A document in
        another currency is not imported: its amount would be booked at face value in the base currency."""
        if not doc.currency:
            return ""
        if not self.link.xero_base_currency:
            from integration.services.currencies import organisation_currencies_refresh

            organisation_currencies_refresh(self.link, self.xero)
        base = self.link.xero_base_currency
        if not base or doc.currency == base:
            return ""
        return (f"in {doc.currency}, not the organisation's base currency {base}: a Procore direct cost "
                "has no currency of its own, so enter it in Procore by hand at the rate you book")

    def _plan(self, doc: Document) -> tuple[dict[int, Part], list[str], Vendor | None]:
        reasons: list[str] = []
        foreign = self._currency_reason(doc)
        if foreign:
            return OrderedDict(), [foreign], None
        parts: dict[int, Part] = OrderedDict()
        for line in doc.lines:
            if self._retainage(line):
                continue  # retainage is not a cost code (003_*.txt, Subcontractor Invoices note 2)
            if doc.source == JOURNAL and not line.tracked:
                continue  # the balancing side of a journal
            if line.amount == 0:
                continue
            where = f"line {line.number}"
            if not line.tracked:
                reasons.append(f"{where}: no project tracking ({self.link.project_tracking_category})")
                continue
            project = self._project_of(line)
            if project is None or not project.procore_id:
                reasons.append(f"{where}: project not synced (tracking option '{line.option_name}')")
                continue
            if doc.source == JOURNAL:
                item = self.mappings.get(line.account_code)
                if item is None:
                    reasons.append(f"{where}: account {line.account_code} is not mapped to a cost item")
                    continue
            elif self.code_category and (line.code_option_id or line.code_option_name or not line.item_code):
                item = self._item_of_option(line)
                if item is None or not item.xero_id:
                    reasons.append(f"{where}: unknown {self.code_category} option '{line.code_option_name}' "
                                   "(not a synced cost code)" if line.code_option_name
                                   else f"{where}: no cost code ({self.code_category} tracking)")
                    continue
            else:
                item = self.items.get(line.item_code.casefold()) if line.item_code else None
                if item is None or not item.xero_id:
                    reasons.append(f"{where}: unknown Item '{line.item_code}' (not a synced cost code)"
                                   if line.item_code else f"{where}: no Item (cost code)")
                    continue
            code = self._budget_code(project, item)
            if code is None:
                reasons.append(f"{where}: cost code {item.cost_code.code} is not on project "
                               f"{project.project_number or project.name} in Procore")
                continue
            parts.setdefault(project.pk, Part(project, [])).lines.append((line, item, code))
        vendor = None
        if not reasons:
            if not parts and doc.source != JOURNAL and all(self._retainage(line) or line.amount == 0 for line in doc.lines):
                return parts, reasons, None  # RET-1: a retention release (or only retainage) is no job cost
            if not parts:
                reasons.append("no project tracking" if doc.source != JOURNAL else
                               "no journal line is tracked to a project")
            elif doc.source == JOURNAL:
                vendor = self.journal_vendor()
            else:
                vendor = Vendor.objects.filter(link=self.link, xero_id__iexact=doc.contact_id,
                                               procore_id__isnull=False).first()
                if vendor is None:
                    reasons.append(f"contact '{doc.contact_name}' is not linked to a Procore company")
        return parts, reasons, vendor

    def _item_of_option(self, line: Line) -> CostItem | None:
        """BOOK-5: the cost item a line's cost code tracking option stands for."""
        return (self.items_by_option_id.get(line.code_option_id)
                or self.items_by_option_name.get(line.code_option_name.casefold()))

    def _budget_code(self, project: Project, item: CostItem) -> dict | None:
        """Item → budget code: the project's cost code for the item's cost code, plus the cost type."""
        if not item.cost_type.procore_id:
            return None
        if project.procore_id not in self._cost_codes:
            self._cost_codes[project.procore_id] = self.procore.list_project_cost_codes(project.procore_id)
        for code in self._cost_codes[project.procore_id]:
            if ((item.cost_code.procore_id and code.get("standard_cost_code_id") == item.cost_code.procore_id)
                    or item.cost_code.code in (code.get("full_code"), code.get("code"))):
                return {"cost_code_id": code["id"], "line_item_type_id": item.cost_type.procore_id}
        return None

    def journal_vendor(self) -> Vendor:
        """Journals have no contact; Procore wants a vendor: the company itself, by the Xero org's name."""
        if self._journal_vendor is not None:
            return self._journal_vendor
        name = (self.link.xero_tenant_name or self.link.name)[:255]
        vendor = Vendor.objects.filter(link=self.link, name=name, procore_id__isnull=False).first()
        if vendor is None:
            found = next((v for v in self.procore.list_vendors() if v.get("name") == name), None)
            if found is None:
                found = self.procore.create_vendor({"name": name})
            vendor, _ = Vendor.objects.get_or_create(link=self.link, procore_id=found["id"], defaults={"name": name})
        self._journal_vendor = vendor
        return vendor

    # -- writing -----------------------------------------------------------------------------------
    def _apply(self, doc: Document, part: Part, vendor: Vendor, current: DirectCost | None, *,
               several: bool) -> bool | Creation:
        """Bring one project's part of a document into Procore: False when it already is, True once
        updated, or the ``Creation`` queued for the batches (``direct_cost_batches``)."""
        project = part.project
        if current is not None and not current.locked and not current.removed:
            self.tracker.error(current, f"{doc.label}: unlocked by an admin; not updated from Xero")
            return False
        total = sum((line.amount for line, _, _ in part.lines), ZERO)
        if (current is not None and current.procore_id and not current.removed and doc.updated is not None
                and current.xero_updated_at == doc.updated and current.amount == total):
            return False
        origin = f"{doc.doc_id}:{project.procore_id}" if several else doc.doc_id
        payload = direct_cost_payload(doc, part, vendor, from_procore=doc.doc_id in self.from_procore, origin_id=origin)
        with transaction.atomic():
            row, _ = DirectCost.objects.select_for_update().get_or_create(
                link=self.link, xero_document_id=doc.doc_id, project=project,
                defaults={"xero_document_type": doc.source, "direct_cost_type": payload["direct_cost_type"],
                          "date": doc.date, "vendor": vendor})
        pid = project.procore_id
        if row.procore_id and not row.removed:
            update = {k: v for k, v in payload.items() if k not in ("direct_cost_type", "origin_id", "origin_data")}
            self.procore.set_direct_cost_origin_id(pid, row.procore_id, None)  # unlock (§13)
            self.procore.update_direct_cost(pid, row.procore_id, update)
            self.procore.set_direct_cost_origin_id(pid, row.procore_id, origin, origin_data=payload["origin_data"])
            procore_id = row.procore_id
        else:
            creation = Creation(doc=doc, part=part, vendor=vendor, row_pk=row.pk, payload=payload, origin=origin,
                                total=total)
            self.creations.add(creation)
            return creation
        store_imported(self, row.pk, doc, part, vendor, payload, total, procore_id, action="direct_cost_update")
        return True

    def _remove(self, doc: Document, direct_costs: list[DirectCost], why: str) -> int:
        from procore_client.errors import NotFound

        done = 0
        for dc in direct_costs:
            pid = dc.project.procore_id
            if dc.procore_id and pid:
                try:
                    if dc.locked:
                        self.procore.set_direct_cost_origin_id(pid, dc.procore_id, None)
                    self.procore.delete_direct_cost(pid, dc.procore_id)
                except NotFound:
                    pass  # already gone
            with transaction.atomic():
                DirectCost.objects.filter(pk=dc.pk).update(removed=True)
                audit_record(dc, action="direct_cost_removed", actor=self.actor or "system",
                             message=f"{doc.label} {why}: removed from Procore")
            done += 1
        return done

    def _unsyncable(self, doc: Document, reasons: list[str]) -> None:
        UnsyncableTransaction.objects.update_or_create(
            link=self.link, xero_document_id=doc.doc_id,
            defaults={"document_type": doc.source, "reference": (doc.number or doc.reference)[:255],
                      "contact_name": doc.contact_name, "date": doc.date, "amount": doc.total,
                      "reason": "; ".join(dict.fromkeys(reasons))})


def unchanged_since_imported(doc: Document, existing: list[DirectCost]) -> bool:
    """The document is in Procore as Xero last had it: every direct cost of it is imported, locked, and
    from this very version (its UpdatedDateUTC), so it is not planned again, and no cost code list is
    read for it."""
    live = [dc for dc in existing if not dc.removed]
    return bool(live) and doc.updated is not None and all(
        dc.procore_id and dc.locked and dc.xero_updated_at == doc.updated for dc in live)


def direct_cost_payload(doc: Document, part: Part, vendor: Vendor, *, from_procore: bool, origin_id: str) -> dict:
    """The "Job Cost Transaction Details" table of 003_*.txt, for one project's part of a document."""
    kind = {BILL: "subcontractor_invoice" if from_procore else "invoice", CREDIT: "invoice", SPEND: "expense",
            JOURNAL: "expense"}[doc.source]
    payload: dict = {"direct_cost_type": kind, "vendor_id": vendor.procore_id, "status": "approved",
                     "direct_cost_date": doc.date.isoformat(), "origin_id": origin_id,
                     "origin_data": f"xero:{doc.source}"}
    if doc.source in (BILL, CREDIT):
        payload["invoice_number"] = doc.number or doc.reference or f"XERO-{doc.doc_id[:8].upper()}"
    if doc.source in (SPEND, JOURNAL) and doc.reference:
        payload["description"] = doc.reference  # note 1: the reference of spend money
    elif doc.source == BILL and from_procore and doc.number:
        payload["description"] = doc.number  # note 1: a bill first synced from Procore (its reference)
    elif doc.source == CREDIT:
        payload["description"] = f"Credit note {doc.number}".strip()
    if not from_procore:
        payload["received_date"] = doc.date.isoformat()  # note 3: only for documents first entered in Xero
    payload["line_items"] = [
        {**code, "description": line.description or item.description, "quantity": str(line.quantity),
         "unit_cost": str(line.unit_cost), "amount": str(line.amount), "origin_id": line.line_id or None}
        for line, item, code in part.lines]
    return payload


# ---------------------------------------------------------------------------------- runs
def import_job_costs(*, link: CompanyLink, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None,
                     project: Project | None = None, contact_id: str | None = None, full: bool = False) -> SyncRun:
    """JC-5: the daily and on-demand job cost sync; JC-9: for one project or one contact."""
    from .summary import job_cost_summary_recompute

    parameters = {"project": project.pk if project else None, "contact_id": contact_id, "full": full}
    tracker = start_run(link=link, kind=SyncRun.Kind.JOB_COSTS, trigger=trigger, actor=actor, parameters=parameters)

    def body() -> str:
        xero, procore = clients_for(link)
        importer = JobCostImporter(link, xero, procore, tracker, actor)
        scoped = project is not None or bool(contact_id)
        for source in (BILL, SPEND, CREDIT, JOURNAL):
            since = None if (scoped or full) else cursor_get(link, CURSORS[source])
            high = importer.run_source(source, since=since, contact_id=contact_id, project=project)
            if not scoped:
                cursor_set(link, CURSORS[source], high)
        if not scoped:
            importer.retry_unsyncable()
        job_cost_summary_recompute(link=link)
        return ""

    return run_guarded(tracker, link, body)


def import_xero_document(*, link: CompanyLink, category: str, resource_id: str,
                         trigger: str = SyncRun.Trigger.WEBHOOK, actor=None) -> SyncRun | None:
    """A webhook's targeted sync (REL-4): the invoice, credit note or contact it names."""
    from .contacts import import_contacts
    from .summary import job_cost_summary_recompute

    category = (category or "").upper()
    if category == "CONTACT":
        return import_contacts(link=link, trigger=trigger, actor=actor, contact_id=resource_id)
    if category not in ("INVOICE", "CREDITNOTE"):
        return None
    tracker = start_run(link=link, kind=SyncRun.Kind.JOB_COSTS, trigger=trigger, actor=actor,
                        parameters={"category": category, "resource_id": resource_id})

    def body() -> str:
        xero, procore = clients_for(link)
        importer = JobCostImporter(link, xero, procore, tracker, actor)
        resource = "Invoices" if category == "INVOICE" else "CreditNotes"
        answer = xero.get(f"{resource}/{resource_id}")
        documents = answer.get(resource) if isinstance(answer, dict) else None
        if not isinstance(documents, list) or not documents or not isinstance(documents[0], dict):
            raise BadDocument(f"Xero answered {resource}/{resource_id} without the document")
        doc = documents[0]
        kind = str(doc.get("Type") or "").upper()
        if kind not in (BILL, CREDIT):
            tracker.count("skipped")
            return f"{kind or 'unknown'} documents are not job costs"
        importer.process(doc, kind)
        importer.creations.flush()
        job_cost_summary_recompute(link=link)
        return ""

    return run_guarded(tracker, link, body)


def direct_cost_unlock(*, direct_cost: DirectCost, actor, procore=None) -> DirectCost:
    """JC-7: an admin unlocks an imported direct cost (its origin_id cleared in Procore, so it can be edited
    there); the imports leave it alone until it is locked again."""
    if procore is None:
        from integration.services.connections import procore_client_for

        procore = procore_client_for(direct_cost.link)
    if direct_cost.procore_id and not direct_cost.removed:
        procore.set_direct_cost_origin_id(direct_cost.project.procore_id, direct_cost.procore_id, None)
    with transaction.atomic():
        DirectCost.objects.filter(pk=direct_cost.pk).update(locked=False)
        audit_record(direct_cost, action="direct_cost_unlock", actor=actor)
    direct_cost.locked = False
    return direct_cost


def direct_cost_lock(*, direct_cost: DirectCost, actor, procore=None) -> DirectCost:
    """JC-7: lock it again (origin_id back); the next import brings it back in line with Xero."""
    if procore is None:
        from integration.services.connections import procore_client_for

        procore = procore_client_for(direct_cost.link)
    if direct_cost.procore_id and not direct_cost.removed:
        procore.set_direct_cost_origin_id(direct_cost.project.procore_id, direct_cost.procore_id,
                                          direct_cost.xero_document_id)
    with transaction.atomic():
        DirectCost.objects.filter(pk=direct_cost.pk).update(locked=True, xero_updated_at=None)
        audit_record(direct_cost, action="direct_cost_lock", actor=actor)
    direct_cost.locked = True
    return direct_cost
