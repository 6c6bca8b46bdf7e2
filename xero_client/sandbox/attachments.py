"""Attachments: files on a document, `/{Resource}/{id}/Attachments[/{FileName}|/{AttachmentID}]`.

Source: xero_accounting.yaml (createInvoiceAttachmentByFileName, updateInvoiceAttachmentByFileName,
getInvoiceAttachments, getInvoiceAttachmentById, getInvoiceAttachmentByFileName and the same operations
on the other resources): PUT and POST take the file's raw bytes as the body, the file name in the path
and `IncludeOnline` in the query (invoices and credit notes only); they answer
`{"Attachments": [Attachment]}`; a GET by id or file name answers the bytes with the file's MIME type.
Limits: at most 10 attachments per document (Xero's API announcement of attachments, community.xero.com/
developer discussion 3095073) and 10 MB per file (Workato's and Codat's Xero limits; 25 MB is the web
app's, the API's was 3 MB in that announcement). A PUT of an existing file name adds a second file
with the same name (Xero-NetStandard#52: "you can re-upload the same file as many times as you want
... the filename is not a unique identifier"); POST ("update attachment by file name") replaces it.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from werkzeug.wrappers import Request, Response

MAX_PER_DOCUMENT = 10
MAX_BYTES = 10 * 1024 * 1024
#: Resources the sandbox keeps attachments for (the spec has Attachments paths for each of them).
RESOURCES = ("Invoices", "CreditNotes", "BankTransactions", "Contacts", "PurchaseOrders", "ManualJournals",
             "Accounts")
INCLUDE_ONLINE = ("Invoices", "CreditNotes")  # the spec's IncludeOnline parameter is on these only


class AttachmentError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Attachments:
    """One organisation's files: attachment lists by (resource, document id), bytes by attachment id."""

    by_document: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    content: dict[str, bytes] = field(default_factory=dict)

    def listed(self, resource: str, doc_id: str) -> list[dict]:
        return self.by_document.get((resource, doc_id), [])

    def store(self, resource: str, doc_id: str, file_name: str, data: bytes, *, include_online: bool | None,
              url: str, new_id, replace: bool = True) -> dict:
        if not file_name.strip():
            raise AttachmentError(400, "The file name is required")
        if not data:
            raise AttachmentError(400, "The attachment is empty")
        if len(data) > MAX_BYTES:
            raise AttachmentError(413, f"The attachment is larger than {MAX_BYTES // (1024 * 1024)} MB")
        files = self.by_document.setdefault((resource, doc_id), [])
        existing = next((a for a in files if a["FileName"].casefold() == file_name.casefold()), None) if replace else None
        if existing is None and len(files) >= MAX_PER_DOCUMENT:
            raise AttachmentError(400, f"A document can have at most {MAX_PER_DOCUMENT} attachments")
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        record = existing or {"AttachmentID": new_id()}
        record.update(FileName=file_name, Url=url, MimeType=mime, ContentLength=len(data))
        if include_online is not None:
            record["IncludeOnline"] = include_online
        if existing is None:
            files.append(record)
        self.content[record["AttachmentID"]] = data
        return record

    def find(self, resource: str, doc_id: str, key: str) -> dict | None:
        for record in self.listed(resource, doc_id):
            if record["AttachmentID"] == key.lower() or record["FileName"].casefold() == key.casefold():
                return record
        return None


def serve(request: Request, attachments: Attachments, resource: str, doc: dict, id_key: str, rest: list[str],
          base_url: str, new_id) -> tuple[int, object]:
    """`rest` is what follows /Attachments in the path. Returns (status, JSON body or raw Response)."""
    doc_id = doc[id_key]
    if not rest:
        if request.method != "GET":
            raise AttachmentError(405, f"{request.method} is not supported on Attachments")
        return 200, {"Attachments": list(attachments.listed(resource, doc_id))}
    name = unquote("/".join(rest))
    if request.method == "GET":
        record = attachments.find(resource, doc_id, name)
        if record is None:
            raise AttachmentError(404, f"Attachment {name} was not found")
        return 200, Response(attachments.content[record["AttachmentID"]], 200, content_type=record["MimeType"])
    if request.method not in ("PUT", "POST"):
        raise AttachmentError(405, f"{request.method} is not supported on Attachments")
    include_online = None
    if resource in INCLUDE_ONLINE:
        include_online = request.args.get("IncludeOnline", "false").lower() == "true"
    url = f"{base_url}/api.xro/2.0/{resource}/{doc_id}/Attachments/{quote(name)}"
    record = attachments.store(resource, doc_id, name, request.get_data(), include_online=include_online, url=url,
                               new_id=new_id, replace=request.method == "POST")
    doc["HasAttachments"] = True
    return 200, {"Attachments": [record]}
