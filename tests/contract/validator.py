"""Contract checks: every request the client sends, and every sandbox answer, against Xero's spec.

The specs are parsed once per test session (`load_specs`, cached). openapi-core's own spec
validation is off: the published file has a few invalid defaults.

- https://api.xero.com/api.xro/2.0/...  -> xero_accounting.yaml: request (params, headers, body) and
  response (documented status codes only; an undocumented status such as 401/429/5xx has no schema
  to check and is recorded in `skipped`).
- https://api.xero.com/connections     -> xero-identity.yaml, whose path is spelled `/Connections`
  (Xero's paths are case-insensitive), so the path is re-cased before matching.
- identity.xero.com (/connect/token, /connect/revocation) and login.xero.com (authorize) are not in
  any of Xero's OpenAPI files: skipped, reason recorded.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import InvalidRequestBody

SPEC_DIR = Path(__file__).parent / "specs" / "xero"


@functools.cache
def load_spec_dict(name: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPEC_DIR / name).open("rb") as fh:
        return yaml.load(fh, Loader=loader)


@functools.cache
def load_specs() -> dict[str, OpenAPI]:
    config = Config(spec_validator_cls=None)
    return {
        "accounting": OpenAPI.from_dict(load_spec_dict("xero_accounting.yaml"), config=config),
        "identity": OpenAPI.from_dict(load_spec_dict("xero-identity.yaml"), config=config),
    }


class ContractViolation(AssertionError):
    pass


def _errors(exc: Exception) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    cause = exc.__cause__
    while cause is not None:
        parts.append(f"{type(cause).__name__}: {cause}")
        for sub in getattr(cause, "schema_errors", []) or []:
            parts.append(f"  - {'/'.join(str(p) for p in sub.absolute_path)}: {sub.message}")
        cause = cause.__cause__
    for sub in getattr(exc, "schema_errors", []) or []:
        parts.append(f"  - {'/'.join(str(p) for p in sub.absolute_path)}: {sub.message}")
    return "\n".join(parts)[:4000]


def _raw_file(request: requests.PreparedRequest) -> bool:
    """An attachment's bytes (application/octet-stream), as xero-python sends them
    (create_invoice_attachment_by_file_name). The spec types that body `string` / `format: byte`, which
    openapi-core cannot match with raw bytes, so only its presence is checked; the path, query and
    headers are validated as usual (the other checks raise before the body's)."""
    return ((request.headers.get("Content-Type") or "").startswith("application/octet-stream")
            and isinstance(request.body, bytes) and bool(request.body))


class ContractObserver:
    """An observer for tests/fixtures/sandbox_transport.mount: validates each (request, response)."""

    def __init__(self, *, raise_on_violation: bool = True):
        self.raise_on_violation = raise_on_violation
        self.violations: list[str] = []
        self.checked: list[tuple[str, str]] = []
        self.skipped: list[tuple[str, str, str]] = []
        self._suspended = 0

    def suspended(self):
        """Context manager: stop checking requests (for tests that send deliberately bad requests)."""
        observer = self

        class _Suspend:
            def __enter__(self):
                observer._suspended += 1

            def __exit__(self, *exc):
                observer._suspended -= 1

        return _Suspend()

    def __call__(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        if self._suspended:
            return
        url = urlsplit(request.url)
        target = None
        if url.netloc == "api.xero.com" and url.path.startswith("/api.xro/2.0/"):
            target = ("accounting", request)
        elif url.netloc == "api.xero.com" and url.path.lower().startswith("/connections"):
            recased = request.copy()
            recased.url = urlunsplit(url._replace(path="/Connections" + url.path[len("/connections"):]))
            target = ("identity", recased)
        else:
            self.skipped.append((request.method, url.path, "not described by any of Xero's OpenAPI files"))
            return
        spec_name, checked_request = target
        openapi = load_specs()[spec_name]
        openapi_request = RequestsOpenAPIRequest(checked_request)
        with warnings.catch_warnings():
            # openapi-core cannot check OAuth2 security schemes and says so on every call.
            warnings.filterwarnings("ignore", message="Unsupported scheme type")
            self._validate(openapi, openapi_request, request, response, url)

    def _validate(self, openapi, openapi_request, request, response, url) -> None:
        try:
            openapi.validate_request(openapi_request)
        except InvalidRequestBody as exc:
            if not _raw_file(request):
                self._violation(f"request {request.method} {request.url}\n{_errors(exc)}")
                return
        except Exception as exc:  # noqa: BLE001 - every failure is a contract violation
            self._violation(f"request {request.method} {request.url}\n{_errors(exc)}")
            return
        if response.status_code in (401, 403, 429) or response.status_code >= 500:
            self.skipped.append((request.method, url.path, f"status {response.status_code} is not in the spec"))
            self.checked.append((request.method, url.path))
            return
        try:
            openapi.validate_response(openapi_request, RequestsOpenAPIResponse(response))
        except ResponseNotFound:
            self.skipped.append((request.method, url.path, f"status {response.status_code} is not in the spec"))
        except Exception as exc:  # noqa: BLE001
            cause = exc.__cause__
            if isinstance(cause, ResponseNotFound):
                self.skipped.append((request.method, url.path, f"status {response.status_code} is not in the spec"))
            else:
                self._violation(f"response {response.status_code} to {request.method} {request.url}\n{_errors(exc)}")
                return
        self.checked.append((request.method, url.path))

    def _violation(self, message: str) -> None:
        self.violations.append(message)
        if self.raise_on_violation:
            raise ContractViolation(message)
