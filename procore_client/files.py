"""Downloading a file Procore lists on a record (``attachments[].url``, ATT-1).

Procore's extract gives each attachment an absolute ``url``; whether it is a pre-signed storage link or
needs the API's bearer token is not documented there (UNCONFIRMED). The token goes only to Procore's
own API host, never to another host a link may point at (REL-7). The body is read in chunks and the
read stops past ``max_bytes``, so an oversized file is never held in memory whole.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from .errors import ProcoreError, TransientError

CHUNK = 64 * 1024


class FileTooLarge(ProcoreError):
    """The file is larger than the caller takes; ``size`` is Content-Length when Procore sent it."""

    def __init__(self, message: str, *, size: int | None = None):
        super().__init__(message)
        self.size = size


def download(client, url: str, *, max_bytes: int) -> bytes:
    """The file's bytes, or FileTooLarge past ``max_bytes``; TransientError on a network fault or a 5xx,
    ProcoreError on another refusal (the message names the status, never the link)."""
    headers = {"Accept": "*/*"}
    if urlsplit(url).netloc.lower() == urlsplit(client.api_url).netloc.lower():
        headers["Authorization"] = f"Bearer {client._token().access_token}"
        headers["Procore-Company-Id"] = str(client.company_id)
    try:
        response = client.session.get(url, headers=headers, timeout=client.timeout, stream=True)
    except requests.RequestException as exc:
        raise TransientError(f"network fault downloading the file ({type(exc).__name__})") from None
    with response:
        if response.status_code >= 500:
            raise TransientError(f"Procore answered {response.status_code} for the file", status=response.status_code)
        if response.status_code >= 400:
            raise ProcoreError(f"Procore answered {response.status_code} for the file", status=response.status_code)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FileTooLarge(f"the file is {int(declared):,} bytes", size=int(declared))
        content = bytearray()
        for chunk in response.iter_content(CHUNK):
            content += chunk
            if len(content) > max_bytes:
                raise FileTooLarge(f"the file is more than {max_bytes:,} bytes")
        return bytes(content)
