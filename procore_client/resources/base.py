"""What every family of typed calls shares: the API versions' paths, filters, and the client's verbs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ..answers import SyncResult
from ..errors import Unprocessable

V10, V11, V20 = "/rest/v1.0", "/rest/v1.1", "/rest/v2.0"

Since = datetime | date | None


def filters(**values: Any) -> dict[str, Any]:
    """``filters[name]=value`` query parameters, the given ones only."""
    return {f"filters[{k}]": v for k, v in values.items() if v is not None}


class Calls:
    """The generic calls of ``ProcoreClient`` the typed families build on (the client defines them)."""

    company_id: int

    def get(self, path: str, params: dict[str, Any] | None = None, *, expect: type | None = None) -> Any: ...
    def post(self, path: str, json_body: Any = None, *, params=None, expect: type | None = dict) -> Any: ...
    def patch(self, path: str, json_body: Any = None, *, params=None, expect: type | None = dict) -> Any: ...
    def delete(self, path: str, *, params=None) -> Any: ...
    def list_all(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> list[dict]: ...
    def sync(self, path: str, updates: Iterable[dict], *, params=None, batch_size: int = 1000,
             **scope: Any) -> SyncResult: ...


def sync_element_error(error: dict[str, Any], path: str) -> Unprocessable:
    return Unprocessable(SyncResult.reason(error), status=422, errors=error.get("errors"), method="PATCH", path=path)
