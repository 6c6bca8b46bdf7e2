"""The sandbox's data: one company, its records, the validation and rendering of each kind."""

from __future__ import annotations

import copy
from typing import Any

from procore_client.enums import COMMITMENT_KINDS

from .records import (
    KINDS,
    ORIGIN_FIELDS,
    ValidationFailed,
)
from .rendering import StoreRendering
from .validation import StoreValidation, iso


class Store(StoreValidation, StoreRendering):
    """Records by kind; ids are 64-bit-sized integers shared by all kinds (§4: store ids as int64)."""

    def __init__(self, clock, company_id: int, company_name: str):
        self.clock = clock
        self.company_id = company_id
        self.company_name = company_name
        self.records: dict[str, dict[int, dict[str, Any]]] = {k: {} for k in KINDS}
        self._next_id = company_id + 1000

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def now(self) -> str:
        return iso(self.clock())

    # -- lookups ----------------------------------------------------------------------------------
    def get(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        try:
            return self.records[kind].get(int(record_id))
        except (TypeError, ValueError):
            return None

    def find_commitment(self, record_id: Any) -> tuple[str, dict[str, Any]] | None:
        for kind in COMMITMENT_KINDS:
            record = self.get(kind, record_id)
            if record is not None:
                return kind, record
        return None

    def by_origin_id(self, kind: str, origin_id: str) -> dict[str, Any] | None:
        for record in self.records[kind].values():
            if record.get("origin_id") == origin_id:
                return record
        return None

    # -- writes -----------------------------------------------------------------------------------
    def create(self, kind_name: str, data: dict[str, Any], *, project_id: int | None = None) -> dict[str, Any]:
        kind = KINDS[kind_name]
        if not isinstance(data, dict):
            raise ValidationFailed(f"param is missing or the value is empty: {kind_name}", status=400)
        record: dict[str, Any] = {"id": self.new_id(), **copy.deepcopy(kind.defaults)}
        if kind.scope == "project":
            project_id = project_id if project_id is not None else data.get("project_id")
            if project_id is None or self.get("project", project_id) is None:
                raise ValidationFailed({"project_id": ["must exist"]}, status=404 if project_id else 400)
            record["project_id"] = int(project_id)
        else:
            record["company_id"] = self.company_id
        self._assign(kind, record, data, creating=True)
        now = self.now()
        record["created_at"] = record["updated_at"] = now
        self.records[kind_name][record["id"]] = record
        return record

    def update(self, kind_name: str, record: dict[str, Any], data: dict[str, Any], *, force: bool = False) -> bool:
        """Apply a partial update; return True when something changed (updated_at is bumped then)."""
        kind = KINDS[kind_name]
        if not isinstance(data, dict):
            raise ValidationFailed(f"param is missing or the value is empty: {kind_name}", status=400)
        before = copy.deepcopy(record)
        candidate = copy.deepcopy(record)
        self._assign(kind, candidate, data, creating=False)
        changed = {k for k in set(candidate) | set(before) if candidate.get(k) != before.get(k)}
        if kind.locked_by_origin_id and before.get("origin_id") and not force:
            # §13 / OAS:RestV10ContractPaymentsIdPatch: "All attributes other than 'attachments',
            # 'origin_id', and 'origin_data' will be locked if ... synced with an ERP system."
            locked = sorted(changed - set(ORIGIN_FIELDS))
            if locked:
                raise ValidationFailed({"base": [
                    f"This {kind_name.replace('_', ' ')} is synced with an ERP system and cannot be edited "
                    f"({', '.join(locked)})"]})
        if changed:
            candidate["updated_at"] = self.now()
            record.clear()
            record.update(candidate)
        return bool(changed)

    def delete(self, kind_name: str, record: dict[str, Any]) -> None:
        kind = KINDS[kind_name]
        if kind.locked_by_origin_id and record.get("origin_id"):
            raise ValidationFailed({"base": ["A record synced with an ERP system cannot be deleted"]})
        self.records[kind_name].pop(record["id"], None)

    def snapshot(self) -> dict[str, Any]:
        return {kind: [copy.deepcopy(r) for r in records.values()] for kind, records in self.records.items()}
