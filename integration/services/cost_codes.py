"""Cost codes and cost types from and to CSV (WBS-4), and default cost types (WBS-5).

An import is all or nothing: every row is checked first (code over 30 characters as a Xero Item
code, missing description, unknown cost type, duplicate code, more than 4000 items on the link...);
one bad row and nothing is imported, and the report names each bad row and why (REL-6). A preview
is the same run as a dry run through django-import-export: it shows what each row will do. A real
import is atomic and writes one audit event. Each cost code + default cost type pair becomes a cost
item (a Xero Item, `not_sent` until someone sends it); a changed description on an item already in
Xero moves it to `ready_to_update` through the status machine, so the Item is updated on acceptance
(WBS-3). A real import first creates its new and renamed cost codes in Procore's standard cost code
list (BOOK-9, `cost_codes_procore`): cost codes are Procore's, and a code Procore refuses (or a Procore
that cannot be asked) imports nothing, the reason on the row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import PermissionDenied
from django.db import transaction

from integration.csv_safety import csv_text, csv_unescape, looks_like_formula
from integration.models import CostCode, CostItem, CostType, ErpStatus
from integration.resources import CostCodeResource, CostTypeResource, split_codes
from integration.services.audit import audit_record
from integration.services.status import apply_transition, lock_record
from integration.validation import ITEM_CODE_MAX, ITEM_NAME_MAX, MAX_ITEMS_PER_LINK

COST_CODE_PERMISSION = "integration.change_costcode"
COST_TYPE_PERMISSION = "integration.change_costtype"
# The longest cell accepted: the csv module's own default field limit, now checked here so that the
# refusal names the line and the column instead of the csv module raising on the whole file.
MAX_CELL_CHARS = 131_072
# The csv module's limit is raised past any file CSV_IMPORT_MAX_BYTES admits, so that the check above
# is the one that speaks.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
COST_TYPE_CODE_MAX = CostType._meta.get_field("code").max_length
COST_TYPE_NAME_MAX = CostType._meta.get_field("name").max_length
TRUE_VALUES, FALSE_VALUES = {"1", "true", "yes", "y", ""}, {"0", "false", "no", "n"}


class ImportRefused(Exception):
    """The file cannot be read at all (encoding, missing columns, size); nothing was changed."""


@dataclass
class RowOutcome:
    number: int  # the line in the file: the header is line 1
    code: str
    action: str = ""  # new, update, unchanged, error
    changes: list[str] = field(default_factory=list)
    items_to_create: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        return bool(self.errors)

    def describe(self) -> str:
        if self.errors:
            return f"Row {self.number} ({self.code or 'no code'}): " + "; ".join(self.errors)
        parts = [self.action]
        if self.changes:
            parts.append(", ".join(self.changes))
        if self.items_to_create:
            parts.append("new Xero Items " + ", ".join(self.items_to_create))
        return f"Row {self.number} ({self.code}): " + "; ".join(parts)


@dataclass
class ImportReport:
    kind: str  # "cost codes" or "cost types"
    rows: list[RowOutcome] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_rows(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.bad]

    @property
    def ok(self) -> bool:
        return not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def summary(self) -> str:
        if not self.ok:
            return (f"Nothing was imported: {len(self.bad_rows)} of {len(self.rows)} rows are bad. "
                    "Correct them and import the file again.")
        verb = "Imported" if self.imported else "Would import"
        return (f"{verb} {len(self.rows)} {self.kind}: {self.count('new')} new, {self.count('update')} updated, "
                f"{self.count('unchanged')} unchanged.")


def _require(actor, permission: str, what: str):
    if actor is not None and not isinstance(actor, str) and not actor.has_perm(permission):
        raise PermissionDenied(f"{actor.get_username()} is not allowed to {what}.")


def read_csv(data: bytes | str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    """The rows of a CSV file as (line number, {column: stripped text}); refuses unreadable files."""
    check_size(len(data) if isinstance(data, bytes) else len(data.replace("\r\n", "\n").encode("utf-8")))
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
            raise ImportRefused("The file is UTF-16 (or binary), not UTF-8 text; save it as CSV UTF-8.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused(f"The file is not UTF-8 text (byte {exc.start} cannot be read); save it as CSV UTF-8.") from exc
    if "\x00" in data:
        raise ImportRefused("The file contains NUL characters: it is not CSV text; save it as CSV UTF-8.")
    reader = csv.DictReader(io.StringIO(data))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        raise ImportRefused("The file is empty: the first line must name the columns " + ", ".join(required + optional) + ".")
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportRefused(f"The file has no column {', '.join(missing)}; its columns are: {', '.join(headers)}. "
                            f"Expected: {', '.join(required + optional)}.")
    unknown = [h for h in headers if h not in required + optional]
    if unknown:
        raise ImportRefused(f"Unknown column {', '.join(unknown)}; expected: {', '.join(required + optional)}.")
    reader.fieldnames = headers
    try:
        return _rows(reader)
    except csv.Error as exc:  # a stray quote, a NUL... : the line is named, nothing is imported
        raise ImportRefused(f"Line {reader.line_num} is not valid CSV ({exc}); nothing was imported.") from exc


def max_file_bytes() -> int:
    from django.conf import settings

    return settings.CSV_IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise ImportRefused(f"The file is {size:,} bytes; at most {limit:,} ({limit / 1024 / 1024:g} MB) are accepted.")


def _rows(reader: csv.DictReader) -> list[tuple[int, dict]]:
    rows = []
    for row in reader:
        if None in row:
            raise ImportRefused(f"Line {reader.line_num} has more values than the header has columns.")
        for column, value in row.items():
            if value and len(value) > MAX_CELL_CHARS:
                raise ImportRefused(f"Line {reader.line_num}, column {column}: the cell is {len(value):,} characters; "
                                    f"at most {MAX_CELL_CHARS:,} are accepted. Nothing was imported.")
        values = {k: (v or "").strip() for k, v in row.items()}
        for column, value in values.items():
            if looks_like_formula(value):
                raise ImportRefused(f"Line {reader.line_num}, column {column}: {value[:40]!r} starts with {value[0]!r}, which a "
                                    "spreadsheet runs as a formula (CSV injection); nothing was imported. Remove it, or "
                                    "start the cell with an apostrophe to keep it as text.")
            values[column] = csv_unescape(value)
        if any(values.values()):
            rows.append((reader.line_num, values))
    if not rows:
        raise ImportRefused("The file has a header but no row.")
    return rows


def _dataset(rows: list[tuple[int, dict]], columns: tuple[str, ...]) -> tablib.Dataset:
    ds = tablib.Dataset(headers=list(columns))
    for _, values in rows:
        ds.append([values.get(c, "") for c in columns])
    return ds


def item_description(cost_code_description: str, cost_type: CostType) -> str:
    """The Xero Item name of a pair: "<description> - <cost type>" when it fits in 50, else the description."""
    combined = f"{cost_code_description} - {cost_type.name}"
    return combined if len(combined) <= ITEM_NAME_MAX else cost_code_description


# ------------------------------------------------------------------ cost codes


def _check_cost_codes(link, rows) -> ImportReport:
    report = ImportReport(kind="cost codes")
    types = {t.code: t for t in CostType.objects.filter(link=link)}
    existing = {c.code: c for c in CostCode.objects.filter(link=link).prefetch_related("default_cost_types")}
    pairs = set(CostItem.objects.filter(link=link).values_list("cost_code__code", "cost_type__code"))
    item_total = len(pairs)
    seen: dict[str, int] = {}
    for number, values in rows:
        code, description = values.get("code", ""), values.get("description", "")
        type_codes = split_codes(values.get("cost_types", ""))
        out = RowOutcome(number=number, code=code)
        if not code:
            out.errors.append("the code is missing")
        elif code in seen:
            out.errors.append(f"duplicate code '{code}' (also on row {seen[code]})")
        else:
            seen[code] = number
        if not description:
            out.errors.append("the description is missing")
        elif len(description) > ITEM_NAME_MAX:
            out.errors.append(f"the description is {len(description)} characters; Xero allows {ITEM_NAME_MAX} for an Item name")
        unknown = [t for t in type_codes if t not in types]
        if unknown:
            out.errors.append(f"unknown cost type {', '.join(repr(t) for t in unknown)} (this link has "
                              f"{', '.join(sorted(types)) or 'no cost type'}; import the cost types first)")
        if code:
            too_long = [CostItem.code_for(code, t) for t in type_codes if len(CostItem.code_for(code, t)) > ITEM_CODE_MAX]
            if too_long:
                out.errors.extend(f"the Xero Item code '{c}' is {len(c)} characters; Xero allows {ITEM_CODE_MAX}" for c in too_long)
            elif not type_codes and len(code) > ITEM_CODE_MAX:
                out.errors.append(f"the code is {len(code)} characters; a Xero Item code allows {ITEM_CODE_MAX}")
        new_pairs = [(code, t) for t in type_codes if t in types and (code, t) not in pairs]
        if not out.errors:
            if item_total + len(new_pairs) > MAX_ITEMS_PER_LINK:
                out.errors.append(f"its {len(new_pairs)} new Xero Items would make {item_total + len(new_pairs)} cost code "
                                  f"items on this link; Xero allows {MAX_ITEMS_PER_LINK}")
            else:
                item_total += len(new_pairs)
                pairs.update(new_pairs)
                out.items_to_create = [CostItem.code_for(c, t) for c, t in new_pairs]
        current = existing.get(code)
        if out.errors:
            out.action = "error"
        elif current is None:
            out.action = "new"
        else:
            if current.name != description:
                out.changes.append(f"description '{current.name}' → '{description}'")
            old_types = sorted(t.code for t in current.default_cost_types.all())
            if old_types != sorted(type_codes):
                out.changes.append(f"cost types {';'.join(old_types) or 'none'} → {';'.join(sorted(type_codes)) or 'none'}")
            out.action = "update" if out.changes or out.items_to_create else "unchanged"
        report.rows.append(out)
    return report


def _run_resource(resource, dataset, *, dry_run: bool, report: ImportReport):
    """django-import-export's own dry run or import; any error it finds becomes a bad row."""
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
                                  collect_failed_rows=True)
    for index, row_result in enumerate(result.rows):
        if index >= len(report.rows):
            break
        out = report.rows[index]
        if row_result.errors:
            out.errors.extend(str(e.error) for e in row_result.errors)
        if row_result.validation_error is not None:
            out.errors.extend(f"{k}: {' '.join(map(str, v))}" for k, v in row_result.validation_error.message_dict.items())
        if out.errors:
            out.action = "error"
    for error in getattr(result, "base_errors", []):
        report.rows[0].errors.append(f"the import failed: {error.error}")
        report.rows[0].action = "error"
    return result


