"""New direct costs go to Procore in batches per project (PERF-4), through the two sync endpoints.

``PATCH /rest/v1.0/projects/{p}/direct_costs/sync`` takes headers (no line items) and
``PATCH /rest/v1.0/projects/{p}/direct_costs/line_items/sync`` the lines, each up to 1000 elements per
call (``DOC:tutorials/using_sync_actions.md``); Procore answers 200 with ``entities`` and ``errors``, each
error the element as sent plus its ``errors``, so one refused element fails only its own document,
with Procore's reason; the document is listed unsyncable with it (JC-6) and read again by the next run. A direct cost with an origin_id is immutable (§13), lines included, and its
origin_id is what makes a create safe to repeat. So a batch is written in four calls per project,
whatever its size:

1. headers with their origin_id: created, or found by origin_id when an earlier attempt whose answer
   was lost had created them (the Procore ids are stored at once);
2. origin_id cleared (unlocked), so lines can be added;
3. the lines, each with its own origin_id (the Xero line id);
4. origin_id and origin_data set again: locked, as an imported direct cost is.

A document whose lines Procore refuses has its direct cost deleted again, so Procore never keeps half
a document; one stopped between 2 and 4 has its Procore id and is brought in line by the next run's
update (``JobCostImporter._apply``). Updates and removals stay one document at a time: they are rare,
and an update replaces lines that a sync could only add to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from integration.models import DirectCost, DirectCostLine, Vendor
from integration.services.audit import audit_record
from procore_client.answers import SyncResult
from procore_client.errors import InvalidGrant, ProcoreError

if TYPE_CHECKING:
    from .job_costs import Document, JobCostImporter, Part

#: Documents held before the batches are written: Procore's sync limit (1000 elements a call).
BATCH = 1000


@dataclass
class Creation:
    """One project's part of a document, to be created in Procore."""

    doc: Document
    part: Part
    vendor: Vendor
    row_pk: int
    payload: dict
    origin: str
    total: Decimal
    procore_id: int | None = None
    error: str = ""
    lines: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    """What a document's count becomes once its creations are written."""

    doc: Document
    count: str
    creations: list[Creation] = field(default_factory=list)


