"""Xero stays the truth: every synced record is checked against the document Xero holds (DRIFT-1).

``reconcile_link(*, link_id, trigger, actor=None, full=False)`` reads from Xero, per resource, what changed
since the last reconcile and compares each document linked to a record with what the connector last sent:

- ``Invoices`` (bills and sales invoices), ``CreditNotes`` (the credit notes of negative invoices, CRED-1),
  ``PurchaseOrders`` and ``Contacts``: ``If-Modified-Since`` from
  the cursor ``reconcile:<resource>`` in ``link.sync_cursors`` (less five minutes' overlap), pages of 1,000
  (api/xero.md §4); with no cursor (the first run, or ``full``) everything is read once;
- ``Items`` and ``TrackingCategories``: one unpaged read of the whole list (Items are not paged, §4, and a
  deleted Item only shows by its absence; tracking categories take no ``If-Modified-Since``, §7);
- ``Payments``: ``If-Modified-Since`` from its cursor, for the reconciliation report (payments applied in
  Xero are not drift).
With nothing changed it costs one call per resource.

``reconcile_records(*, records, trigger, actor)`` ("Check against Xero", and the Xero webhooks on invoices
and contacts) reads only the documents of those records: batched ``IDs=`` reads of 40 (the URL limit of
about 52 GUIDs, §4) for invoices and contacts, which have ``IDs``; one read per purchase order (its GET has
no ``IDs``, §4), and per credit note likewise.

What the connector last sent is the document Xero answered to the connector's last write of it (the
``response`` of the last ``export_succeeded``, ``link_existing``, ``accept_xero`` or ``xero_baseline``
audit event of any record linked to it), or the request itself when no answer was kept. A record with no
baseline at all (linked before reconciling existed) takes what Xero holds now as its baseline, audited.

Outcomes, each in one transaction with its audit event (payload: what was sent; response: what Xero holds):
- a ``synced`` record whose document differs moves to ``out_of_sync`` (``drift_found``) with a message
  naming each difference; a record already ``out_of_sync`` whose differences changed gets the new message;
  one whose document agrees again goes back to ``synced`` (``drift_cleared``);
- a ``ready_to_update`` or ``failed`` record (already in Xero) keeps its status and records the differences
  in ``xero_drift``, so the approver's accept cannot silently overwrite the accountant's edit (DRIFT-3).
Every document read is kept in ``XeroDocument`` (and its lines), whether a record is linked to it or not, for
the reconciliation report (RPT-3, DRIFT-4; integration/services/reconcile_store.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integration.models import (
    AuditEvent,
    ChangeOrder,
    Commitment,
    CompanyLink,
    CostItem,
    ErpStatus,
    OwnerInvoice,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.services.audit import audit_record
from integration.services.drift import differences, gone_message
from integration.services.imports.common import cursor_get, cursor_set, later, run_guarded, start_run
from integration.services.reconcile_store import DocumentStore
from integration.services.runs import RunTracker
from integration.services.status import apply_transition, lock_record

ACTOR = "system: reconcile"
BASELINE_ACTIONS = ("export_succeeded", "link_existing", "accept_xero", "xero_baseline")
CHECKED = (ErpStatus.SYNCED, ErpStatus.OUT_OF_SYNC, ErpStatus.READY_TO_UPDATE, ErpStatus.FAILED)
CURSOR = "reconcile:{}"

# Which records each Xero resource holds the documents of, and the id key of its documents.
MODELS = {
    "Invoices": (SubcontractorInvoice, OwnerInvoice),
    "CreditNotes": (SubcontractorInvoice, OwnerInvoice),  # a negative invoice's document (CRED-1)
    "PurchaseOrders": (Commitment, ChangeOrder),
    "Contacts": (Vendor,),
    "Items": (CostItem,),
    "TrackingOptions": (Project, CostItem),
}
ID_KEY = {"Invoices": "InvoiceID", "PurchaseOrders": "PurchaseOrderID", "Contacts": "ContactID", "Items": "ItemID",
          "TrackingOptions": "TrackingOptionID", "Payments": "PaymentID", "CreditNotes": "CreditNoteID"}
RESOURCE_OF = {"subcontractorinvoice": "Invoices", "ownerinvoice": "Invoices", "commitment": "PurchaseOrders",
               "changeorder": "PurchaseOrders", "vendor": "Contacts", "project": "TrackingOptions"}


def resource_of(record) -> str:
    model = record._meta.model_name
    if model == "costitem":
        return "TrackingOptions" if record.link.cost_code_export_mode == "tracking" else "Items"
    if getattr(record, "xero_credit_note", False):
        return "CreditNotes"
    return RESOURCE_OF[model]


def baselines_for(resource: str, records: list) -> dict[str, dict | None]:
    """What the connector last sent of each document (by lower-case Xero id), from the audit trail."""
    by_type = defaultdict(list)
    for record in records:
        by_type[ContentType.objects.get_for_model(record).pk].append(record.pk)
    if not by_type:
        return {}
    query = Q()
    for ct, pks in by_type.items():
        query |= Q(content_type_id=ct, object_id__in=pks)
    key = ID_KEY[resource]
    id_of = {(ContentType.objects.get_for_model(r).pk, r.pk): r.xero_id.lower() for r in records}
    out: dict[str, dict | None] = {}
    events = AuditEvent.objects.filter(query, action__in=BASELINE_ACTIONS).order_by("-created_at", "-id").values(
        "content_type_id", "object_id", "payload", "response")
    for event in events.iterator():
        xero_id = id_of.get((event["content_type_id"], event["object_id"]))
        if xero_id is None or xero_id in out:
            continue
        response, payload = event["response"], event["payload"]
        if isinstance(response, dict) and str(response.get(key, "")).lower() == xero_id:
            out[xero_id] = response
        elif isinstance(payload, dict) and payload:
            out[xero_id] = payload
    return out


class Reconciler:
    """One reconcile of one link: reads, compares, moves records, keeps what it read."""

    def __init__(self, link: CompanyLink, client, tracker: RunTracker, *, actor=None):
        self.link = link
        self.client = client
        self.tracker = tracker
        self.actor = actor
        self.started = timezone.now()
        self.read_at = self.started
        self.store = DocumentStore(link, self.started)

    # ------------------------------------------------------------------ reading
    def read_changed(self, resource: str, *, full: bool) -> list[dict]:
        """Every document of `resource` changed since its cursor (or all of them), page by page."""
        since = None if full else cursor_get(self.link, CURSOR.format(resource))
        if resource == "Invoices":
            pages = self.client.iter_invoices(if_modified_since=since)
        elif resource == "PurchaseOrders":
            pages = self.client.iter_purchase_orders(if_modified_since=since)
        elif resource == "Contacts":
            # Archived contacts are drift too: include them (spec GET /Contacts includeArchived).
            pages = self.client.iter_contacts(if_modified_since=since, include_archived=True)
        elif resource == "Payments":
            pages = self.client.iter_payments(if_modified_since=since)
        elif resource == "CreditNotes":
            pages = self.client.iter_credit_notes(if_modified_since=since)
        else:
            raise ValueError(resource)
        docs, high = [], None
        for doc in pages:
            if isinstance(doc, dict):
                docs.append(doc)
                high = later(high, doc.get("UpdatedDateUTC"))
        self._high = getattr(self, "_high", {})
        self._high[resource] = high
        return docs

    def commit_cursor(self, resource: str) -> None:
        cursor_set(self.link, CURSOR.format(resource), getattr(self, "_high", {}).get(resource))

    def tracking_options(self) -> dict[str, dict]:
        """Every tracking option of the organisation by id, with its category's name (one call)."""
        out = {}
        for category in self.client.list_tracking_categories(include_archived=True):
            for option in category.get("Options") or []:
                if isinstance(option, dict) and option.get("TrackingOptionID"):
                    out[str(option["TrackingOptionID"]).lower()] = dict(option, CategoryName=category.get("Name"),
                                                                         CategoryStatus=category.get("Status"))
        return out

    # ------------------------------------------------------------------ baselines
    def baselines(self, resource: str, records: list) -> dict[str, dict | None]:
        return baselines_for(resource, records)

    # ------------------------------------------------------------------ comparing
    def linked_records(self, resource: str, ids: Iterable[str]) -> list:
        ids = list({i.lower() for i in ids if i})
        if not ids:
            return []
        out = []
        for model in MODELS[resource]:
            if model is CostItem and (resource == "Items") != (self.link.cost_code_export_mode != "tracking"):
                continue
            qs = model.objects.filter(link=self.link, erp_status__in=CHECKED).exclude(xero_id="")
            related = {SubcontractorInvoice: ("vendor",), OwnerInvoice: ("prime_contract__owner",),
                       ChangeOrder: ("commitment",)}.get(model, ())
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                out += list(qs.filter(Q(xero_id__in=chunk) | Q(xero_id__in=[i.upper() for i in chunk]))
                            .select_related("link", *related))
        return out

    def compare(self, resource: str, documents: dict[str, dict | None], records: list) -> None:
        """documents: lower-case Xero id → the document Xero holds now (None: it no longer exists)."""
        if not records:
            return
        sent = self.baselines(resource, records)
        names = dict(Vendor.objects.filter(link=self.link).exclude(xero_id="").values_list("xero_id", "name"))
        names = {k.lower(): v for k, v in names.items()}
        for record in records:
            xero_id = record.xero_id.lower()
            if xero_id not in documents:
                continue
            if record.erp_status_changed_at and record.erp_status_changed_at > self.read_at:
                continue  # moved while we read (an export answered meanwhile): the next run compares it
            now = documents[xero_id]
            self.tracker.count("read", model=record._meta.model_name)
            if xero_id not in sent:
                if now is not None:
                    self._adopt(record, now)
                continue
            found = self._differences(resource, record, sent[xero_id], now, names)
            self._outcome(record, found, sent[xero_id], now)

    def _differences(self, resource: str, record, sent: dict, now: dict | None, names: dict) -> list[str]:
        if resource == "TrackingOptions":
            if now is None:
                return ["deleted in Xero (the tracking option no longer exists there)"]
            expected = "ARCHIVED" if record._meta.model_name == "project" and record.xero_option_status == "ARCHIVED" else "ACTIVE"
            out = []
            if now.get("Status") != expected:
                out.append(f"{gone_message(str(now.get('Status')), None)}" if now.get("Status") in ("ARCHIVED", "DELETED")
                           else f"status {expected.lower()} → {str(now.get('Status')).lower()}")
            out += differences(resource, {"Name": sent.get("Name")}, now)
            return out
        if record._meta.model_name == "changeorder":
            return self._change_order_differences(record, now)
        return differences(resource, sent, now, names=names)

    def _change_order_differences(self, record, now: dict | None) -> list[str]:
        """A change order owns only its lines on the purchase order (CCO-1): they must still be there."""
        if now is None:
            return ["deleted in Xero (its purchase order no longer exists there)"]
        status = str(now.get("Status") or "")
        if status in ("DELETED", "VOIDED"):
            return [gone_message(status, now.get("UpdatedDateUTC")) + " (its purchase order)"]
        marker = f"CO {record.number}:"
        if not any(str(line.get("Description", "")).startswith(marker) for line in now.get("LineItems") or []):
            return [f"its lines ({marker}) were removed from the purchase order in Xero"]
        return []

    def _adopt(self, record, now: dict) -> None:
        with transaction.atomic():
            locked = lock_record(record)
            audit_record(locked, action="xero_baseline", actor=ACTOR, from_status=locked.erp_status,
                         to_status=locked.erp_status, response=now,
                         message="First reconcile: what Xero holds now is the baseline later reads compare with.")
            type(record).objects.filter(pk=record.pk).update(xero_checked_at=self.started)
        self.tracker.count("skipped", model=record._meta.model_name)

    def _outcome(self, record, found: list[str], sent: dict, now: dict | None) -> None:
        message = "; ".join(found)
        with transaction.atomic():
            locked = lock_record(record)
            status = locked.erp_status
            stamp = {"xero_checked_at": self.started}
            if status == ErpStatus.SYNCED and found:
                apply_transition(locked, "drift_found", actor=ACTOR, message=f"Changed in Xero: {message}",
                                 payload=sent, response=now,
                                 update_fields={**stamp, "xero_drift": message, "erp_message": f"Changed in Xero: {message}"})
                self.tracker.count("out_of_sync", model=record._meta.model_name)
                self.tracker.error(locked, f"Out of sync: {message}")
            elif status == ErpStatus.OUT_OF_SYNC and not found:
                apply_transition(locked, "drift_cleared", actor=ACTOR, message="Xero's document agrees again with what was sent.",
                                 payload=sent, response=now, update_fields={**stamp, "xero_drift": "", "erp_message": ""})
                self.tracker.count("updated", model=record._meta.model_name)
            elif found and message != locked.xero_drift:
                # Still out of sync with other differences, or waiting for an approver (DRIFT-3): the
                # status stays, the differences are recorded.
                fields = {**stamp, "xero_drift": message}
                if status == ErpStatus.OUT_OF_SYNC:
                    fields["erp_message"] = f"Changed in Xero: {message}"
                type(locked).objects.filter(pk=locked.pk).update(**fields)
                audit_record(locked, action="drift_found", actor=ACTOR, from_status=status, to_status=status,
                             message=f"Changed in Xero: {message}", payload=sent, response=now)
                self.tracker.count("out_of_sync" if status == ErpStatus.OUT_OF_SYNC else "edited_in_xero",
                                   model=record._meta.model_name)
            elif not found and locked.xero_drift:
                type(locked).objects.filter(pk=locked.pk).update(**stamp, xero_drift="")
            else:
                type(locked).objects.filter(pk=locked.pk).update(**stamp)
                self.tracker.count("skipped", model=record._meta.model_name)

    # ------------------------------------------------------------------ keeping what was read (RPT-3)
    def keep(self, resource: str, docs: list[dict]) -> None:
        self.store.keep(resource, docs)

    def forget_missing(self, resource: str, present: set[str]) -> None:
        self.store.forget_missing(resource, present)

    # ------------------------------------------------------------------ the run
    def run(self, *, full: bool) -> None:
        for resource in ("Invoices", "CreditNotes", "PurchaseOrders", "Contacts"):
            docs = self.read_changed(resource, full=full)
            self.read_at = timezone.now()
            self.keep(resource, docs)
            by_id = {str(d.get(ID_KEY[resource]) or "").lower(): d for d in docs}
            self.compare(resource, by_id, self.linked_records(resource, by_id))
            self.commit_cursor(resource)
        # Items and tracking options: the whole list, so deletions show (a deleted document is None).
        items = {str(i.get("ItemID") or "").lower(): i for i in self.client.list_items() if isinstance(i, dict)}
        self.read_at = timezone.now()
        self.keep("Items", list(items.values()))
        self.forget_missing("Items", set(items))
        self._compare_whole("Items", items)
        options = self.tracking_options()
        self.read_at = timezone.now()
        self.keep("TrackingOptions", list(options.values()))
        self.forget_missing("TrackingOptions", set(options))
        self._compare_whole("TrackingOptions", options)
        payments = self.read_changed("Payments", full=full)
        self.keep("Payments", payments)
        self.commit_cursor("Payments")

    def _compare_whole(self, resource: str, present: dict[str, dict]) -> None:
        records = []
        for model in MODELS[resource]:
            if model is CostItem and (resource == "Items") != (self.link.cost_code_export_mode != "tracking"):
                continue
            records += list(model.objects.filter(link=self.link, erp_status__in=CHECKED).exclude(xero_id="").select_related("link"))
        documents = {r.xero_id.lower(): present.get(r.xero_id.lower()) for r in records}
        self.compare(resource, documents, records)

    def run_records(self, records: list) -> None:
        """Only these records' documents: IDs= batches for invoices and contacts, one read per order."""
        by_resource = defaultdict(list)
        for record in records:
            if record.xero_id:
                by_resource[resource_of(record)].append(record)
        for resource, group in by_resource.items():
            ids = sorted({r.xero_id.lower() for r in group})
            documents: dict[str, dict | None] = dict.fromkeys(ids)
            if resource in ("Invoices", "Contacts"):
                read = self.client.find_invoices(ids=ids) if resource == "Invoices" else \
                    self.client.iter_contacts(ids=ids, include_archived=True)
                for doc in read:
                    documents[str(doc.get(ID_KEY[resource]) or "").lower()] = doc
            elif resource in ("PurchaseOrders", "CreditNotes"):
                from xero_client.errors import NotFound

                read = self.client.get_purchase_order if resource == "PurchaseOrders" else self.client.get_credit_note
                for xero_id in ids:
                    try:
                        documents[xero_id] = read(xero_id)
                    except NotFound:
                        documents[xero_id] = None
            elif resource == "Items":
                present = {str(i.get("ItemID") or "").lower(): i for i in self.client.list_items()}
                documents = {i: present.get(i) for i in ids}
            else:
                present = self.tracking_options()
                documents = {i: present.get(i) for i in ids}
            self.read_at = timezone.now()
            self.keep(resource, [d for d in documents.values() if d])
            fresh = self.linked_records(resource, ids)
            self.compare(resource, documents, [r for r in fresh if (type(r), r.pk) in {(type(g), g.pk) for g in group}])