def _sync_items(link, codes: list[str], *, actor):
    """Each cost code + default cost type pair is a cost item; descriptions follow the cost code."""
    for cost_code in CostCode.objects.filter(link=link, code__in=codes).prefetch_related("default_cost_types"):
        current = {i.cost_type_id: i for i in CostItem.objects.filter(cost_code=cost_code)}
        for cost_type in cost_code.default_cost_types.all():
            description = item_description(cost_code.name, cost_type)
            item = current.get(cost_type.pk)
            if item is None:
                CostItem.objects.create(link=link, cost_code=cost_code, cost_type=cost_type,
                                        item_code=CostItem.code_for(cost_code.code, cost_type.code),
                                        description=description, erp_status=ErpStatus.NOT_SENT)
            elif item.description != description:
                item = lock_record(item)
                old = item.description
                item.description = description
                if item.erp_status == ErpStatus.SYNCED:
                    apply_transition(item, "changed_in_procore", actor=actor,
                                     message=f"Description changed by a CSV import: '{old}' → '{description}'.")
                else:
                    item.save(update_fields=["description", "updated_at"])


def cost_codes_preview(*, link, data: bytes | str) -> ImportReport:
    """WBS-4: what each row of the file would do, through a dry run; nothing is saved."""
    rows = read_csv(data, required=("code", "description"), optional=("cost_types",))
    report = _check_cost_codes(link, rows)
    if report.ok:
        _run_resource(CostCodeResource(link=link), _dataset(rows, ("code", "description", "cost_types")), dry_run=True, report=report)
    return report