class DirectCostCreations:
    """The run's pending creations, by Procore project id, and the documents waiting on them."""

    def __init__(self, importer: JobCostImporter):
        self.importer = importer
        self.pending: dict[int, list[Creation]] = {}
        self.documents: dict[str, Outcome] = {}

    def add(self, creation: Creation) -> None:
        self.pending.setdefault(creation.part.project.procore_id, []).append(creation)

    def hold(self, doc: Document, count: str, creations: list[Creation]) -> None:
        """``doc``'s count (created or updated) waits for its creations; a full batch is written now."""
        self.documents[doc.doc_id] = Outcome(doc, count, creations)
        if sum(len(batch) for batch in self.pending.values()) >= BATCH:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        for project_id, batch in pending.items():
            try:
                self._write(project_id, batch)
            except InvalidGrant:
                raise
            except ProcoreError as exc:
                for creation in batch:
                    creation.error = creation.error or str(exc)
        tracker = self.importer.tracker
        for outcome in self.documents.values():
            failed = [c.error for c in outcome.creations if c.error]
            if failed:
                # Listed unsyncable with Procore's reason (JC-6), so the next run reads it again.
                reason = f"Procore refused it: {'; '.join(dict.fromkeys(failed))}"
                tracker.count("failed")
                tracker.error(None, f"{outcome.doc.label}: {reason}")
                self.importer._unsyncable(outcome.doc, [reason])
            else:
                tracker.count(outcome.count)
        self.documents = {}

    # -- the four calls ------------------------------------------------------------------------------
    def _write(self, project_id: int, batch: list[Creation]) -> None:
        procore = self.importer.procore
        by_origin = {c.origin: c for c in batch}
        headers = [{k: v for k, v in c.payload.items() if k != "line_items"} for c in batch]
        answer = procore.sync_direct_costs(project_id, headers)
        self._refused(answer.errors, by_origin, "origin_id")
        for entity in answer.entities:
            creation = by_origin.get(str(entity.get("origin_id") or ""))
            if creation is not None and not creation.error:
                creation.procore_id = entity["id"]
                # Kept locked (the connector's), unlike a direct cost an admin unlocked (JC-7): a run
                # stopped before step 4 leaves it to the next run's update.
                DirectCost.objects.filter(pk=creation.row_pk).update(procore_id=entity["id"], locked=True,
                                                                     removed=False, xero_updated_at=None)
        made = [c for c in batch if c.procore_id and not c.error]
        if not made:
            return
        by_id = {c.procore_id: c for c in made}
        answer = procore.sync_direct_costs(project_id, [{"id": c.procore_id, "origin_id": None} for c in made])
        self._refused(answer.errors, by_id, "id")
        unlocked = [c for c in made if not c.error]
        lines = [{**line, "direct_cost_id": c.procore_id,
                  "origin_id": line.get("origin_id") or f"{c.origin}#{n}"}
                 for c in unlocked for n, line in enumerate(c.payload["line_items"], start=1)]
        answer = procore.sync_direct_cost_line_items(project_id, lines)
        self._refused(answer.errors, by_id, "direct_cost_id")
        for c in unlocked:
            if c.error:
                self._undo(project_id, c)
        done = [c for c in unlocked if not c.error]
        if not done:
            return
        answer = procore.sync_direct_costs(project_id, [
            {"id": c.procore_id, "origin_id": c.origin, "origin_data": c.payload["origin_data"]} for c in done])
        self._refused(answer.errors, by_id, "id")
        for c in done:
            if not c.error:
                self._store(c)

    @staticmethod
    def _refused(errors: list[dict], by_key: dict, key: str) -> None:
        """Each refused element fails its document with Procore's reason (the element echoes its key)."""
        for error in errors:
            if not isinstance(error, dict):
                continue
            found = by_key.get(error.get(key)) or by_key.get(str(error.get(key) or ""))
            if found is not None and not found.error:
                found.error = SyncResult.reason(error)

    def _undo(self, project_id: int, creation: Creation) -> None:
        """Lines refused: the header goes again, so Procore keeps no direct cost without its lines."""
        try:
            self.importer.procore.delete_direct_cost(project_id, creation.procore_id)
        except ProcoreError:
            return  # kept with its Procore id: the next run's update brings it in line
        DirectCost.objects.filter(pk=creation.row_pk).update(procore_id=None)

    def _store(self, c: Creation) -> None:
        store_imported(self.importer, c.row_pk, c.doc, c.part, c.vendor, c.payload, c.total, c.procore_id,
                       action="direct_cost_import")


def store_imported(importer: JobCostImporter, row_pk: int, doc: Document, part: Part, vendor: Vendor, payload: dict,
                   total: Decimal, procore_id: int, *, action: str) -> None:
    """The connector's row of a direct cost Procore now holds as ``payload`` (created or updated)."""
    from_procore = doc.doc_id in importer.from_procore
    with transaction.atomic():
        row = DirectCost.objects.select_for_update().get(pk=row_pk)
        row.procore_id = procore_id
        row.xero_document_type = doc.source
        row.xero_updated_at = doc.updated
        if action == "direct_cost_import":
            row.direct_cost_type = payload["direct_cost_type"]  # Procore cannot change it afterwards
        row.date, row.vendor, row.vendor_name = doc.date, vendor, (doc.contact_name or vendor.name)[:255]
        row.invoice_number = payload.get("invoice_number") or ""
        row.description = payload.get("description") or ""
        row.received_date = doc.date if payload.get("received_date") else None
        row.amount = total
        row.from_procore = from_procore
        row.removed = False
        row.locked = True
        row.save()
        row.lines.all().delete()
        DirectCostLine.objects.bulk_create([
            DirectCostLine(direct_cost=row, cost_item=item, xero_line_item_id=line.line_id,
                           description=line.description, quantity=line.quantity, unit_cost=line.unit_cost,
                           amount=line.amount)
            for line, item, _ in part.lines])
        audit_record(row, action=action, actor=importer.actor or "system",
                     payload={k: v for k, v in payload.items() if k != "line_items"},
                     response={"id": procore_id}, message=doc.label)
