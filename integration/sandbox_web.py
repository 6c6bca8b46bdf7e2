"""The sandboxes' stand-ins for Procore's and Xero's web apps: one plain, read-only page per record, so
the admin's "open in Procore / open in Xero" links stay on this machine when `PROCORE_WEB_URL` and
`XERO_WEB_URL` point here (the demo does; see `web_url_settings`).

The page takes the record's id from the same URL the connector builds for the real web app
(integration/admin/links.py): Procore's ends with the record's numeric id (`.../invoices/123`), Xero's
carries the document's GUID (`?InvoiceID=...` or the last path segment). It shows every record either
sandbox holds under that id, field by field."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from werkzeug.wrappers import Request, Response

PROCORE_WEB, XERO_WEB = "/procore-web", "/xero-web"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def web_url_settings(base_url: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {"PROCORE_WEB_URL": base + PROCORE_WEB, "XERO_WEB_URL": base + XERO_WEB}


def _procore_matches(state: dict, record_id: int) -> list[tuple[str, dict]]:
    records = state.get("records", {})
    return [(kind, rec) for kind, rows in records.items() for rec in rows if isinstance(rec, dict) and rec.get("id") == record_id]


def _xero_matches(state: dict, guid: str) -> list[tuple[str, dict]]:
    out = []
    for org in (state.get("organisations") or {}).values():
        for kind, docs in org.items():
            if not isinstance(docs, list):
                continue
            for doc in docs:
                if isinstance(doc, dict) and any(k.endswith("ID") and str(v).lower() == guid.lower() for k, v in doc.items()):
                    out.append((f"{org.get('name', '')} · {kind}", doc))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return f"<pre>{html.escape(json.dumps(value, indent=2, default=str))}</pre>"
    return html.escape("" if value is None else str(value))


def _page(title: str, note: str, matches: list[tuple[str, dict]]) -> str:
    sections = []
    for kind, record in matches:
        rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_cell(v)}</td></tr>" for k, v in record.items())
        sections.append(f"<h2>{html.escape(kind)}</h2><table>{rows}</table>")
    body = "".join(sections) or "<p>No record of the sandbox has this id.</p>"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em;max-width:70em}th{text-align:left;padding:2px 12px 2px 0;"
            "vertical-align:top;color:#555}td{padding:2px 0}pre{margin:0}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p><em>{html.escape(note)}</em></p>{body}</body></html>")


def web_page(request: Request, procore, xero) -> Response | None:
    """The page for a PROCORE_WEB_URL or XERO_WEB_URL link, or None when the path is neither."""
    path = request.path
    if path.startswith(PROCORE_WEB):
        ids = [int(part) for part in path.split("/") if part.isdigit()]
        matches = _procore_matches(procore.state(), ids[-1]) if ids else []
        title, note = "Procore (local sandbox)", "A read-only page of the local Procore sandbox, in place of app.procore.com."
    elif path.startswith(XERO_WEB):
        found = GUID.findall(request.query_string.decode() + " " + path)
        matches = _xero_matches(xero.state(), found[-1]) if found else []
        title, note = "Xero (local sandbox)", "A read-only page of the local Xero sandbox, in place of go.xero.com."
    else:
        return None
    if request.method not in ("GET", "HEAD"):
        return Response("Read-only", status=405)
    return Response(_page(title, note, matches), mimetype="text/html", status=200 if matches else 404)
