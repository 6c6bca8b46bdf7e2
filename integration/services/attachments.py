"""The files on a Procore invoice travel with its Xero document (ATT-1).

The pull lists each invoice's files (``store_files``, inside the record's transaction); after the
export has created the documents, ``attach_files`` downloads each waiting file from Procore and PUTs it
on the record's Xero invoice, with ``IncludeOnline`` off (the owner does not see the backup on the
online invoice). The downloads and uploads happen outside any transaction; each outcome is saved on
its file in a short one.

Exactly once per file: a file marked ``attached`` is never sent again, and before sending, the
document's attachments in Xero are read (``GET .../Attachments``), so a file Xero already holds under
that name (an earlier attempt whose answer was lost) is marked attached rather than sent twice: Xero
keeps a second file on a second PUT of the same name (Xero-NetStandard#52, "you can re-upload the same
file as many times as you want ... the filename is not a unique identifier"). The PUT also carries an
idempotency key of the file.

Xero's limits, checked before a file is sent (a file outside them is ``refused`` with the reason, shown
on the record's page, and the export goes on):
- at most 10 files per document (Xero's API announcement of attachments, community.xero.com/developer
  discussion 3095073: "you can now attach up to 10 files per document"; Workato's Xero connector docs:
  "Each sales record is limited to 10 attachments");
- at most 10 MB per file (Workato's Xero docs: "each attachment is limited to 10 MB"; Codat's Xero
  limits, raised from 3 MB to 10 MB in April 2026; the 25 MB some pages give is the web app's limit:
  the announcement contrasts "a maximum file size of 25MB Vs API limit of 3MB");
- the file types Xero takes (Codat's Xero list, a superset of the announcement's): 7z, bmp, csv, doc,
  docx, eml, gif, jpeg, jpg, keynote, msg, numbers, odf, ods, odt, pages, pdf, png, ppt, pptx, rar,
  rtf, tif, tiff, txt, xls, xlsx, zip; a file is known by its name's extension.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from pathlib import PurePosixPath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integration.models import ErpStatus
from integration.models.attachments import InvoiceFile
from integration.services.audit import audit_record
from procore_client.errors import ProcoreError
from procore_client.files import FileTooLarge, download
from xero_client.errors import DailyLimitReached, InvalidGrant, RateLimited, XeroError

log = logging.getLogger(__name__)

ACTOR = "system: export"
MAX_PER_DOCUMENT = 10
MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = frozenset(
    "7z bmp csv doc docx eml gif jpeg jpg keynote msg numbers odf ods odt pages pdf png ppt pptx rar rtf tif "
    "tiff txt xls xlsx zip".split()
)
Status = InvoiceFile.Status


# -- the pull: what files an invoice has -------------------------------------------------------------
def store_files(record, files: list[dict]) -> bool:
    """Keep the record's file list as Procore lists it (inside the record's transaction): new files wait
    to be attached, a renamed or moved one is updated, one gone from Procore is forgotten unless it is
    already in Xero. Returns True when the list changed."""
    field = "subcontractor_invoice" if record._meta.model_name == "subcontractorinvoice" else "owner_invoice"
    stored = {f.procore_id: f for f in InvoiceFile.objects.filter(**{field: record})}
    changed = False
    for given in files:
        found = stored.pop(given["procore_id"], None)
        if found is None:
            InvoiceFile.objects.create(link=record.link, **{field: record}, **given)
            changed = True
        elif found.status != Status.ATTACHED and any(getattr(found, k) != v for k, v in given.items()):
            for key, value in given.items():
                setattr(found, key, value)
            if found.status == Status.REFUSED:  # a new name or type is judged again
                found.status, found.reason = Status.PENDING, ""
            found.save()
            changed = True
        elif found.url != given["url"]:  # a fresh link for a file already attached
            InvoiceFile.objects.filter(pk=found.pk).update(url=given["url"])
    gone = [f.pk for f in stored.values() if f.status != Status.ATTACHED]
    if gone:
        InvoiceFile.objects.filter(pk__in=gone).delete()
        changed = True
    return changed


# -- the export: attach what waits -------------------------------------------------------------------
def refusal(file: InvoiceFile) -> str:
    """Why Xero would not take the file before it is even read ('' when it may)."""
    extension = PurePosixPath(file.filename).suffix.lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        kind = f"a .{extension} file" if extension else "a file without an extension"
        return f"{file.filename} is {kind}; Xero takes only these types: {', '.join(sorted(ALLOWED_TYPES))}."
    return ""


def _waiting(link):
    live = Q(subcontractor_invoice__erp_status=ErpStatus.SYNCED, subcontractor_invoice__link=link) | Q(
        owner_invoice__erp_status=ErpStatus.SYNCED, owner_invoice__link=link)
    return (InvoiceFile.objects.filter(link=link, status__in=[Status.PENDING, Status.FAILED]).filter(live)
            .select_related("subcontractor_invoice", "owner_invoice").order_by("id"))


def attach_files(*, link, xero, procore_factory, tracker=None) -> dict[str, int]:
    """Attach every waiting file of the link's exported invoices (no-op when ``export_attachments`` is
    off). ``procore_factory()`` gives the Procore client, made only when a file is to be read.
    Returns the counts by outcome. Xero's daily limit, a dead grant and rate limiting stop the step
    (the files wait for the next export); any other failure stays on its file."""
    counts = {"attached": 0, "refused": 0, "failed": 0}
    if not link.export_attachments:
        return counts
    by_document: OrderedDict[tuple[str, str], list[InvoiceFile]] = OrderedDict()
    for file in _waiting(link):
        if file.record is not None and file.record.xero_id:
            # CRED-1: a negative invoice's document is a credit note (spec: /CreditNotes/{id}/Attachments).
            resource = "CreditNotes" if file.record.xero_credit_note else "Invoices"
            by_document.setdefault((resource, file.record.xero_id), []).append(file)
    procore = None
    for (resource, xero_id), files in by_document.items():
        try:
            held = xero.list_attachments(resource, xero_id)
        except (DailyLimitReached, InvalidGrant, RateLimited):
            raise
        except XeroError as exc:
            for file in files:
                _outcome(file, Status.FAILED, f"Xero's attachments of the document could not be read: {exc.message}")
                counts["failed"] += 1
            continue
        names = {str(a.get("FileName") or "").casefold(): a for a in held}
        for file in files:
            reason = refusal(file)
            if reason:
                _outcome(file, Status.REFUSED, reason)
                counts["refused"] += 1
                continue
            there = names.get(file.filename.casefold())
            if there is not None:
                _outcome(file, Status.ATTACHED, "", xero_attachment_id=str(there.get("AttachmentID") or ""),
                         size=there.get("ContentLength"), message="Already in Xero: attached by an earlier attempt.")
                counts["attached"] += 1
                continue
            if len(names) >= MAX_PER_DOCUMENT:
                _outcome(file, Status.REFUSED, f"The Xero document already has {MAX_PER_DOCUMENT} files, the most "
                                               "Xero allows on one document.")
                counts["refused"] += 1
                continue
            try:
                procore = procore or procore_factory()
                content = download(procore, file.url, max_bytes=MAX_BYTES)
            except FileTooLarge as exc:
                _outcome(file, Status.REFUSED, f"{file.filename}: {exc.message}; Xero takes files of at most "
                                               f"{MAX_BYTES // (1024 * 1024)} MB.", size=exc.size)
                counts["refused"] += 1
                continue
            except ProcoreError as exc:
                _outcome(file, Status.FAILED, f"The file could not be read from Procore ({exc.message}).")
                counts["failed"] += 1
                continue
            try:
                answer = xero.attach_file(resource, xero_id, file.filename, content, include_online=False,
                                          idempotency_key=_key(link, file, content))
            except (DailyLimitReached, InvalidGrant, RateLimited):
                raise
            except XeroError as exc:
                _outcome(file, Status.FAILED, f"Xero refused the file: {exc.message}", size=len(content))
                counts["failed"] += 1
                continue
            names[file.filename.casefold()] = answer
            _outcome(file, Status.ATTACHED, "", xero_attachment_id=str(answer.get("AttachmentID") or ""),
                     size=len(content), message="Attached in Xero.")
            counts["attached"] += 1
    if tracker is not None and any(counts.values()):
        tracker.run.counts["files"] = {k: v for k, v in counts.items() if v}
    return counts


def _key(link, file: InvoiceFile, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:16]
    return f"pxc-{link.pk}-file-{file.pk}-{digest}"


def _outcome(file: InvoiceFile, status: str, reason: str, *, xero_attachment_id: str = "", size=None,
             message: str = "") -> None:
    """Save one file's outcome and audit it on its record, in one transaction."""
    with transaction.atomic():
        locked = InvoiceFile.objects.select_for_update().filter(pk=file.pk).first()
        if locked is None or locked.status == Status.ATTACHED:
            return  # forgotten by a pull meanwhile, or attached by another worker
        locked.status, locked.reason = status, reason
        if size is not None:
            locked.size = size
        if status == Status.ATTACHED:
            locked.xero_attachment_id, locked.attached_at = xero_attachment_id, timezone.now()
        locked.save()
        record = locked.record
        action = {Status.ATTACHED: "file_attached", Status.REFUSED: "file_refused"}.get(status, "file_failed")
        audit_record(record, action=action, actor=ACTOR, from_status=record.erp_status, to_status=record.erp_status,
                     message=message or reason, payload={"file": locked.filename, "size": locked.size}, link=record.link)