def cost_codes_import(*, link, data: bytes | str, actor, filename: str = "") -> ImportReport:
    """WBS-4: import the file, all or nothing, in one transaction with one audit event."""
    _require(actor, COST_CODE_PERMISSION, "import cost codes")
    rows = read_csv(data, required=("code", "description"), optional=("cost_types",))
    report = _check_cost_codes(link, rows)
    if not report.ok:
        return report
    procore_ids = _in_procore_first(link, rows, report)  # BOOK-9: before the transaction (no HTTP inside)
    if procore_ids is None:
        return report
    with transaction.atomic():
        report = _check_cost_codes(link, rows)
        if not report.ok:
            return report
        _run_resource(CostCodeResource(link=link), _dataset(rows, ("code", "description", "cost_types")), dry_run=False, report=report)
        if not report.ok:
            transaction.set_rollback(True)
            return report
        for code, procore_id in procore_ids.items():
            CostCode.objects.filter(link=link, code=code).update(procore_id=procore_id, active=True)
        _sync_items(link, [r.code for r in report.rows], actor=actor)
        report.imported = True
        audit_record(None, link=link, action="cost_codes_import", actor=actor, message=report.summary(),
                     payload={"file": filename, "rows": [r.describe() for r in report.rows]})
    return report


def _in_procore_first(link, rows, report: ImportReport) -> dict[str, int] | None:
    """BOOK-9: the file's new and renamed cost codes created in Procore's standard cost code list;
    their Procore ids, or None (each refused row, or every row, naming why) when Procore refuses."""
    from integration.services.cost_codes_procore import ProcoreUnavailable, cost_codes_to_procore

    try:
        outcome = cost_codes_to_procore(link, [(values.get("code", ""), values.get("description", "")) for _, values in rows])
    except ProcoreUnavailable as exc:
        for out in report.rows:
            out.errors.append(str(exc))
            out.action = "error"
        return None
    if outcome.refused:
        for out in report.rows:
            if out.code in outcome.refused:
                out.errors.append(f"Procore refused it: {outcome.refused[out.code]}")
                out.action = "error"
        return None
    return outcome.ids


