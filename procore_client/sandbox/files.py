"""Files on Procore records (ATT-1): a requisition's or payment application's ``attachments``.

OAS:RestV11RequisitionsIdGet lists ``attachments[]{id, url, filename, content_type}`` on a requisition;
the payment application's read shape is not in the extract (its POST/PATCH take ``attachments[]`` as
multipart form data), so the sandbox gives it the requisition's (UNCONFIRMED). A user uploads files in
Procore's web app; ``ProcoreSandbox.attach_file`` does that here. Each file is served at its ``url``
without the API's bearer token, as a pre-signed storage link would be (UNCONFIRMED whether Procore's
file links need the token; the connector sends it only to Procore's API host).
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from .wire import Reply

#: The kinds whose records carry attachments.
ATTACHABLE = ("requisition", "payment_application")
FILES_PATH = "/_sandbox/files"


class FileFace:
    """Upload (as a user) and download (GET ``url``) of record attachments."""

    def attach_file(self, kind: str, record_id: int, filename: str, content: bytes, *,
                    content_type: str | None = None, base_url: str | None = None) -> dict[str, Any]:
        """A user attaches a file to a record; returns the attachment as Procore lists it."""
        if kind not in ATTACHABLE:
            raise ValueError(f"{kind} records carry no attachments here; known: {', '.join(ATTACHABLE)}")
        with self._lock:
            record = self.store.get(kind, record_id)
            if record is None:
                raise KeyError(f"no {kind} {record_id}")
            file_id = self.store.new_id()
            content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
            self.files[file_id] = (content_type, bytes(content))
            base_url = base_url or self.files_base
            attachment = {"id": file_id, "url": f"{base_url.rstrip('/')}{FILES_PATH}/{file_id}/{quote(filename)}",
                          "filename": filename, "content_type": content_type}
            record.setdefault("attachments", []).append(attachment)
            record["updated_at"] = self.store.now()
            return dict(attachment)

    def h_sandbox_file(self, request: Request, id: int, filename: str) -> Response:
        found = self.files.get(id)
        if found is None:
            raise Reply(404, {"errors": "File not found"})
        content_type, content = found
        return Response(content, 200, content_type=content_type)
