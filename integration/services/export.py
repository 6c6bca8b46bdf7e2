"""Export accepted records to Xero: every accepted record becomes exactly one correct Xero document
(SYNC-8), or comes back `failed` with Xero's reason (REL-3).

How exactly-once holds:
1. A worker claims up to 50 `exporting` records of one type with `select_for_update(skip_locked=True)`
   and a lease, so two workers never take the same record (REL-5). The claim stores the record's
   idempotency key (link, type, record, version, attempt) before any call.
2. The batch goes to Xero with an `Idempotency-Key` derived from its records' keys: a retry of the
   same batch after a timeout or a lost answer replays Xero's first answer and creates nothing.
3. A record claimed while it still holds a key from an earlier attempt may already be in Xero: it is
   looked up first (contact + number, ContactNumber, Item code, option name) and linked if found.
4. Each element's outcome is saved on its own record in one transaction: `synced` with the Xero id, or
   `failed` with Xero's message. A definitive failure drops the key, so a re-push is a fresh attempt.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integration.mapping import to_xero
from integration.mapping.common import UnknownTimezone, money, organisation_zone, project_option_name
from integration.models import (
    ChangeOrder,
    Commitment,
    CompanyLink,
    Connection,
    CostItem,
    ErpStatus,
    OwnerInvoice,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.selectors import prefetch_lines, record_lines, sells, tax_types_for
from integration.services.attachments import attach_files
from integration.services.connections import (
    NotConnected,
    connection_mark_needs_reconnect,
    procore_client_for,
    xero_client_for,
)
from integration.services.runs import RunTracker
from integration.services.status import apply_transitions
from integration.services.writeback import drain_within_budget, has_procore_origin
from xero_client.errors import (
    DailyLimitReached,
    InvalidGrant,
    MalformedResponse,
    NotFound,
    RateLimited,
    TransientError,
    ValidationFailed,
    XeroError,
)

BATCH_SIZE = 50  # Xero's practical batch ceiling (api/xero.md §3, REL-3)
ACTOR = "system: export"
OPTION_WARNING = 90  # warn before Xero's ~100 options per tracking category (PRJ-2, WBS-6)
LIVE_STATUSES = "DRAFT,SUBMITTED,AUTHORISED,PAID"
UNITDP_RESOURCES = ("Invoices", "PurchaseOrders")
CONTACTS_PER_QUERY = 40  # an IDs list of ~52 GUIDs hits Xero's URL limit (api/xero.md §4)

ORDER = [CostItem, Project, Vendor, Commitment, ChangeOrder, SubcontractorInvoice, OwnerInvoice]
IN_CURRENCY = (Commitment, SubcontractorInvoice, OwnerInvoice)  # documents with a CurrencyCode (BOOK-7)
TAXED = (Commitment, ChangeOrder, SubcontractorInvoice, OwnerInvoice)  # lines with a Procore tax code (BOOK-3)
RELATED = {
    CostItem: ("link", "cost_code", "cost_type"),
    Project: ("link",),
    Vendor: ("link",),
    Commitment: ("link", "project", "vendor"),
    ChangeOrder: ("link", "project", "commitment", "commitment__vendor"),
    SubcontractorInvoice: ("link", "project", "vendor", "commitment"),
    OwnerInvoice: ("link", "project", "prime_contract", "prime_contract__owner"),
}


@dataclass
class Claimed:
    record: object
    uncertain: bool  # an earlier attempt kept its key: that call may have reached Xero


def record_key(link: CompanyLink, record) -> str:
    return f"pxc-{link.pk}-{record._meta.model_name}-{record.pk}-v{record.export_version}-a{record.export_attempts}"


def batch_key(claimed: list[Claimed]) -> str:
    digest = hashlib.sha256("|".join(c.record.idempotency_key for c in claimed).encode()).hexdigest()
    return f"pxc-batch-{digest[:48]}"


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def claim(model, link: CompanyLink, worker: str, *, lease: timedelta | None = None, limit: int = BATCH_SIZE) -> list[Claimed]:
    """Take up to `limit` exporting records of `model` that no live lease holds (REL-5), with what the
    mapping reads of them (related rows and lines) loaded for the whole batch: four statements (PERF-6)."""
    now = timezone.now()
    lease = lease or lease_duration()
    with transaction.atomic():
        records = list(
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*RELATED[model])
            .filter(link=link, erp_status=ErpStatus.EXPORTING)
            .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            .filter(Q(export_claimed_until__isnull=True) | Q(export_claimed_until__lte=now))
            .order_by("pk")[:limit]
        )
        uncertain = []
        for record in records:
            uncertain.append(bool(record.idempotency_key))
            record.export_attempts += 1
            if not uncertain[-1]:
                record.idempotency_key = record_key(link, record)
            record.export_claim, record.export_claimed_until, record.updated_at = worker, now + lease, now
        if records:
            model.objects.bulk_update(records, ["export_attempts", "idempotency_key", "export_claim", "export_claimed_until", "updated_at"])
    prefetch_lines(records)
    return [Claimed(r, u) for r, u in zip(records, uncertain, strict=True)]


def release(link: CompanyLink, worker: str) -> None:
    for model in ORDER:
        model.objects.filter(link=link, export_claim=worker).update(export_claim="", export_claimed_until=None)


class Exporter:
    """One export run of one link."""

    def __init__(self, link: CompanyLink, client, tracker: RunTracker):
        self.link = link
        self.client = client
        self.tracker = tracker
        self.web_url = settings.PROCORE_WEB_URL
        self._categories: list[dict] | None = None
        self._items: dict[str, dict] | None = None
        self._tax_types: dict[bool, dict[int, str]] = {}
        self._timezone_read = False
        self._currencies_read = False
        self._tax_rates_read = False
        # Only what the duplicate guard compares is kept of each bill, not the decoded document (PERF-7).
        self._bills: dict[tuple, list[dict]] = {}
        self._bill_contacts_read: set[str] = set()
        # The same of each credit note, for export_credits' duplicate guard (CRED-1, INV-4).
        self._credit_notes: dict[tuple, list[dict]] = {}
        self._credit_contacts_read: set[str] = set()
        self._outcomes: dict[int, tuple] = {}
        self._created_invoices: dict[str, dict] = {}
        self._line_ids: list = []

    # ------------------------------------------------------------------ outcomes
    # Outcomes are collected as Xero answers and written once per batch (`flush`), in one transaction:
    # the records' rows locked, one UPDATE per kind of outcome, one INSERT of the audit rows, the run's
    # progress saved once (PERF-6). Until then each record keeps the key its claim stored, so a crash
    # before the flush leaves it `exporting` with its key: the next claim looks it up in Xero first.
    def _done(self, claimed: Claimed, xero_id: str, *, payload=None, response=None, message: str = "", created: bool = True,
              extra: dict | None = None):
        record = claimed.record
        fields = {
            # The key has done its work: the next change of this record is a new attempt with a new key.
            "xero_id": xero_id, "xero_synced_at": timezone.now(), "erp_message": "", "retry_after": None, "idempotency_key": "",
            "export_claim": "", "export_claimed_until": None, "writeback_pending": has_procore_origin(record), **(extra or {}),
        }
        self._outcomes.setdefault(record.pk, (record, "export_succeeded", fields, message, payload, response,
                                              "created" if created else "updated"))

    def _fail(self, claimed: Claimed, message: str, *, payload=None, response=None, keep_key: bool = False):
        record = claimed.record
        fields = {
            "erp_message": message, "export_claim": "", "export_claimed_until": None,
            # A definitive refusal starts the next attempt afresh; an unknown outcome keeps its key.
            "idempotency_key": record.idempotency_key if keep_key else "",
        }
        self._outcomes.setdefault(record.pk, (record, "export_failed", fields, message, payload, response, "failed"))

    def flush(self, model) -> None:
        """Write the batch's outcomes: those of records still `exporting` (another worker or a person may
        have finished one meanwhile; it is left as it is)."""
        outcomes, self._outcomes = self._outcomes, {}
        lines, self._line_ids = self._line_ids, []
        if not outcomes:
            return
        with transaction.atomic():
            live = set(model.objects.select_for_update().filter(pk__in=list(outcomes), erp_status=ErpStatus.EXPORTING)
                       .values_list("pk", flat=True))
            moves = [o for pk, o in outcomes.items() if pk in live]
            apply_transitions(model, [o[:6] for o in moves], actor=ACTOR)
            for line_model in {type(line) for line in lines}:
                line_model.objects.bulk_update([line for line in lines if type(line) is line_model], ["xero_line_item_id"])
        for record, _action, _fields, message, *_rest, count in moves:
            self.tracker.count(count)
            if count == "failed":
                self.tracker.error(record, message)
        self.tracker.advance(len(moves))

    def _write(self, resource: str, claimed: list[Claimed], elements: list[dict], *, method: str, on_ok):
        """One batch write; each element's result lands on its own record (REL-3)."""
        if not claimed:
            return
        # BOOK-4: unit prices go to 4 places; without unitdp=4 Xero takes UnitAmount to 2 (api/xero.md §5
        # "Precision", §3: "on line-item documents, unitdp").
        params = {"unitdp": 4} if resource in UNITDP_RESOURCES else None
        try:
            results = self.client.write(resource, elements, method=method, idempotency_key=batch_key(claimed), params=params)
        except ValidationFailed as exc:
            # Only when Xero ignored summarizeErrors=false: give each record the messages of its element.
            per_element = exc.elements if len(exc.elements) == len(claimed) else [None] * len(claimed)
            for c, element, answer in zip(claimed, elements, per_element, strict=True):
                messages = [e.get("Message") for e in (answer or {}).get("ValidationErrors", []) if isinstance(e, dict)]
                self._fail(c, "Xero refused it: " + ("; ".join(m for m in messages if m) or exc.message), payload=element, response=answer)
            return
        except MalformedResponse as exc:
            for c, element in zip(claimed, elements, strict=True):
                self._fail(c, f"Xero's answer could not be read ({exc.message}); the record was not marked synced. "
                              "Re-push it: the connector looks the document up in Xero before creating it again.",
                           payload=element, keep_key=True)
            return
        for c, element, result in zip(claimed, elements, results, strict=True):
            if result.ok and result.id:
                on_ok(c, result.id, element, result.document)
            else:
                self._fail(c, "Xero refused it: " + ("; ".join(result.errors) or "no reason given"), payload=element, response=result.document)

    # ------------------------------------------------------------------ Xero reference data
    def categories(self, refresh: bool = False) -> list[dict]:
        if self._categories is None or refresh:
            self._categories = self.client.list_tracking_categories(include_archived=True)
        return self._categories

    def category(self, name: str) -> dict:
        """The tracking category `name`, created when missing and Xero allows it (2 active at most)."""
        for category in self.categories():
            if category.get("Name", "").strip().casefold() == name.strip().casefold() and category.get("Status", "ACTIVE") == "ACTIVE":
                return category
        active = [c for c in self.categories() if c.get("Status", "ACTIVE") == "ACTIVE"]
        if len(active) >= 2:
            raise XeroError(f"Xero allows 2 active tracking categories and has {', '.join(c['Name'] for c in active)}: "
                            f"archive one or rename one to '{name}' in Xero.")
        category = self.client.create_tracking_category(name, idempotency_key=f"pxc-{self.link.pk}-category-{name}")
        category.setdefault("Options", [])
        self._categories.append(category)
        return category

    def organisation_timezone(self) -> None:
        """BOOK-1: a purchase order is dated in the organisation's time zone, read once per run."""
        if self._timezone_read:
            return
        zone = str(self.client.get_organisation().get("Timezone") or "")
        try:
            organisation_zone(zone)
        except UnknownTimezone as exc:
            raise XeroError(f"{exc}: the purchase order's date cannot be worked out.") from None
        self._timezone_read = True
        if zone != self.link.xero_timezone:
            self.link.xero_timezone = zone
            CompanyLink.objects.filter(pk=self.link.pk).update(xero_timezone=zone)

    def tax_types(self, *, sales: bool = False) -> dict[int, str]:
        """The tax code table of purchases, or of sales (BOOK-3), read once per run."""
        if sales not in self._tax_types:
            self._tax_types[sales] = tax_types_for(self.link, sales=sales)
        return self._tax_types[sales]

    def recheck(self, model, batch: list[Claimed]) -> list[Claimed]:
        """SYNC-5: the records whose export checks still pass now, as the run claims them: a mapping, a link
        setting, or the organisation's currencies (BOOK-7) or tax rates (BOOK-3) may have changed since they
        were accepted. The others fail with the reason and nothing of them is sent; one that may already be
        in Xero (an earlier attempt's key) keeps its key, so its next attempt looks it up first."""
        from integration.selectors import validate_record
        from integration.services.currencies import (
            organisation_currencies_refresh,
            organisation_tax_types_refresh,
        )

        tax_types = self.tax_types(sales=sells(model)) if model in TAXED else {}
        if model in IN_CURRENCY and not self._currencies_read:
            organisation_currencies_refresh(self.link, self.client)
            self._currencies_read = True
        if tax_types and not self._tax_rates_read:
            organisation_tax_types_refresh(self.link, self.client)
            self._tax_rates_read = True
        kept = []
        for c in batch:
            c.record.link = self.link
            failures = validate_record(c.record, tax_types=tax_types)
            if failures:
                self._fail(c, "Not sent: its export checks fail now. " + " ".join(str(f) for f in failures),
                           keep_key=c.uncertain)
            else:
                kept.append(c)
        return kept

    def items(self) -> dict[str, dict]:
        if self._items is None:
            self._items = {str(i.get("Code")): i for i in self.client.list_items()}
        return self._items

    def ensure_retainage_item(self) -> None:
        if self.link.retainage_item_code in self.items():
            return
        [result] = self.client.create_items([to_xero.retainage_item(self.link)], idempotency_key=f"pxc-{self.link.pk}-retainage-{self.link.retainage_item_code}")
        if not result.ok:
            raise XeroError(f"The retainage Item '{self.link.retainage_item_code}' could not be created: {'; '.join(result.errors)}")
        self._items[self.link.retainage_item_code] = result.document

    def existing_bills(self, contact_ids: Iterable[str], invoice_type: str) -> dict[tuple, dict]:
        """Live bills (or sales invoices) of these contacts, by (type, contact, number), read once per run."""
        wanted = sorted({c for c in contact_ids if c} - self._bill_contacts_read)
        for start in range(0, len(wanted), CONTACTS_PER_QUERY):
            chunk = wanted[start:start + CONTACTS_PER_QUERY]
            for doc in self.client.iter_pages("Invoices", params={"ContactIDs": ",".join(chunk), "Statuses": LIVE_STATUSES}):
                self._remember_bill(doc)
            self._bill_contacts_read.update(chunk)
        return self._bills

    def _remember_bill(self, doc: dict) -> None:
        contact = (doc.get("Contact") or {}).get("ContactID")
        key = (doc.get("Type"), contact, str(doc.get("InvoiceNumber") or "").strip().casefold())
        kept = {k: doc[k] for k in ("InvoiceID", "SubTotal", "Total", "Url", "Status") if k in doc}
        self._bills.setdefault(key, []).append(kept)

    # ------------------------------------------------------------------ cost items (WBS-1, WBS-3, WBS-6)
    def export_cost_items(self, batch: list[Claimed]) -> None:
        if self.link.cost_code_export_mode == "tracking":
            category = self.category(self.link.cost_code_tracking_category)
            self._export_options(batch, category, lambda r: to_xero.cost_item_to_option(r)["Name"])
            return
        creates = []
        for c in batch:
            existing = self.items().get(c.record.item_code) if c.uncertain and not c.record.xero_id else None
            if existing:
                self._done(c, existing["ItemID"], message="Found in Xero after an interrupted attempt.")
            elif not c.record.xero_id:
                creates.append(c)
        self._write("Items", creates, [to_xero.cost_item_to_item(c.record, link=self.link) for c in creates], method="PUT",
                    on_ok=self._item_created)
        updates = [c for c in batch if c.record.xero_id]
        self._write("Items", updates, [to_xero.cost_item_update(c.record, item_id=c.record.xero_id) for c in updates],
                    method="POST", on_ok=lambda c, xid, el, doc: self._done(c, xid, payload=el, response=doc, created=False))

    def _item_created(self, c: Claimed, xero_id: str, element: dict, document: dict) -> None:
        if self._items is not None:
            self._items[c.record.item_code] = document or element
        self._done(c, xero_id, payload=element, response=document)

    # ------------------------------------------------------------------ projects (PRJ-1, PRJ-2)
    def export_projects(self, batch: list[Claimed]) -> None:
        category = self.category(self.link.project_tracking_category)
        self._export_options(batch, category, project_option_name, store_name=True)

    def _export_options(self, batch: list[Claimed], category: dict, name_of, *, store_name: bool = False) -> None:
        options = category.setdefault("Options", [])
        by_name = {o.get("Name", "").strip().casefold(): o for o in options}
        active = sum(1 for o in options if o.get("Status", "ACTIVE") == "ACTIVE")
        if active >= OPTION_WARNING:
            self.tracker.error(None, f"Tracking category '{category['Name']}' has {active} active options; Xero allows about 100: archive the options of closed projects.")
        for c in batch:
            record, name = c.record, name_of(c.record)
            try:
                if record.xero_id:  # an update: the name, and for a project its state (PRJ-2)
                    status = None
                    if store_name:
                        status = "ACTIVE" if record.active else "ARCHIVED"
                    option = self.client.update_tracking_option(category["TrackingCategoryID"], record.xero_id, name=name,
                                                                status=status, idempotency_key=record.idempotency_key)
                    created = False
                elif name.casefold() in by_name:
                    # The option already exists (this run's earlier attempt, or someone made it by hand): link it.
                    option, created = by_name[name.casefold()], True
                else:
                    option = self.client.create_tracking_option(category["TrackingCategoryID"], name, idempotency_key=record.idempotency_key)
                    options.append(option)
                    by_name[name.casefold()] = option
                    created = True
            except ValidationFailed as exc:
                self._fail(c, f"Xero refused the tracking option '{name}': {exc.message}", payload={"Name": name})
                continue
            if store_name:
                Project.objects.filter(pk=record.pk).update(xero_option_name=name, xero_option_status=option.get("Status", "ACTIVE"))
            self._done(c, option["TrackingOptionID"], payload={"Name": name}, response=option, created=created)

    def sync_project_option_states(self) -> None:
        """PRJ-2: archive the option of a project that became inactive; restore it when reactivated."""
        changes = list(Project.objects.filter(link=self.link).exclude(xero_id="").filter(
            Q(active=False, xero_option_status="ACTIVE") | Q(active=True, xero_option_status="ARCHIVED")))
        if not changes:
            return
        category = self.category(self.link.project_tracking_category)
        for project in changes:
            status = "ACTIVE" if project.active else "ARCHIVED"
            try:
                self.client.update_tracking_option(category["TrackingCategoryID"], project.xero_id, status=status,
                                                   idempotency_key=f"pxc-{self.link.pk}-option-{project.pk}-{status}-{project.export_version}")
            except ValidationFailed as exc:
                self.tracker.error(project, f"Could not {'restore' if project.active else 'archive'} the tracking option: {exc.message}")
                continue
            Project.objects.filter(pk=project.pk).update(xero_option_status=status)
            from integration.services.audit import audit_record

            audit_record(project, action="option_restored" if project.active else "option_archived", actor=ACTOR,
                         message=f"Tracking option {'restored' if project.active else 'archived'} in Xero.")

    # ------------------------------------------------------------------ companies (CO-1)
    def export_vendors(self, batch: list[Claimed]) -> None:
        creates = []
        for c in batch:
            if c.record.xero_id:
                continue
            found = self.client.find_contact_by_number(str(c.record.procore_id)) if c.uncertain and c.record.procore_id else None
            if found:
                self._done(c, found["ContactID"], message="Found in Xero by its ContactNumber after an interrupted attempt.")
            else:
                creates.append(c)
        self._write("Contacts", creates, [to_xero.vendor_to_contact(c.record) for c in creates], method="PUT",
                    on_ok=lambda c, xid, el, doc: self._done(c, xid, payload=el, response=doc))
        updates = [c for c in batch if c.record.xero_id]
        self._write("Contacts", updates, [to_xero.vendor_update(c.record, contact_id=c.record.xero_id) for c in updates], method="POST",
                    on_ok=lambda c, xid, el, doc: self._done(c, xid, payload=el, response=doc, created=False))

    # ------------------------------------------------------------------ commitments (CMT-1)
    def export_commitments(self, batch: list[Claimed]) -> None:
        self.organisation_timezone()
        creates = []
        for c in batch:
            if c.record.xero_id:
                self._update_purchase_order_header(c)
                continue
            found = self._purchase_order_by_number(c.record.number) if c.uncertain else None
            if found:
                self._done(c, found["PurchaseOrderID"], message="Found in Xero by its order number after an interrupted attempt.")
            else:
                creates.append(c)
        items = self.items() if creates else None
        elements = [to_xero.commitment_to_purchase_order(c.record, record_lines(c.record), link=self.link, items=items,
                                                        tax_types=self.tax_types()) for c in creates]
        self._write("PurchaseOrders", creates, elements, method="PUT", on_ok=self._commitment_created)

    def _commitment_created(self, c: Claimed, xero_id: str, element: dict, document: dict) -> None:
        lines = record_lines(c.record)
        for line, xero_line in zip([x for x in lines if x.amount or x.quantity], document.get("LineItems", []), strict=False):
            if xero_line.get("LineItemID"):
                line.xero_line_item_id = xero_line["LineItemID"]
                self._line_ids.append(line)
        self._done(c, xero_id, payload=element, response=document)

    def _purchase_order_by_number(self, number: str) -> dict | None:
        try:
            order = self.client.get_purchase_order(number)  # GET /PurchaseOrders/{PurchaseOrderNumber} (api/xero.md §4)
        except NotFound:
            return None
        return order if order.get("PurchaseOrderNumber") == number and order.get("Status") != "DELETED" else None

    def _update_purchase_order_header(self, c: Claimed) -> None:
        """An approved commitment's schedule of values cannot change in Procore: only its header is
        updated, its lines (and the change orders appended below them) are sent back as they are."""
        try:
            current = self.client.get_purchase_order(c.record.xero_id)
        except NotFound:
            self._fail(c, "Its purchase order no longer exists in Xero: unlink it and send it again.")
            return
        header = to_xero.commitment_to_purchase_order(c.record, [], link=self.link)
        header.pop("LineItems", None)
        header.pop("Status", None)
        element = {**to_xero.append_lines_to_purchase_order(current, []), **header}
        self._write("PurchaseOrders", [c], [element], method="POST",
                    on_ok=lambda c, xid, el, doc: self._done(c, xid, payload=el, response=doc, created=False))

    # ------------------------------------------------------------------ change orders (CCO-1)
    def export_change_orders(self, batch: list[Claimed]) -> None:
        for c in batch:
            co = c.record
            try:
                order = self.client.get_purchase_order(co.commitment.xero_id)
            except NotFound:
                self._fail(c, f"The purchase order of commitment {co.commitment} no longer exists in Xero.")
                continue
            marker = f"CO {co.number}:"
            if any(str(line.get("Description", "")).startswith(marker) for line in order.get("LineItems", [])):
                # Already appended (an interrupted attempt, or a replay): never append twice.
                self._done(c, order["PurchaseOrderID"], message="Its lines are already on the purchase order.", created=False)
                continue
            new_lines = to_xero.change_order_lines(co, record_lines(co), link=self.link, items=self.items(),
                                                   tax_types=self.tax_types())
            if not new_lines:
                self._fail(c, "The change order has no line with an amount to append.")
                continue
            if order.get("Status") not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
                self._fail(c, f"Xero cannot change a purchase order that is {str(order.get('Status')).lower()}.")
                continue
            element = to_xero.append_lines_to_purchase_order(order, new_lines)
            self._write("PurchaseOrders", [c], [element], method="POST",
                        on_ok=lambda c, xid, el, doc: self._done(c, xid, payload=el, response=doc, created=False))

    # ------------------------------------------------------------------ invoices (INV-1, INV-4, INV-5, CRED-1)
    def export_subcontractor_invoices(self, batch: list[Claimed]) -> None:
        self._export_invoices(batch, "ACCPAY", contact=lambda r: r.vendor.xero_id)

    def export_owner_invoices(self, batch: list[Claimed]) -> None:
        self._export_invoices(batch, "ACCREC", contact=lambda r: r.prime_contract.owner.xero_id)

    def _export_invoices(self, batch: list[Claimed], invoice_type: str, *, contact) -> None:
        documents = {c.record.pk: to_xero.invoice_document(c.record, record_lines(c.record), link=self.link, web_url=self.web_url,
                                                           items=self.items(), tax_types=self.tax_types(sales=invoice_type == "ACCREC"))
                     for c in batch}
        if any(any(line.get("ItemCode") == self.link.retainage_item_code for line in doc["LineItems"]) for doc in documents.values()):
            self.ensure_retainage_item()
        # CRED-1: a negative invoice is a credit note, sent after the bills so that it can be allocated to one.
        credits = [c for c in batch if to_xero.is_credit_note(documents[c.record.pk])]
        batch = [c for c in batch if not to_xero.is_credit_note(documents[c.record.pk])]
        for c in [c for c in batch if c.record.xero_credit_note]:
            self._fail(c, "Its total is no longer negative but its Xero document is a credit note: void it in Xero, "
                          "unlink the record and send it again to export it as a bill.")
        batch = [c for c in batch if not c.record.xero_credit_note]
        creates = [c for c in batch if not c.record.xero_id]
        existing = self.existing_bills([contact(c.record) for c in creates], invoice_type) if creates else {}
        to_create = []
        for c in creates:
            doc = documents[c.record.pk]
            total = sum((money(line.get("LineAmount", line["Quantity"] * line["UnitAmount"])) for line in doc["LineItems"]), Decimal("0"))
            key = (invoice_type, contact(c.record), str(doc["InvoiceNumber"]).strip().casefold())
            # Compare before tax: Xero adds tax to Exclusive lines, our amounts are the lines' (api/xero.md §5).
            # Inclusive amounts (BOOK-3) include the tax: they add up to Xero's Total, not its SubTotal.
            basis = "Total" if doc.get("LineAmountTypes") == "Inclusive" else "SubTotal"
            same = [d for d in existing.get(key, []) if money(d.get(basis, d.get("Total"))) == total]
            # A bill we exported carries the Url of its own Procore invoice: ours is recovered, another
            # Procore invoice's bill (same PO number and amount, commitment sync on) is no duplicate.
            url = doc.get("Url")
            ours = [d for d in same if url and d.get("Url") == url]
            same = ours or [d for d in same if not (url and str(d.get("Url") or "").startswith(self.web_url))]
            if ours or (same and c.uncertain):
                self._done(c, same[0]["InvoiceID"], message="Found in Xero (same contact, number and total) after an interrupted attempt.")
            elif same:
                # INV-4: never a second bill; the approver looks at the existing one and decides.
                self._fail(c, f"Duplicate guard: Xero already has {'bill' if invoice_type == 'ACCPAY' else 'invoice'} "
                              f"{doc['InvoiceNumber']} for this contact totalling {total} (InvoiceID {same[0]['InvoiceID']}, "
                              f"{str(same[0].get('Status', '')).lower()}). If it is this invoice, link it; otherwise correct the number and resend.",
                           payload=doc, response={"ExistingInvoiceID": same[0]["InvoiceID"]})
            else:
                to_create.append(c)
        self._write("Invoices", to_create, [documents[c.record.pk] for c in to_create], method="PUT", on_ok=self._invoice_created)
        updates = [c for c in batch if c.record.xero_id]
        elements = [{**documents[c.record.pk], "InvoiceID": c.record.xero_id} for c in updates]
        self._write("Invoices", updates, elements, method="POST", on_ok=self._invoice_updated)
        if credits:
            from integration.services.export_credits import export_credit_notes

            export_credit_notes(self, credits, documents, contact=contact)

    def _invoice_created(self, c: Claimed, xero_id: str, element: dict, document: dict) -> None:
        self._remember_bill({**document, "InvoiceID": xero_id})
        # What a credit note of the same commitment (prime contract) may be allocated to in this run (CRED-1).
        group = c.record.commitment_id if c.record._meta.model_name == "subcontractorinvoice" else c.record.prime_contract_id
        self._created_invoices.setdefault(c.record._meta.model_name, {}).setdefault(group, []).append(xero_id)
        self._done(c, xero_id, payload=element, response=document)

    def _invoice_updated(self, c: Claimed, xero_id: str, element: dict, document: dict) -> None:
        self._done(c, xero_id, payload=element, response=document, created=False)