def cost_codes_export(*, link) -> str:
    """WBS-4: the link's cost codes as CSV (code, description, cost_types); importing it changes nothing."""
    return _safe_csv(CostCodeResource(link=link).export())


# ------------------------------------------------------------------ cost types


def _check_cost_types(link, rows) -> ImportReport:
    report = ImportReport(kind="cost types")
    existing = {t.code: t for t in CostType.objects.filter(link=link)}
    seen: dict[str, int] = {}
    for number, values in rows:
        code, name = values.get("code", ""), values.get("name", "")
        base_type, active = values.get("base_type", ""), values.get("active", "").lower()
        out = RowOutcome(number=number, code=code)
        if not code:
            out.errors.append("the code is missing")
        elif len(code) > COST_TYPE_CODE_MAX:
            out.errors.append(f"the code is {len(code)} characters; at most {COST_TYPE_CODE_MAX} are allowed")
        elif code in seen:
            out.errors.append(f"duplicate code '{code}' (also on row {seen[code]})")
        else:
            seen[code] = number
        if not name:
            out.errors.append("the name is missing")
        elif len(name) > COST_TYPE_NAME_MAX:
            out.errors.append(f"the name is {len(name)} characters; at most {COST_TYPE_NAME_MAX} are allowed")
        if active not in TRUE_VALUES | FALSE_VALUES:
            out.errors.append(f"active is '{values.get('active')}'; use 1 or 0 (or true/false)")
        current = existing.get(code)
        if out.errors:
            out.action = "error"
        elif current is None:
            out.action = "new"
        else:
            is_active = active in TRUE_VALUES
            for label, old, new in (("name", current.name, name), ("base type", current.base_type, base_type),
                                    ("active", current.active, is_active)):
                if old != new:
                    out.changes.append(f"{label} '{old}' → '{new}'")
            out.action = "update" if out.changes else "unchanged"
        report.rows.append(out)
    return report


def _cost_type_dataset(rows):
    for _, values in rows:
        values["active"] = "0" if values.get("active", "").lower() in FALSE_VALUES else "1"
    return _dataset(rows, ("code", "name", "base_type", "active"))