def reconcile_link(*, link_id: int, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None, full: bool = False) -> SyncRun:
    """DRIFT-1: check every synced record of the link against Xero (what changed since the last run)."""
    from integration.services.connections import xero_client_for

    link = CompanyLink.objects.get(pk=link_id)
    tracker = start_run(link=link, kind=SyncRun.Kind.RECONCILE, trigger=trigger, actor=actor, parameters={"full": full})

    def body() -> str:
        reconciler = Reconciler(link, xero_client_for(link), tracker, actor=actor)
        reconciler.run(full=full)
        # The reconciliation report as at this read (RPT-3, DRIFT-4).
        from integration.services.reconciliation_snapshot import snapshot

        snapshot(link_id=link.pk, read_at=tracker.run.started_at)
        drifted = tracker.run.counts.get("out_of_sync", 0)
        return f"{drifted} record(s) out of sync with Xero." if drifted else "Every record checked agrees with Xero."

    return run_guarded(tracker, link, body)


def reconcile_records(*, records: Iterable, trigger: str = SyncRun.Trigger.ON_DEMAND, actor=None) -> list[SyncRun]:
    """DRIFT-1 per record ("Check against Xero") and for webhook events: one run per link."""
    from integration.services.connections import xero_client_for

    by_link = defaultdict(list)
    for record in records:
        by_link[record.link_id].append(record)
    runs = []
    for link_id, group in by_link.items():
        link = CompanyLink.objects.get(pk=link_id)
        tracker = start_run(link=link, kind=SyncRun.Kind.RECONCILE, trigger=trigger, actor=actor,
                            parameters={"records": [f"{r._meta.model_name}:{r.pk}" for r in group][:200]})

        def body(link=link, group=group, tracker=tracker) -> str:
            Reconciler(link, xero_client_for(link), tracker, actor=actor).run_records(group)
            drifted = tracker.run.counts.get("out_of_sync", 0)
            return f"{drifted} record(s) out of sync with Xero." if drifted else "Checked against Xero."

        runs.append(run_guarded(tracker, link, body))
    return runs


def reconcile_xero_document(*, link: CompanyLink, category: str, resource_id: str,
                            trigger: str = SyncRun.Trigger.WEBHOOK) -> list[SyncRun]:
    """DRIFT-1 for a Xero webhook event: the records linked to that invoice or contact are checked."""
    resource = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}.get(str(category).upper())
    if resource is None or not resource_id:
        return []
    records = []
    for model in MODELS[resource]:
        records += list(model.objects.filter(link=link, erp_status__in=CHECKED, xero_id__iexact=resource_id))
    return reconcile_records(records=records, trigger=trigger) if records else []