EXPORTERS = {
    CostItem: Exporter.export_cost_items,
    Project: Exporter.export_projects,
    Vendor: Exporter.export_vendors,
    Commitment: Exporter.export_commitments,
    ChangeOrder: Exporter.export_change_orders,
    SubcontractorInvoice: Exporter.export_subcontractor_invoices,
    OwnerInvoice: Exporter.export_owner_invoices,
}


def export_link(*, link_id: int, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None, lease: timedelta | None = None) -> SyncRun:
    """Export everything accepted on a link, type by type in dependency order (SYNC-8)."""
    link = CompanyLink.objects.get(pk=link_id)
    tracker = RunTracker.start(link=link, kind=SyncRun.Kind.EXPORT, trigger=trigger, actor=actor)
    worker = uuid.uuid4().hex
    tracker.total(sum(m.objects.filter(link=link, erp_status=ErpStatus.EXPORTING).count() for m in ORDER))
    try:
        client = xero_client_for(link)
    except NotConnected as exc:
        return tracker.finish(status=SyncRun.Status.FAILED, message=str(exc))
    exporter = Exporter(link, client, tracker)
    status, message = None, ""
    try:
        exporter.sync_project_option_states()
        for model in ORDER:
            while batch := claim(model, link, worker, lease=lease):
                try:
                    EXPORTERS[model](exporter, exporter.recheck(model, batch))
                except (DailyLimitReached, InvalidGrant, TransientError, RateLimited):
                    raise
                except XeroError as exc:  # a refusal of the whole batch (e.g. no room for a tracking category)
                    for c in batch:
                        exporter._fail(c, exc.message)
                finally:
                    exporter.flush(model)  # what Xero answered before a fault is saved all the same
        # ATT-1: the documents exist now; their files follow (outside any transaction).
        attach_files(link=link, xero=client, procore_factory=lambda: _procore_for_files(link), tracker=tracker)
    except DailyLimitReached as exc:
        status, message = SyncRun.Status.DEFERRED, _defer(link, exc.retry_at, tracker)
    except InvalidGrant as exc:
        connection_mark_needs_reconnect(link=link, provider=Connection.Provider.XERO, message=f"Xero refused the refresh token ({exc.message}): reconnect Xero.")
        status, message = SyncRun.Status.FAILED, "Xero's connection needs reconnecting; accepted records wait in 'exporting'."
    except (TransientError, RateLimited, MalformedResponse) as exc:
        from integration.services.dispatch import schedule_export

        when = timezone.now() + timedelta(minutes=5)
        schedule_export(link_id=link.pk, at=when)
        status, message = SyncRun.Status.PARTIAL, f"Xero is not answering properly ({exc.message}); the rest is retried at {when:%H:%M} UTC."
    finally:
        release(link, worker)
        _remember_day_limit(link, client)
    # What Xero took is marked in Procore now, within Procore's budget: in batches where Procore has a
    # /sync endpoint, one call each where it has not; what does not fit waits for the write-back task
    # (PERF-4). It runs after the Xero work, so Procore's budget never holds the export back.
    drained = drain_within_budget(link=link, tracker=tracker)
    tracker.run.counts["procore_marking_pending"] = drained.waiting
    message = " ".join(m for m in (message, drained.summary()) if m)
    return tracker.finish(status=status, message=message)


def _procore_for_files(link: CompanyLink):
    from procore_client.errors import ProcoreError

    try:
        return procore_client_for(link)
    except NotConnected as exc:
        raise ProcoreError(str(exc)) from None


def _defer(link: CompanyLink, retry_at, tracker: RunTracker) -> str:
    """REL-1: a spent daily limit defers the rest to the time Xero gives, and the run says so."""
    from integration.services.dispatch import schedule_export

    for model in ORDER:
        model.objects.filter(link=link, erp_status=ErpStatus.EXPORTING).update(retry_after=retry_at)
    Connection.objects.filter(link=link, provider=Connection.Provider.XERO).update(day_limit_remaining=0, day_limit_retry_at=retry_at)
    schedule_export(link_id=link.pk, at=retry_at)
    tracker.run.deferred_until = retry_at
    return f"Xero's daily call limit is spent; the export resumes at {retry_at:%Y-%m-%d %H:%M} UTC."


def _remember_day_limit(link: CompanyLink, client) -> None:
    remaining = getattr(getattr(client, "limiter", None), "day_remaining", None)
    if remaining is not None:
        Connection.objects.filter(link=link, provider=Connection.Provider.XERO).update(day_limit_remaining=remaining)