def cost_types_preview(*, link, data: bytes | str) -> ImportReport:
    rows = read_csv(data, required=("code", "name"), optional=("base_type", "active"))
    report = _check_cost_types(link, rows)
    if report.ok:
        _run_resource(CostTypeResource(link=link), _cost_type_dataset(rows), dry_run=True, report=report)
    return report


def cost_types_import(*, link, data: bytes | str, actor, filename: str = "") -> ImportReport:
    _require(actor, COST_TYPE_PERMISSION, "import cost types")
    rows = read_csv(data, required=("code", "name"), optional=("base_type", "active"))
    with transaction.atomic():
        report = _check_cost_types(link, rows)
        if not report.ok:
            return report
        _run_resource(CostTypeResource(link=link), _cost_type_dataset(rows), dry_run=False, report=report)
        if not report.ok:
            transaction.set_rollback(True)
            return report
        report.imported = True
        audit_record(None, link=link, action="cost_types_import", actor=actor, message=report.summary(),
                     payload={"file": filename, "rows": [r.describe() for r in report.rows]})
    return report


def cost_types_export(*, link) -> str:
    return _safe_csv(CostTypeResource(link=link).export())


def _safe_csv(dataset: tablib.Dataset) -> str:
    """The dataset as CSV through the project's one writer (formula-looking cells neutralised, SEC-2)."""
    return csv_text(dataset.headers, dataset)


# ------------------------------------------------------------------ WBS-5 default cost types


@dataclass
class AssignResult:
    cost_codes: list
    items_created: list[str]


def cost_codes_assign_types(*, cost_codes, cost_types, actor, replace: bool = False) -> AssignResult:
    """WBS-5: give standard cost codes default cost types (added to theirs, or replacing them), and
    create the cost items of the new pairs. Refused as a whole, with the reason, when the codes span
    several links, a cost type belongs to another link, an Item code would pass 30 characters or the
    link would pass 4000 items."""
    _require(actor, COST_CODE_PERMISSION, "assign default cost types")
    cost_codes, cost_types = list(cost_codes), list(cost_types)
    if not cost_codes:
        raise ValueError("Select at least one cost code.")
    if not cost_types and not replace:
        raise ValueError("Select at least one cost type.")
    links = {c.link_id for c in cost_codes}
    if len(links) > 1:
        raise ValueError("The selected cost codes belong to several links; assign cost types one link at a time.")
    link_id = links.pop()
    foreign = [t for t in cost_types if t.link_id != link_id]
    if foreign:
        raise ValueError(f"Cost type {', '.join(t.code for t in foreign)} belongs to another link.")
    with transaction.atomic():
        pairs = set(CostItem.objects.filter(link_id=link_id).values_list("cost_code_id", "cost_type_id"))
        new = [(c, t) for c in cost_codes for t in cost_types if (c.pk, t.pk) not in pairs]
        too_long = [CostItem.code_for(c.code, t.code) for c, t in new if len(CostItem.code_for(c.code, t.code)) > ITEM_CODE_MAX]
        if too_long:
            raise ValueError(f"Nothing was assigned: Xero Item codes longer than {ITEM_CODE_MAX} characters: {', '.join(too_long)}.")
        if len(pairs) + len(new) > MAX_ITEMS_PER_LINK:
            raise ValueError(f"Nothing was assigned: the link would have {len(pairs) + len(new)} cost code items; "
                             f"Xero allows {MAX_ITEMS_PER_LINK}.")
        for c in cost_codes:
            if replace:
                c.default_cost_types.set(cost_types)
            else:
                c.default_cost_types.add(*cost_types)
        created = []
        for c, t in new:
            CostItem.objects.create(link_id=link_id, cost_code=c, cost_type=t, item_code=CostItem.code_for(c.code, t.code),
                                    description=item_description(c.name, t), erp_status=ErpStatus.NOT_SENT)
            created.append(CostItem.code_for(c.code, t.code))
        audit_record(None, link=cost_codes[0].link, action="cost_types_assign", actor=actor,
                     message=f"{'Set' if replace else 'Added'} default cost types {', '.join(t.code for t in cost_types) or 'none'} "
                             f"on {len(cost_codes)} cost codes; {len(created)} new cost items.",
                     payload={"cost_codes": [c.code for c in cost_codes], "items_created": created})
    return AssignResult(cost_codes=cost_codes, items_created=created)
