"""The pull: Procore's records of a company link into the connector's models (SYNC-1, SYNC-2, RPT-4).

``pull_link(*, link_id, trigger, actor, resources, full)`` reads every mirrored type, in dependency order:
cost types and the standard cost code list, vendors, projects (and each project's cost codes), then per
project its commitments (work order and purchase order contracts, with their schedule of values), commitment
change orders (with their lines), requisitions (subcontractor invoices, with their items), prime contracts
and payment applications (owner invoices). ``pull_record(...)`` re-reads one record (for a webhook).

Incremental reads (PERF-2). ``link.sync_cursors`` holds, per resource and scope, when the last complete
read of it started (the Procore client's clock, the one its ``filters[updated_at]`` ranges end on):
``"vendors"``, ``"projects"``, and ``"<resource>@<project id>"`` for ``work_order_contracts``,
``purchase_order_contracts``, ``change_orders``, ``requisitions`` and ``prime_contracts`` (ISO 8601
strings). The next run asks for ``filters[updated_at]`` from that cursor less ``CURSOR_OVERLAP``, with the
largest page the client allows. A scope whose read failed keeps its old cursor; a record that failed holds
the cursor back to its own ``updated_at``, so it is read again next time. ``"full_read_at"`` is the time
of the last full read: every ``FULL_READ_INTERVAL`` (and on the first run, or with ``full=True``)
everything is read without a filter, which is when records deleted in Procore are found and marked
``removed_in_procore`` (projects also ``active=False``, vendors ``is_active=False``); never deleted here.
Cost types, standard cost codes, project cost codes and payment applications have no ``updated_at``
filter in the client and are read whole (they are small). Emptying ``sync_cursors`` forces a full read.
A project's cost codes are read when the project is created or changed, and on full reads (PRJ-3).

Per record: one transaction (row lock, fields, lines matched by Procore id and rebuilt, audit); no network
call inside it. Records whose stored ``procore_updated_at`` equals Procore's are skipped without reading
their details. A content change (the mapped fields or lines, not the timestamp) of a record already in
Xero bumps ``export_version``; a synced one goes to ``ready_to_update`` (status machine, audited).
Qualifying records (``qualifies``) that are ``not_sent`` enter the queue through ``queue.record_send``
(SYNC-2); a refusal leaves them ``not_sent`` with the reasons in ``erp_message`` and in the run's errors.

Errors (REL-6): a bad record (unknown status, missing commitment, malformed value) is one entry in the
run's errors ``{model, id, label, message}`` and the others land; an ``InvalidGrant`` marks the connection
"needs reconnect" and fails the run; a rate limit that outlives the client's patience defers the run;
nothing raises out of ``pull_link``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import DatabaseError, models, transaction
from django.utils import timezone

from integration.models import (
    ChangeOrder,
    ChangeOrderLine,
    Commitment,
    CompanyLink,
    Connection,
    CostCode,
    CostItem,
    CostType,
    ErpStatus,
    OwnerInvoice,
    PrimeContract,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.services.audit import audit_record
from integration.services.connections import NotConnected, connection_mark_needs_reconnect, procore_client_for
from integration.services.queue import ValidationRefused, record_send
from integration.services.status import TransitionRefused, apply_transition

logger = logging.getLogger(__name__)

ACTOR = "system: procore pull"
#: Re-read this much before the cursor: a record saved while the last run was reading is not missed.
CURSOR_OVERLAP = timedelta(minutes=5)
#: How often a pull reads everything (and so finds records deleted in Procore).
FULL_READ_INTERVAL = timedelta(hours=24)
#: A "running" pull older than this is taken for dead (its worker was killed).
RUN_STALE_AFTER = timedelta(hours=2)
FULL_READ_KEY = "full_read_at"

ZERO = Decimal("0")

#: Every resource a pull reads, in dependency order (``resources=`` takes a subset).
RESOURCES = (
    "cost_codes", "vendors", "projects", "commitments", "change_orders", "subcontractor_invoices",
    "prime_contracts", "owner_invoices",
)  # fmt: skip
PROJECT_RESOURCES = ("commitments", "change_orders", "subcontractor_invoices", "prime_contracts", "owner_invoices")

# Procore's status enums, spelled as Procore spells them (api/procore.md §8, §9, §12; the sandbox's records.py).
WOC_STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated", "Void")
POC_STATUSES = ("Draft", "Processing", "Submitted", "Partially Received", "Received", "Approved", "Closed")
CCO_STATUSES = ("draft", "pricing", "not_pricing", "pending", "revised", "proceeding", "not_proceeding",
                "pending_billable", "no_charge", "approved", "rejected", "void")
REQUISITION_STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved", "approved_as_noted",
                        "pending_owner_approval")
PRIME_STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated")
PAY_APP_STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved")

#: The retainage held this period on a progress-billing line: a requisition item (api/procore.md §9)
#: and a payment application line item (``OAS:RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch``).
REQUISITION_RETAINED = ("work_completed_retainage_retained_this_period", "materials_stored_retainage_currently_retained")
PAY_APP_RETAINED = ("work_completed_retainage_retained_this_period", "materials_stored_retainage_retained_this_period")

COMMITMENT_KINDS = {
    "work_order_contract": (Commitment.Kind.SUBCONTRACT, WOC_STATUSES),
    "purchase_order_contract": (Commitment.Kind.PURCHASE_ORDER, POC_STATUSES),
}

#: Webhook resource names (api/procore.md §15) and the pull's own names → what ``pull_record`` re-reads.
RECORD_RESOURCES = {
    "company vendors": "vendor", "vendors": "vendor", "vendor": "vendor",
    "projects": "project", "project": "project",
    "work order contracts": "work_order_contract", "work_order_contract": "work_order_contract",
    "purchase order contracts": "purchase_order_contract", "purchase_order_contract": "purchase_order_contract",
    "commitment change orders": "change_order", "change_orders": "change_order", "change_order": "change_order",
    "requisitions": "requisition", "subcontractor_invoices": "requisition", "requisition": "requisition",
    "prime contracts": "prime_contract", "prime_contracts": "prime_contract", "prime_contract": "prime_contract",
    "payment applications": "payment_application", "owner_invoices": "payment_application",
    "payment_application": "payment_application",
    "cost codes": "project_cost_codes", "line item types": "cost_codes", "standard cost codes": "cost_codes",
    "cost_codes": "cost_codes",
}  # fmt: skip


class BadRecord(Exception):
    """Procore sent a record the connector cannot take as it is; the message says why (REL-6)."""


class StopRun(Exception):
    """The whole run must stop (dead grant, spent rate limit): ``status`` and ``message`` say how."""

    def __init__(self, status: str, message: str, deferred_until: datetime | None = None):
        self.status, self.message, self.deferred_until = status, message, deferred_until
        super().__init__(message)


# -- small value helpers ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise BadRecord(f"expected text, got {type(value).__name__}")
    return str(value).strip()


def _money(value: Any, name: str) -> Decimal:
    if value in (None, ""):
        return ZERO
    if isinstance(value, bool):
        raise BadRecord(f"{name} should be a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadRecord(f"{name} should be a number, got {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise BadRecord(f"{name} should be a finite number, got {str(value)[:40]!r}")
    return number


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BadRecord(f"{name} should be a date, got {str(value)[:40]!r}") from None


def _datetime(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadRecord(f"{name} should be a timestamp, got {str(value)[:40]!r}") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _id(value: Any, name: str = "id") -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        value = value.get("id")
        if value in (None, ""):
            return None
    if isinstance(value, bool):
        raise BadRecord(f"{name} should be an id, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{name} should be an id, got {str(value)[:40]!r}") from None


def _status(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """Procore's status as Procore spells it; an unknown one is refused (it cannot be mapped faithfully)."""
    text = _text(value)
    for known in allowed:
        if text.lower().replace("_", " ") == known.lower().replace("_", " "):
            return known
    raise BadRecord(f"unknown {what} status {text[:40]!r} (known: {', '.join(allowed)})")


def _fit(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Check text lengths and round numbers to the model's fields, so that what is compared next time
    is what the database holds (REL-6: too long or too large is a bad record, never a crash)."""
    out = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise BadRecord(f"{name} is {len(value)} characters; the connector keeps at most {limit}")
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
            if len(value.as_tuple().digits) > field.max_digits:
                raise BadRecord(f"{name} {value} is too large")
        out[name] = value
    return out


def _plain(value: Any) -> Any:
    """A comparable form of a field value (model instances by pk, numbers normalised)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return value.normalize() if value else ZERO
    return value


def _differs(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if _plain(getattr(obj, name)) != _plain(value)]


@dataclass
class Outcome:
    record: Any
    created: bool = False
    changed: bool = False


# -- one run ------------------------------------------------------------------------------------------
class Puller:
    """The state of one pull: the link, the client, the run's counts/errors and the cursors."""

    def __init__(self, *, link: CompanyLink, run: SyncRun, client, full: bool):
        self.link = link
        self.run = run
        self.client = client
        self.full = full
        self.cursors: dict[str, Any] = dict(link.sync_cursors or {})
        self.counts: dict[str, Any] = {"read": 0, "created": 0, "updated": 0, "skipped": 0, "failed": 0,
                                       "removed": 0, "queued": 0, "not_queued": 0, "ready_to_update": 0,
                                       "by_model": {}}
        self.errors: list[dict[str, Any]] = []
        self.touched: set[tuple[str, int]] = set()
        self.changed_projects: set[int] = set()
        self.cost_code_by_project_code: dict[int, CostCode] = {}
        self.standard_code_ids: set[int] | None = None

    # -- bookkeeping ----------------------------------------------------------------------------------
    def count(self, model: str, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n
        per = self.counts["by_model"].setdefault(model, {})
        per[what] = per.get(what, 0) + n

    def error(self, model: str, procore_id: Any, label: str, message: str) -> None:
        self.errors.append({"model": model, "id": procore_id, "label": str(label)[:300], "message": str(message)})
        logger.warning("procore pull of link %s: %s %s: %s", self.link.pk, model, procore_id, message)

    def progress(self, done: int | None = None, total: int | None = None) -> None:
        fields: dict[str, Any] = {"counts": self.counts, "errors": self.errors}
        if done is not None:
            fields["progress_done"] = done
        if total is not None:
            fields["progress_total"] = total
        SyncRun.objects.filter(pk=self.run.pk).update(**fields)

    def since(self, key: str) -> datetime | None:
        if self.full:
            return None
        value = self.cursors.get(key)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value) - CURSOR_OVERLAP
        except (TypeError, ValueError):
            return None

    def now(self) -> datetime:
        """The client's clock (the one its ``filters[updated_at]`` ranges end on)."""
        return datetime.fromtimestamp(self.client.clock(), tz=UTC)

    def advance(self, key: str, started: datetime, held_back: list[datetime]) -> None:
        """Move a scope's cursor after a complete read: to when the read started, or back to the
        oldest failed record, so that record is read again next time."""
        self.cursors[key] = (min([started, *held_back])).isoformat()

    # -- API calls ------------------------------------------------------------------------------------
    def call(self, what: str, fn, *args, **kwargs):
        """One client call; dead grants and spent limits stop the run, anything else is the caller's."""
        from procore_client.errors import InvalidGrant, RateLimited

        try:
            return fn(*args, **kwargs)
        except InvalidGrant as exc:
            message = f"Procore refused the connection's grant ({exc.message}); reconnect Procore in the admin."
            connection_mark_needs_reconnect(link=self.link, provider=Connection.Provider.PROCORE, message=message)
            raise StopRun(SyncRun.Status.FAILED, message) from None
        except RateLimited as exc:
            until = datetime.fromtimestamp(exc.reset_at, tz=UTC) if exc.reset_at else None
            raise StopRun(SyncRun.Status.DEFERRED, f"Procore's rate limit is spent while reading {what}; "
                                                   "the rest waits for the next run.", until) from None

    def scope_failed(self, model: str, scope_id: Any, label: str, exc: Exception) -> None:
        from procore_client.errors import Forbidden, NotFound

        if isinstance(exc, NotFound | Forbidden):
            message = f"Procore refused to list it ({exc}): is the connector's user on this project?"
        else:
            message = f"the list could not be read: {exc}"
        self.count(model, "failed")
        self.error(model, scope_id, label, message)

    # -- records --------------------------------------------------------------------------------------
    def existing(self, model: type[models.Model], procore_id: int):
        return model.objects.filter(link=self.link, procore_id=procore_id).first()

    def unchanged(self, model: type[models.Model], data: dict) -> bool:
        """The stored copy has Procore's updated_at already: nothing to read or write."""
        updated = _datetime(data.get("updated_at"), "updated_at")
        if updated is None:
            return False
        found = model.objects.filter(link=self.link, procore_id=_id(data.get("id"))).values_list(
            "procore_updated_at", *(["removed_in_procore"] if _has(model, "removed_in_procore") else [])).first()
        return bool(found) and found[0] == updated and not (len(found) > 1 and found[1])

    def land(self, model: type[models.Model], data: dict, label: str, build) -> Outcome | None:
        """Upsert one record in its own transaction; an error is recorded and None returned."""
        name = model._meta.model_name
        procore_id = None
        try:
            procore_id = _id(data.get("id"))
            if procore_id is None:
                raise BadRecord("the record has no id")
            with transaction.atomic():
                outcome = build(procore_id)
        except BadRecord as exc:
            self.count(name, "failed")
            self.error(name, procore_id, label, str(exc))
            return None
        except (DatabaseError, TransitionRefused, ValueError, TypeError, KeyError, AttributeError) as exc:
            self.count(name, "failed")
            self.error(name, procore_id, label, f"could not be stored: {type(exc).__name__}: {exc}")
            return None
        if outcome.created:
            self.count(name, "created")
        elif outcome.changed:
            self.count(name, "updated")
        else:
            self.count(name, "skipped")
        if outcome.created or outcome.changed:
            self.touched.add((name, outcome.record.pk))
        return outcome

    def save_erp_record(self, model, procore_id: int, values: dict[str, Any], *, lines=None) -> Outcome:
        """Create or update an ErpRecord (already inside the record's transaction); rebuild its lines."""
        values = _fit(model, values)
        obj = model.objects.select_for_update().filter(link=self.link, procore_id=procore_id).first()
        created = obj is None
        if created:
            obj = model(link=self.link, procore_id=procore_id)
        content = [] if created else _differs(obj, {k: v for k, v in values.items() if k != "procore_updated_at"})
        stamp_moved = "procore_updated_at" in values and obj.procore_updated_at != values["procore_updated_at"]
        was_removed = not created and obj.removed_in_procore
        for name, value in values.items():
            setattr(obj, name, value)
        obj.removed_in_procore = False
        if created or content or was_removed or stamp_moved:
            obj.save()
        if lines is not None and self.rebuild_lines(obj, lines) and not created:
            content.append("lines")
        if created:
            audit_record(obj, action="pulled", actor=ACTOR, to_status=obj.erp_status, message="Read from Procore.")
        elif content:
            self.after_content_change(obj, content)
        if was_removed:
            audit_record(obj, action="restored_in_procore", actor=ACTOR, from_status=obj.erp_status,
                         to_status=obj.erp_status, message="Seen again in Procore.")
        return Outcome(obj, created=created, changed=bool(content) or was_removed)

    def after_content_change(self, obj, fields: list[str]) -> None:
        """A record already in Xero changed in Procore: new export version; a synced one → ready_to_update."""
        detail = f"Changed in Procore: {', '.join(sorted(set(fields)))}."
        if obj.erp_status == ErpStatus.SYNCED:
            apply_transition(obj, "changed_in_procore", actor=ACTOR, message=detail,
                             update_fields={"export_version": obj.export_version + 1})
            self.count(obj._meta.model_name, "ready_to_update")
        elif obj.xero_id:
            obj.export_version += 1
            obj.save(update_fields=["export_version", "updated_at"])
            audit_record(obj, action="changed_in_procore", actor=ACTOR, from_status=obj.erp_status,
                         to_status=obj.erp_status, message=detail)

    def rebuild_lines(self, obj, lines: list[dict[str, Any]]) -> bool:
        """Match lines by Procore id: update, create, delete. Keeps what others wrote on a line (its
        Xero line id). Returns True when the lines' content changed."""
        manager = obj.lines
        line_model = manager.model
        existing = {line.procore_id: line for line in manager.all()}
        changed, keep = False, set()
        for raw in lines:
            values = _fit(line_model, {(f"{k}_id" if isinstance(line_model._meta.get_field(k), models.ForeignKey)
                                        else k): (v.pk if isinstance(v, models.Model) else v)
                                       for k, v in raw.items()})
            line = existing.get(values.get("procore_id"))
            if line is None or line.pk in keep:
                manager.create(**values)
                changed = True
                continue
            keep.add(line.pk)
            if _differs(line, values):
                for name, value in values.items():
                    setattr(line, name, value)
                line.save()
                changed = True
        stale = [line.pk for line in existing.values() if line.pk not in keep]
        if stale:
            line_model.objects.filter(pk__in=stale).delete()
            changed = True
        return changed

    def mark_removed(self, model: type[models.Model], queryset) -> None:
        """Records of a fully read scope that Procore no longer lists: flagged, never deleted."""
        name = model._meta.model_name
        for obj in queryset.filter(removed_in_procore=False):
            with transaction.atomic():
                obj = model.objects.select_for_update().get(pk=obj.pk)
                updates = {"removed_in_procore": True}
                if isinstance(obj, Project):
                    updates["active"] = False
                if isinstance(obj, Vendor):
                    updates["is_active"] = False
                content = _differs(obj, {k: v for k, v in updates.items() if k != "removed_in_procore"})
                for key, value in updates.items():
                    setattr(obj, key, value)
                obj.save()
                audit_record(obj, action="removed_in_procore", actor=ACTOR, from_status=obj.erp_status,
                             to_status=obj.erp_status, message="No longer in Procore: marked removed, kept here.")
                if content:
                    self.after_content_change(obj, content)
            self.count(name, "removed")

    # -- cost codes and cost types --------------------------------------------------------------------
    def pull_cost_codes(self) -> None:
        from procore_client.errors import ProcoreError

        try:
            types = self.call("cost types", self.client.list_line_item_types)
        except ProcoreError as exc:
            self.scope_failed("costtype", None, "line item types", exc)
        else:
            seen = set()
            for data in types:
                self.counts["read"] += 1
                cost_type = self.land_cost_type(data)
                if cost_type is not None:
                    seen.add(cost_type.pk)
            for cost_type in CostType.objects.filter(link=self.link, active=True).exclude(pk__in=seen):
                cost_type.active = False
                cost_type.save(update_fields=["active"])
                self.count("costtype", "removed")

        list_id = self.standard_list_id()
        if list_id is None:
            return
        try:
            codes = self.call("standard cost codes", self.client.list_standard_cost_codes, list_id)
        except ProcoreError as exc:
            self.scope_failed("costcode", list_id, "standard cost codes", exc)
            return
        seen = set()
        for data in codes:
            self.counts["read"] += 1
            cost_code = self.land_cost_code(data)
            if cost_code is not None:
                seen.add(cost_code.pk)
        self.standard_code_ids = set(
            CostCode.objects.filter(pk__in=seen).exclude(procore_id=None).values_list("procore_id", flat=True))
        for cost_code in CostCode.objects.filter(link=self.link, active=True).exclude(pk__in=seen):
            cost_code.active = False
            cost_code.save(update_fields=["active"])
            self.count("costcode", "removed")

    def standard_list_id(self) -> int | None:
        """The link's one standard cost code list (WBS-1): the configured one, else the only one, else
        the ERP list, else one named for Xero."""
        from procore_client.errors import ProcoreError

        if self.link.procore_standard_cost_code_list_id:
            return self.link.procore_standard_cost_code_list_id
        try:
            lists = self.call("standard cost code lists", self.client.list_standard_cost_code_lists)
        except ProcoreError as exc:
            self.scope_failed("costcode", None, "standard cost code lists", exc)
            return None
        if len(lists) == 1:
            return _id(lists[0].get("id"))
        for candidate in lists:
            if candidate.get("is_erp_list") or "xero" in _text(candidate.get("name")).lower():
                return _id(candidate.get("id"))
        if lists:
            self.error("costcode", None, "standard cost code list",
                       f"Procore has {len(lists)} standard cost code lists; choose the one used with Xero in "
                       "the link's settings (procore_standard_cost_code_list_id).")
        return None

    def land_cost_type(self, data: dict) -> CostType | None:
        def build(procore_id):
            code, name = _text(data.get("code")), _text(data.get("name"))
            if not code:
                raise BadRecord("the cost type has no code")
            values = {"code": code, "name": name or code, "base_type": _text(data.get("base_type")), "active": True,
                      "procore_updated_at": _datetime(data.get("updated_at"), "updated_at")}
            values = _fit(CostType, values)
            obj = (CostType.objects.select_for_update().filter(link=self.link, procore_id=procore_id).first()
                   or CostType.objects.select_for_update().filter(link=self.link, code=code).first())
            created = obj is None
            obj = obj or CostType(link=self.link)
            changed = created or bool(_differs(obj, values)) or obj.procore_id != procore_id
            obj.procore_id = procore_id
            for key, value in values.items():
                setattr(obj, key, value)
            if changed:
                obj.save()
            return Outcome(obj, created=created, changed=changed and not created)

        outcome = self.land(CostType, data, _text(data.get("code")) or "cost type", build)
        return outcome.record if outcome else None

    def land_cost_code(self, data: dict) -> CostCode | None:
        def build(procore_id):
            code = _text(data.get("full_code")) or _text(data.get("code"))
            if not code:
                raise BadRecord("the cost code has no code")
            values = {"code": code, "name": _text(data.get("name")) or code, "active": True,
                      "procore_updated_at": _datetime(data.get("updated_at"), "updated_at")}
            values = _fit(CostCode, values)
            obj = (CostCode.objects.select_for_update().filter(link=self.link, procore_id=procore_id).first()
                   or CostCode.objects.select_for_update().filter(link=self.link, code=code).first())
            created = obj is None
            obj = obj or CostCode(link=self.link)
            diff = [] if created else _differs(obj, values)
            changed = created or bool(diff) or obj.procore_id != procore_id
            obj.procore_id = procore_id
            for key, value in values.items():
                setattr(obj, key, value)
            if changed:
                obj.save()
            if "code" in diff or "name" in diff:
                self.refresh_cost_items(obj)
            return Outcome(obj, created=created, changed=changed and not created)

        outcome = self.land(CostCode, data, _text(data.get("code")) or "cost code", build)
        return outcome.record if outcome else None

    def refresh_cost_items(self, cost_code: CostCode) -> None:
        """A renamed cost code renames its items (WBS-1); synced ones go to ready_to_update."""
        for item in CostItem.objects.select_for_update().filter(cost_code=cost_code).select_related("cost_type"):
            values = {"item_code": CostItem.code_for(cost_code.code, item.cost_type.code),
                      "description": _item_description(cost_code, item.cost_type)}
            diff = _differs(item, values)
            if diff:
                for key, value in values.items():
                    setattr(item, key, value)
                item.save()
                self.after_content_change(item, diff)

    def cost_item(self, cost_code_data: Any, cost_type_data: Any, *, project_cost_code_id: Any = None,
                  cost_type_id: Any = None) -> CostItem | None:
        """The CostItem of a line's cost code + cost type (created if missing); None without both."""
        cost_code = self.resolve_cost_code(cost_code_data, project_cost_code_id)
        cost_type = self.resolve_cost_type(cost_type_data, cost_type_id)
        if cost_code is None or cost_type is None:
            return None
        item = CostItem.objects.filter(cost_code=cost_code, cost_type=cost_type).first()
        if item is None:
            values = {"item_code": CostItem.code_for(cost_code.code, cost_type.code),
                      "description": _item_description(cost_code, cost_type)}
            values = _fit(CostItem, values)
            item = CostItem.objects.create(link=self.link, cost_code=cost_code, cost_type=cost_type, **values)
            audit_record(item, action="pulled", actor=ACTOR, to_status=item.erp_status,
                         message="Cost code + cost type first seen on a Procore line.")
            self.count("costitem", "created")
        return item

    def line_cost_item(self, line: dict) -> CostItem | None:
        """The CostItem of a Procore line's own cost code + cost type (objects, or their ids)."""
        return self.cost_item(line.get("cost_code"), line.get("line_item_type"),
                              project_cost_code_id=line.get("cost_code_id"), cost_type_id=line.get("line_item_type_id"))

    def resolve_cost_code(self, data: Any, project_cost_code_id: Any) -> CostCode | None:
        pcc_id = _id(data.get("id") if isinstance(data, dict) else None) or _id(project_cost_code_id)
        if pcc_id is not None and pcc_id in self.cost_code_by_project_code:
            return self.cost_code_by_project_code[pcc_id]
        if not isinstance(data, dict):
            return None
        std_id = _id(data.get("standard_cost_code_id"))
        found = CostCode.objects.filter(link=self.link, procore_id=std_id).first() if std_id else None
        code = _text(data.get("full_code")) or _text(data.get("code"))
        if found is None and code:
            found = CostCode.objects.filter(link=self.link, code=code).first()
        if found is None and code:
            values = {"code": code, "name": _text(data.get("name")) or code}
            values = _fit(CostCode, values)
            found = CostCode.objects.create(link=self.link, **values)
            self.count("costcode", "created")
        if found is not None and pcc_id is not None:
            self.cost_code_by_project_code[pcc_id] = found
        return found

    def resolve_cost_type(self, data: Any, cost_type_id: Any) -> CostType | None:
        type_id = _id(data.get("id") if isinstance(data, dict) else None) or _id(cost_type_id)
        found = CostType.objects.filter(link=self.link, procore_id=type_id).first() if type_id else None
        code = _text(data.get("code")) if isinstance(data, dict) else ""
        if found is None and code:
            found = CostType.objects.filter(link=self.link, code=code).first()
        if found is None and code:
            values = {"code": code, "name": _text(data.get("name")) or code,
                      "base_type": _text(data.get("base_type"))}
            values = _fit(CostType, values)
            found = CostType.objects.create(link=self.link, procore_id=type_id, **values)
            self.count("costtype", "created")
        return found

    # -- vendors --------------------------------------------------------------------------------------
    def _pull_list(self, cursor: str, model, fetch, land, *, on_landed=None) -> None:
        """A company-level list read incrementally from its cursor: each row landed, the rows that could
        not land holding the cursor back, and on a full read what Procore no longer lists marked removed."""
        from procore_client.errors import ProcoreError

        since, started = self.since(cursor), self.now()
        try:
            rows = self.call(cursor, fetch, updated_since=since)
        except ProcoreError as exc:
            self.scope_failed(model._meta.model_name, None, cursor, exc)
            return
        seen_ids, held = set(), []
        for data in rows:
            self.counts["read"] += 1
            stamp = _safe_stamp(data)
            outcome = land(data)
            if outcome is None:
                if stamp:
                    held.append(stamp)
                continue
            seen_ids.add(outcome.record.pk)
            if on_landed is not None:
                on_landed(outcome)
        if since is None:
            self.mark_removed(model, model.objects.filter(link=self.link).exclude(pk__in=seen_ids))
        self.advance(cursor, started, held)

    def pull_vendors(self) -> None:
        self._pull_list("vendors", Vendor, self.client.list_vendors, self.land_vendor)

    def land_vendor(self, data: dict) -> Outcome | None:
        if self.unchanged(Vendor, data):
            self.count("vendor", "skipped")
            return Outcome(self.existing(Vendor, _id(data.get("id"))))

        def build(procore_id):
            name = _text(data.get("name"))
            if not name:
                raise BadRecord("the company has no name")
            values = {"name": name, "is_active": data.get("is_active") is not False,
                      "procore_updated_at": _datetime(data.get("updated_at"), "updated_at")}
            for field in ("abbreviated_name", "address", "city", "state_code", "zip", "country_code",
                          "business_phone", "fax_number", "email_address"):
                if field in data:
                    values[field] = _text(data.get(field))
            return self.save_erp_record(Vendor, procore_id, values)

        return self.land(Vendor, data, _text(data.get("name")) or "vendor", build)

    def ensure_vendor(self, vendor_id: int | None) -> Vendor | None:
        """A vendor a record names but the pull has not seen (e.g. added since): read it alone."""
        from procore_client.errors import NotFound, ProcoreError

        if vendor_id is None:
            return None
        vendor = self.existing(Vendor, vendor_id)
        if vendor is not None:
            return vendor
        try:
            data = self.call("a vendor", self.client.get_vendor, vendor_id)
        except NotFound:
            return None
        except ProcoreError as exc:
            self.error("vendor", vendor_id, f"vendor {vendor_id}", f"could not be read: {exc}")
            return None
        self.counts["read"] += 1
        outcome = self.land_vendor(data)
        return outcome.record if outcome else None

    # -- projects -------------------------------------------------------------------------------------
    def pull_projects(self) -> None:
        def note_change(outcome):
            if outcome.created or outcome.changed:
                self.changed_projects.add(outcome.record.pk)

        self._pull_list("projects", Project, self.client.list_projects, self.land_project, on_landed=note_change)

    def land_project(self, data: dict) -> Outcome | None:
        if self.unchanged(Project, data):
            self.count("project", "skipped")
            return Outcome(self.existing(Project, _id(data.get("id"))))

        def build(procore_id):
            name = _text(data.get("name"))
            if not name:
                raise BadRecord("the project has no name")
            stage = data.get("project_stage")
            stage_name = _text(stage.get("name")) if isinstance(stage, dict) else _text(data.get("stage"))
            values = {"name": name, "project_number": _text(data.get("project_number")),
                      "active": data.get("active") is not False, "stage_name": stage_name,
                      "procore_updated_at": _datetime(data.get("updated_at"), "updated_at")}
            for field in ("address", "city", "state_code", "zip"):
                if field in data:
                    values[field] = _text(data.get(field))
            return self.save_erp_record(Project, procore_id, values)

        return self.land(Project, data, _text(data.get("display_name")) or _text(data.get("name")) or "project",
                         build)

    def pull_project_cost_codes(self, project: Project) -> None:
        """The project's cost codes: how many, and whether all come from the standard list (PRJ-1, PRJ-3)."""
        from procore_client.errors import ProcoreError

        try:
            codes = self.call("project cost codes", self.client.list_project_cost_codes, project.procore_id)
        except ProcoreError as exc:
            self.scope_failed("project", project.procore_id, f"{project}: cost codes", exc)
            return
        standard = self.standard_code_ids
        if standard is None:
            standard = set(CostCode.objects.filter(link=self.link).exclude(procore_id=None)
                           .values_list("procore_id", flat=True))
        count, from_standard = 0, True
        try:
            for data in codes:
                self.counts["read"] += 1
                count += 1
                std_id = _id(data.get("standard_cost_code_id"))
                if std_id is None or (standard and std_id not in standard):
                    from_standard = False
                pcc_id = _id(data.get("id"))
                cost_code = CostCode.objects.filter(link=self.link, procore_id=std_id).first() if std_id else None
                if pcc_id is not None and cost_code is not None:
                    self.cost_code_by_project_code[pcc_id] = cost_code
                    for lit in data.get("line_item_types") or []:
                        if isinstance(lit, dict):
                            with transaction.atomic():
                                self.cost_item(data | {"standard_cost_code_id": std_id}, lit)
        except (BadRecord, DatabaseError) as exc:
            self.error("project", project.procore_id, str(project), f"bad cost code: {exc}")
            return

        try:
            with transaction.atomic():
                outcome = self.save_erp_record(Project, project.procore_id, {
                    "cost_code_count": count, "uses_standard_cost_code_list": from_standard})
        except (BadRecord, DatabaseError, TransitionRefused) as exc:
            self.count("project", "failed")
            self.error("project", project.procore_id, str(project), f"cost codes could not be stored: {exc}")
            return
        if outcome.changed and ("project", project.pk) not in self.touched:
            self.count("project", "updated")
            self.touched.add(("project", project.pk))

    # -- project scoped records -----------------------------------------------------------------------
    def projects_to_read(self, only: set[int] | None = None):
        projects = Project.objects.filter(link=self.link, removed_in_procore=False).exclude(procore_id=None)
        projects = projects.filter(models.Q(active=True) | ~models.Q(xero_id=""))
        if only is not None:
            projects = projects.filter(pk__in=only)
        return list(projects.order_by("pk"))

    def scoped_list(self, project: Project, key: str, model, label: str, fn, *args, filtered: bool = True,
                    **kwargs) -> tuple[list[dict], datetime | None, datetime] | None:
        from procore_client.errors import ProcoreError

        since = self.since(f"{key}@{project.procore_id}") if filtered else None
        started = self.now()
        if filtered:
            kwargs["updated_since"] = since
        try:
            return self.call(label, fn, *args, **kwargs), since, started
        except ProcoreError as exc:
            self.scope_failed(model._meta.model_name, project.procore_id, f"{project}: {label}", exc)
            return None

    def _land_listed_with_details(self, project: Project, listed, *, model, label: str, cursor: str, read_detail,
                                  land, existing) -> None:
        """A project's list whose rows carry headers only: each new or changed row is read again with its
        lines (``read_detail(id)``) and landed; rows that could not be read or landed hold the cursor back;
        on a full read what Procore no longer lists (among ``existing``) is marked removed."""
        from procore_client.errors import NotFound, ProcoreError

        records, since, started = listed
        name = model._meta.model_name
        seen, held = set(), []
        for data in records:
            self.counts["read"] += 1
            stamp = _safe_stamp(data)
            record_label = _label(label, data)
            if self.unchanged(model, data):
                self.count(name, "skipped")
                seen.add(_id(data.get("id")))
                continue
            try:
                detail = self.call(record_label, read_detail, _id(data.get("id")))
            except NotFound:
                continue  # deleted between the list and the read: the next full read marks it
            except (ProcoreError, BadRecord) as exc:
                self.count(name, "failed")
                self.error(name, data.get("id"), record_label, f"could not be read: {exc}")
                if stamp:
                    held.append(stamp)
                continue
            outcome = land({**data, **detail})
            if outcome is None:
                if stamp:
                    held.append(stamp)
                continue
            seen.add(outcome.record.procore_id)
        if since is None:
            self.mark_removed(model, existing.exclude(procore_id__in=seen))
        self.advance(f"{cursor}@{project.procore_id}", started, held)

    def pull_commitments(self, project: Project) -> None:
        for kind, (model_kind, _statuses) in COMMITMENT_KINDS.items():
            key = f"{kind}s"
            listed = self.scoped_list(project, key, Commitment, key.replace("_", " "),
                                      self.client.list_commitments, project.procore_id, kind)
            if listed is None:
                continue
            self._land_listed_with_details(
                project, listed, model=Commitment, label="Commitment", cursor=key,
                read_detail=lambda pk, kind=kind: self.client.get_commitment(project.procore_id, kind, pk),
                land=lambda data, kind=kind: self.land_commitment(project, kind, data),
                existing=Commitment.objects.filter(link=self.link, project=project, kind=model_kind))

    def land_commitment(self, project: Project, kind: str, data: dict) -> Outcome | None:
        model_kind, statuses = COMMITMENT_KINDS[kind]
        try:
            vendor = self.ensure_vendor(_id(data.get("vendor_id") or data.get("vendor"), "vendor_id"))
        except BadRecord as exc:
            self.count("commitment", "failed")
            self.error("commitment", data.get("id"), _label("Commitment", data), str(exc))
            return None

        def build(procore_id):
            lines = []
            for position, line in enumerate(_list(data.get("line_items"), "line_items"), start=1):
                lines.append({
                    "procore_id": _id(line.get("id")),
                    "position": _position(line, position),
                    "cost_item": self.cost_item(line.get("cost_code"), line.get("line_item_type"),
                                                project_cost_code_id=line.get("cost_code_id"),
                                                cost_type_id=line.get("line_item_type_id")),
                    "description": _text(line.get("description")),
                    "quantity": _money(line.get("quantity"), "quantity"),
                    "unit_cost": _money(line.get("unit_cost"), "unit_cost"),
                    "amount": _money(line.get("amount"), "amount"),
                    "uom": _text(line.get("uom")),
                })
            method = _text(data.get("accounting_method")) or Commitment.AccountingMethod.AMOUNT
            if method not in Commitment.AccountingMethod.values:
                raise BadRecord(f"unknown accounting method {method[:40]!r}")
            grand_total = data.get("grand_total")
            values = {
                "project": project, "vendor": vendor, "kind": model_kind,
                "number": _text(data.get("number")), "title": _text(data.get("title")),
                "status": _status(data.get("status"), statuses, "commitment"),
                "accounting_method": method, "description": _text(data.get("description")),
                "ship_via": _text(data.get("ship_via")),
                "delivery_date": _date(data.get("delivery_date"), "delivery_date"),
                "procore_created_at": _datetime(data.get("created_at"), "created_at"),
                "retainage_percent": _money(data.get("retainage_percent"), "retainage_percent"),
                "grand_total": (_money(grand_total, "grand_total") if grand_total not in (None, "")
                                else sum((line["amount"] for line in lines), ZERO)),
                "procore_updated_at": _datetime(data.get("updated_at"), "updated_at"),
            }
            return self.save_erp_record(Commitment, procore_id, values, lines=lines)

        return self.land(Commitment, data, _label("Commitment", data), build)

    def pull_change_orders(self, project: Project) -> None:
        listed = self.scoped_list(project, "change_orders", ChangeOrder, "commitment change orders",
                                  self.client.list_commitment_change_orders, project.procore_id)
        if listed is None:
            return
        self._land_listed_with_details(
            project, listed, model=ChangeOrder, label="Change order", cursor="change_orders",
            read_detail=lambda pk: self.client.get_commitment_change_order(project.procore_id, pk, with_line_items=True),
            land=lambda data: self.land_change_order(project, data),
            existing=ChangeOrder.objects.filter(link=self.link, project=project))

    def land_change_order(self, project: Project, data: dict) -> Outcome | None:
        def build(procore_id):
            contract_id = _id(data.get("contract_id") or data.get("contract"), "contract_id")
            commitment = Commitment.objects.filter(link=self.link, procore_id=contract_id).first() \
                if contract_id else None
            if commitment is None:
                raise BadRecord(f"its commitment (Procore #{contract_id}) is not in the connector: it was not "
                                "read from Procore (deleted, unreadable, or refused: see the other errors)")
            commitment_lines = {line.procore_id: line for line in commitment.lines.all()}
            lines = []
            for position, line in enumerate(_list(data.get("line_items"), "line_items"), start=1):
                commitment_line = commitment_lines.get(_id(line.get("commitment_line_item_id")))
                item = self.cost_item(line.get("cost_code"), line.get("line_item_type"),
                                      project_cost_code_id=line.get("cost_code_id"),
                                      cost_type_id=line.get("line_item_type_id"))
                if item is None and commitment_line is not None:
                    item = commitment_line.cost_item
                lines.append({
                    "procore_id": _id(line.get("id")), "position": _position(line, position),
                    "commitment_line": commitment_line, "cost_item": item,
                    "description": _text(line.get("description")),
                    "quantity": _money(line.get("quantity"), "quantity"),
                    "unit_cost": _money(line.get("unit_cost"), "unit_cost"),
                    "amount": _money(line.get("amount"), "amount"),
                })
            grand_total = data.get("grand_total")
            values = {
                "commitment": commitment, "project": project,
                "number": _text(data.get("number")), "title": _text(data.get("title")),
                "status": _status(data.get("status"), CCO_STATUSES, "change order"),
                "description": _text(data.get("description")),
                "procore_created_at": _datetime(data.get("created_at"), "created_at"),
                "grand_total": (_money(grand_total, "grand_total") if grand_total not in (None, "")
                                else sum((line["amount"] for line in lines), ZERO)),
                "procore_updated_at": _datetime(data.get("updated_at"), "updated_at"),
            }
            return self.save_erp_record(ChangeOrder, procore_id, values, lines=lines)

        return self.land(ChangeOrder, data, _label("Change order", data), build)

    def pull_invoices(self, project: Project) -> None:
        listed = self.scoped_list(project, "requisitions", SubcontractorInvoice, "subcontractor invoices",
                                  self.client.list_requisitions, project.procore_id, with_items=True)
        if listed is None:
            return
        records, since, started = listed
        seen, held = set(), []
        for data in records:
            self.counts["read"] += 1
            stamp = _safe_stamp(data)
            if self.unchanged(SubcontractorInvoice, data):
                self.count("subcontractorinvoice", "skipped")
                seen.add(_id(data.get("id")))
                continue
            outcome = self.land_invoice(project, data)
            if outcome is None:
                if stamp:
                    held.append(stamp)
                continue
            seen.add(outcome.record.procore_id)
        if since is None:
            self.mark_removed(SubcontractorInvoice, SubcontractorInvoice.objects.filter(
                link=self.link, project=project).exclude(procore_id__in=seen))
        self.advance(f"requisitions@{project.procore_id}", started, held)

    def land_invoice(self, project: Project, data: dict) -> Outcome | None:
        def build(procore_id):
            commitment_id = _id(data.get("commitment_id"), "commitment_id")
            commitment = Commitment.objects.filter(link=self.link, procore_id=commitment_id).first() \
                if commitment_id else None
            if commitment is None:
                raise BadRecord(f"its commitment (Procore #{commitment_id}) is not in the connector: it was not "
                                "read from Procore (deleted, unreadable, or refused: see the other errors)")
            vendor = commitment.vendor
            vendor_id = _id(data.get("vendor_id"), "vendor_id")
            if vendor_id and (vendor is None or vendor.procore_id != vendor_id):
                vendor = self.existing(Vendor, vendor_id) or vendor
            commitment_lines = {line.procore_id: line for line in commitment.lines.select_related("cost_item")}
            lines, retained = [], ZERO
            for position, item in enumerate(_list(data.get("items"), "items"), start=1):
                line_item_id = _id(item.get("line_item_id"), "line_item_id")
                commitment_line = commitment_lines.get(line_item_id)
                cost_item = commitment_line.cost_item if commitment_line is not None else None
                if cost_item is None and line_item_id is not None:
                    co_line = ChangeOrderLine.objects.filter(change_order__commitment=commitment,
                                                             procore_id=line_item_id).first()
                    cost_item = co_line.cost_item if co_line is not None else None
                if cost_item is None:
                    cost_item = self.line_cost_item(item)
                amount, retainage = _billed(item, REQUISITION_RETAINED)
                retained += retainage
                unit_price = item.get("scheduled_unit_price")
                lines.append({
                    "procore_id": _id(item.get("id")), "position": position,
                    "item_type": _text(item.get("item_type")), "commitment_line": commitment_line,
                    "cost_item": cost_item,
                    "description": _text(item.get("description_of_work") or item.get("description")
                                         or (commitment_line.description if commitment_line else "")),
                    "scheduled_value": _money(item.get("scheduled_value"), "scheduled_value"),
                    "quantity": _money(item.get("work_completed_this_period_quantity"), "quantity"),
                    "unit_price": (_money(unit_price, "scheduled_unit_price") if unit_price not in (None, "")
                                   else (commitment_line.unit_cost if commitment_line else ZERO)),
                    "amount": amount,
                    "retainage_this_period": retainage,
                })
            values = {
                "project": project, "commitment": commitment, "vendor": vendor,
                "number": _text(data.get("number")), "invoice_number": _text(data.get("invoice_number")),
                "status": _status(data.get("status"), REQUISITION_STATUSES, "subcontractor invoice"),
                "billing_date": _date(data.get("billing_date"), "billing_date"),
                "period_start": _date(data.get("requisition_start") or data.get("period_start"), "period start"),
                "period_end": _date(data.get("requisition_end") or data.get("period_end"), "period end"),
                "payment_date": _date(data.get("payment_date"), "payment_date"),
                "payment_due_date": _date(data.get("payment_due_date") or data.get("due_date"), "payment due date"),
                "retainage_this_period": retained,
                "total": sum((line["amount"] for line in lines), ZERO) - retained,
                "procore_updated_at": _datetime(data.get("updated_at"), "updated_at"),
            }
            return self.save_erp_record(SubcontractorInvoice, procore_id, values, lines=lines)

        return self.land(SubcontractorInvoice, data, _label("Subcontractor invoice", data, "invoice_number"), build)

    def pull_prime_contracts(self, project: Project) -> None:
        listed = self.scoped_list(project, "prime_contracts", PrimeContract, "prime contracts",
                                  self.client.list_prime_contracts, project.procore_id)
        if listed is None:
            return
        records, _since, started = listed
        held = []
        for data in records:
            self.counts["read"] += 1
            stamp = _safe_stamp(data)
            outcome = self.land_prime_contract(project, data)
            if stamp and outcome is None:
                held.append(stamp)
        self.advance(f"prime_contracts@{project.procore_id}", started, held)

    def land_prime_contract(self, project: Project, data: dict) -> Outcome | None:
        def build(procore_id):
            owner_id = _id(data.get("vendor_id") or data.get("vendor"), "vendor_id")
            owner = self.existing(Vendor, owner_id) if owner_id else None
            values = {"project": project, "owner": owner, "number": _text(data.get("number")),
                      "title": _text(data.get("title")),
                      "status": _status(data.get("status"), PRIME_STATUSES, "prime contract"),
                      "procore_updated_at": _datetime(data.get("updated_at"), "updated_at")}
            values = _fit(PrimeContract, values)
            obj = PrimeContract.objects.select_for_update().filter(link=self.link, procore_id=procore_id).first()
            created = obj is None
            obj = obj or PrimeContract(link=self.link, procore_id=procore_id)
            changed = created or bool(_differs(obj, values))
            for key, value in values.items():
                setattr(obj, key, value)
            if changed:
                obj.save()
            return Outcome(obj, created=created, changed=changed and not created)

        return self.land(PrimeContract, data, _label("Prime contract", data), build)

    def pull_owner_invoices(self, project: Project) -> None:
        """The list gives headers; an owner invoice new or changed since the last run is read again with
        its lines (``get_payment_application``), as commitments are."""
        from procore_client.errors import NotFound, ProcoreError

        listed = self.scoped_list(project, "payment_applications", OwnerInvoice, "payment applications",
                                  self.client.list_payment_applications, project.procore_id, filtered=False)
        if listed is None:
            return
        records, _since, started = listed
        seen = set()
        for data in records:
            self.counts["read"] += 1
            seen.add(_id(data.get("id")) if isinstance(data, dict) else None)  # listed: never marked removed
            if self.unchanged(OwnerInvoice, data):
                self.count("ownerinvoice", "skipped")
                continue
            label = _label("Owner invoice", data, "invoice_number")
            try:
                detail = self.call(label, self.client.get_payment_application, project.procore_id,
                                   _id(data.get("id")))
            except NotFound:
                seen.discard(_id(data.get("id")))  # deleted between the list and the read
                continue
            except (ProcoreError, BadRecord) as exc:
                self.count("ownerinvoice", "failed")
                self.error("ownerinvoice", data.get("id"), label, f"could not be read: {exc}")
                continue
            self.land_owner_invoice(project, {**data, **detail})
        self.mark_removed(OwnerInvoice, OwnerInvoice.objects.filter(link=self.link, project=project)
                          .exclude(procore_id__in=seen))

    def land_owner_invoice(self, project: Project, data: dict) -> Outcome | None:
        """INV-5: one payment application and its lines. Each line's cost item comes from its own cost
        code + cost type; amount = work completed this period + materials stored; the invoice's retainage
        this period = the lines' retained amounts, its total = the lines' amounts − that retainage. An
        answer without ``line_items`` (UNCONFIRMED shape, see ``get_payment_application``) leaves the
        stored lines as they are; without lines the figures are the header's."""

        def build(procore_id):
            contract = data.get("contract")
            prime_id = _id(data.get("prime_contract_id") or contract, "prime_contract_id")
            prime = PrimeContract.objects.filter(link=self.link, procore_id=prime_id).first() if prime_id else None
            if prime is None:
                raise BadRecord(f"its prime contract (Procore #{prime_id}) is not in the connector")
            g702 = data.get("g702") if isinstance(data.get("g702"), dict) else {}
            period = data.get("billing_period") if isinstance(data.get("billing_period"), dict) else {}
            lines = None
            if "line_items" in data:
                lines = []
                for position, item in enumerate(_list(data.get("line_items"), "line_items"), start=1):
                    amount, retainage = _billed(item, PAY_APP_RETAINED)
                    unit_price = item.get("scheduled_unit_price")
                    lines.append({
                        "procore_id": _id(item.get("id")),
                        "position": _position({"position": item.get("item_number")}, position),
                        "cost_item": self.line_cost_item(item),
                        "description": _text(item.get("description_of_work") or item.get("description")),
                        "quantity": _money(item.get("work_completed_this_period_quantity"), "quantity"),
                        "unit_price": _money(unit_price, "scheduled_unit_price"),
                        "amount": amount, "retainage": retainage,
                    })
            if lines:
                retainage = sum((line.pop("retainage") for line in lines), ZERO)
                total = sum((line["amount"] for line in lines), ZERO) - retainage
            else:  # no lines to add up: Procore's own figures for the period
                retainage = _money(g702.get("total_retainage_this_period") or g702.get("retainage_this_period"),
                                   "retainage")
                total = _money(data.get("total_amount_accrued_this_period"), "total_amount_accrued_this_period") \
                    - retainage
            values = {
                "prime_contract": prime, "project": project, "number": _text(data.get("number")),
                "invoice_number": _text(data.get("invoice_number")),
                "status": _status(data.get("status"), PAY_APP_STATUSES, "owner invoice"),
                "billing_date": _date(data.get("billing_date"), "billing_date"),
                "period_start": _date(data.get("period_start"), "period_start"),
                "period_end": _date(data.get("period_end"), "period_end"),
                "due_date": _date(period.get("due_date") or data.get("due_date"), "due_date"),
                "retainage_this_period": retainage,
                "total": total,
                "procore_updated_at": _datetime(data.get("updated_at"), "updated_at"),
            }
            return self.save_erp_record(OwnerInvoice, procore_id, values, lines=lines)

        return self.land(OwnerInvoice, data, _label("Owner invoice", data, "invoice_number"), build)

    # -- the queue (SYNC-2) ---------------------------------------------------------------------------
    def queue_qualifying(self) -> None:
        """Every not_sent record that qualifies in Procore enters the queue; refusals are reported once
        per reason (and again whenever the record changed in this run)."""
        for model, queryset in qualifying(self.link).items():
            name = model._meta.model_name
            for record in queryset.order_by("pk"):
                try:
                    record_send(record=record, actor=ACTOR, auto=True)
                except ValidationRefused as exc:
                    message = "; ".join(str(f) for f in exc.failures)
                    self.count(name, "not_queued")
                    if message != record.erp_message or (name, record.pk) in self.touched:
                        self.error(name, record.procore_id, str(record), f"qualifies but cannot be queued: {message}")
                        model.objects.filter(pk=record.pk).update(erp_message=message)
                    continue
                except (TransitionRefused, DatabaseError) as exc:
                    self.count(name, "not_queued")
                    self.error(name, record.procore_id, str(record), f"could not be queued: {exc}")
                    continue
                self.count(name, "queued")

    # -- the whole pull -------------------------------------------------------------------------------
    def pull(self, resources: tuple[str, ...]) -> None:
        self.progress(0, 2 + len(self.projects_to_read()))
        if "cost_codes" in resources:
            self.pull_cost_codes()
        if "vendors" in resources:
            self.pull_vendors()
        if "projects" in resources:
            self.pull_projects()
            for project in self.projects_to_read(None if self.full else self.changed_projects):
                self.pull_project_cost_codes(project)
        projects = self.projects_to_read()
        self.progress(1, 1 + len(projects))
        scoped = [r for r in PROJECT_RESOURCES if r in resources]
        for done, project in enumerate(projects, start=2):
            if scoped:
                self.pull_project(project, scoped)
            self.progress(done)

    def pull_project(self, project: Project, resources: list[str]) -> None:
        handlers = {
            "commitments": self.pull_commitments, "change_orders": self.pull_change_orders,
            "subcontractor_invoices": self.pull_invoices, "prime_contracts": self.pull_prime_contracts,
            "owner_invoices": self.pull_owner_invoices,
        }
        for name in resources:
            handlers[name](project)


def _has(model: type[models.Model], field: str) -> bool:
    try:
        model._meta.get_field(field)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True


def _safe_stamp(data: Any) -> datetime | None:
    try:
        return _datetime(data.get("updated_at"), "updated_at") if isinstance(data, dict) else None
    except BadRecord:
        return None


def _list(value: Any, name: str) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadRecord(f"{name} should be a list of objects")
    return value


def _billed(item: dict, retained: tuple[str, ...]) -> tuple[Decimal, Decimal]:
    """A progress-billing line's (amount, retainage this period): amount = work completed this period +
    materials presently stored; retainage = the sum of the ``retained`` fields."""
    amount = (_money(item.get("work_completed_this_period"), "work_completed_this_period")
              + _money(item.get("materials_presently_stored"), "materials_presently_stored"))
    return amount, sum((_money(item.get(name), name) for name in retained), ZERO)


def _position(line: dict, default: int) -> int:
    try:
        value = int(line.get("position") or default)
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default


def _label(kind: str, data: Any, number_key: str = "number") -> str:
    if not isinstance(data, dict):
        return kind
    number = data.get(number_key) or data.get("number") or data.get("id")
    title = data.get("title") or data.get("vendor_name") or ""
    return f"{kind} {number} {title}".strip()[:300]


def _item_description(cost_code: CostCode, cost_type: CostType) -> str:
    return f"{cost_code.name} - {cost_type.name}"[:255]


def qualifying(link: CompanyLink) -> dict[type[models.Model], models.QuerySet]:
    """The not_sent records of a link that qualify in Procore (SYNC-2): projects in the configured stage
    with a job number; commitments (with commitment sync on), change orders and subcontractor and owner
    invoices when Approved."""
    base = {"link": link, "erp_status": ErpStatus.NOT_SENT, "removed_in_procore": False}
    stage = (link.project_stage_name or "Send to Xero").strip()
    out: dict[type[models.Model], models.QuerySet] = {
        Project: Project.objects.filter(**base, active=True, stage_name__iexact=stage).exclude(project_number=""),
    }
    if link.commitment_sync:
        out[Commitment] = Commitment.objects.filter(**base, status__iexact="Approved")
        out[ChangeOrder] = ChangeOrder.objects.filter(**base, status="approved")
    out[SubcontractorInvoice] = SubcontractorInvoice.objects.filter(**base, status__in=["approved", "approved_as_noted"])
    out[OwnerInvoice] = OwnerInvoice.objects.filter(**base, status="approved")
    return out


# -- the services -------------------------------------------------------------------------------------
def _start_run(*, link: CompanyLink, trigger: str, actor, parameters: dict) -> tuple[SyncRun, bool]:
    """Open the run; a pull of the same link still running (and not stale) defers this one."""
    with transaction.atomic():
        CompanyLink.objects.select_for_update().get(pk=link.pk)
        busy = SyncRun.objects.filter(link=link, kind=SyncRun.Kind.PULL, status=SyncRun.Status.RUNNING,
                                      started_at__gte=timezone.now() - RUN_STALE_AFTER).exists()
        run = SyncRun.objects.create(
            link=link, kind=SyncRun.Kind.PULL, trigger=trigger if trigger in SyncRun.Trigger.values else "on_demand",
            triggered_by=None if actor is None or isinstance(actor, str) else actor, parameters=parameters,
            status=SyncRun.Status.DEFERRED if busy else SyncRun.Status.RUNNING,
            message="Another pull of this link is running; this one did nothing." if busy else "",
        )
        if busy:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
    return run, not busy


def _finish(run: SyncRun, puller: Puller | None, *, status: str | None = None, message: str = "",
            deferred_until: datetime | None = None) -> SyncRun:
    if puller is not None:
        run.counts, run.errors = puller.counts, puller.errors
        if status is None:
            status = SyncRun.Status.PARTIAL if puller.errors else SyncRun.Status.SUCCEEDED
    run.status = status or SyncRun.Status.FAILED
    run.message = message or run.message
    run.deferred_until = deferred_until
    run.finished_at = timezone.now()
    run.save()
    return run


def _save_cursors(link: CompanyLink, cursors: dict[str, Any]) -> None:
    CompanyLink.objects.filter(pk=link.pk).update(sync_cursors=cursors)
    link.sync_cursors = cursors


def pull_link(*, link_id: int, trigger: str = "on_demand", actor=None, resources=None, full: bool = False) -> SyncRun:
    """Pull a link's Procore records into the models (see the module docstring). Returns the SyncRun;
    never raises for anything Procore answers (REL-6)."""
    link = CompanyLink.objects.get(pk=link_id)
    wanted = tuple(r for r in RESOURCES if resources is None or r in set(resources))
    unknown = sorted(set(resources or ()) - set(RESOURCES))
    cursors = link.sync_cursors or {}
    last_full = cursors.get(FULL_READ_KEY)
    try:
        stale = last_full is None or timezone.now() - datetime.fromisoformat(last_full) > FULL_READ_INTERVAL
    except (TypeError, ValueError):
        stale = True
    full = bool(full or (stale and resources is None))
    run, go = _start_run(link=link, trigger=trigger, actor=actor,
                         parameters={"resources": list(wanted), "full": full})
    if not go:
        return run
    if unknown:
        return _finish(run, None, message=f"Unknown resources: {', '.join(unknown)}; known: {', '.join(RESOURCES)}.")
    try:
        client = procore_client_for(link)
    except NotConnected as exc:
        return _finish(run, None, message=str(exc))
    puller = Puller(link=link, run=run, client=client, full=full)
    try:
        puller.pull(wanted)
        puller.queue_qualifying()
    except StopRun as stop:
        _save_cursors(link, puller.cursors)
        return _finish(run, puller, status=stop.status, message=stop.message, deferred_until=stop.deferred_until)
    except Exception as exc:  # noqa: BLE001 - REL-6: a run reports what broke, it never crashes its caller
        logger.exception("procore pull of link %s failed", link.pk)
        _save_cursors(link, puller.cursors)
        return _finish(run, puller, status=SyncRun.Status.FAILED,
                       message=f"The pull stopped: {type(exc).__name__}: {exc}")
    if full:
        puller.cursors[FULL_READ_KEY] = timezone.now().isoformat()
    _save_cursors(link, puller.cursors)
    summary = ", ".join(f"{k} {v}" for k, v in puller.counts.items() if k != "by_model" and v)
    return _finish(run, puller, message=f"Read from Procore: {summary or 'nothing new'}.")


def pull_record(*, link_id: int, resource_name: str, resource_id: int, project_id: int | None = None,
                trigger: str = "webhook", actor=None) -> SyncRun:
    """Re-read one Procore record (a webhook's resource): it is upserted, queued if it qualifies, or
    marked removed when Procore answers 404. ``resource_name`` is a webhook resource name ("Work Order
    Contracts", "Requisitions", "Company Vendors", "Cost Codes"...) or the pull's own name."""
    from procore_client.errors import NotFound, ProcoreError

    link = CompanyLink.objects.get(pk=link_id)
    kind = RECORD_RESOURCES.get((resource_name or "").strip().lower())
    run, go = _start_run(link=link, trigger=trigger, actor=actor, parameters={
        "resource_name": resource_name, "resource_id": resource_id, "project_id": project_id})
    if not go:
        return run
    if kind is None:
        return _finish(run, None, message=f"Procore resource {resource_name!r} is not mirrored by the connector.")
    try:
        client = procore_client_for(link)
    except NotConnected as exc:
        return _finish(run, None, message=str(exc))
    puller = Puller(link=link, run=run, client=client, full=False)
    try:
        resource_id = int(resource_id)
        project = _record_project(link, kind, resource_id, project_id)
        if kind == "cost_codes":
            puller.pull_cost_codes()
        elif kind == "project_cost_codes":
            if project is None:
                raise BadRecord("a project's cost codes need the project id")
            puller.pull_project_cost_codes(project)
        else:
            _pull_one(puller, kind, resource_id, project)
        puller.queue_qualifying()
    except StopRun as stop:
        return _finish(run, puller, status=stop.status, message=stop.message, deferred_until=stop.deferred_until)
    except NotFound:
        _mark_one_removed(puller, kind, resource_id)
    except (BadRecord, ProcoreError, TypeError, ValueError) as exc:
        puller.count(kind, "failed")
        puller.error(kind, resource_id, f"{resource_name} {resource_id}", str(exc))
    except Exception as exc:  # noqa: BLE001 - REL-6
        logger.exception("procore pull of one record failed (link %s)", link.pk)
        return _finish(run, puller, status=SyncRun.Status.FAILED, message=f"The pull stopped: {type(exc).__name__}: {exc}")
    return _finish(run, puller, message=f"Re-read {resource_name} {resource_id}.")


_RECORD_MODELS = {
    "vendor": Vendor, "project": Project, "work_order_contract": Commitment, "purchase_order_contract": Commitment,
    "change_order": ChangeOrder, "requisition": SubcontractorInvoice, "prime_contract": PrimeContract,
    "payment_application": OwnerInvoice, "project_cost_codes": Project,
}  # fmt: skip


def _record_project(link: CompanyLink, kind: str, resource_id: int, project_id: int | None) -> Project | None:
    if kind in ("vendor", "project", "cost_codes"):
        return None
    if project_id is not None:
        project = Project.objects.filter(link=link, procore_id=int(project_id)).first()
        if project is None:
            raise BadRecord(f"project {project_id} is not in the connector yet: run a pull first")
        return project
    if kind == "project_cost_codes":
        return Project.objects.filter(link=link, procore_id=resource_id).first()
    model = _RECORD_MODELS[kind]
    record = model.objects.filter(link=link, procore_id=resource_id).select_related("project").first()
    if record is None:
        raise BadRecord("the record is not in the connector yet and no project id was given")
    return record.project


def _pull_one(puller: Puller, kind: str, resource_id: int, project: Project | None) -> None:
    client = puller.client
    if kind == "vendor":
        data = puller.call("a vendor", client.get_vendor, resource_id)
        puller.counts["read"] += 1
        puller.land_vendor(data)
    elif kind == "project":
        data = puller.call("a project", client.get_project, resource_id)
        puller.counts["read"] += 1
        outcome = puller.land_project(data)
        if outcome is not None:
            puller.pull_project_cost_codes(outcome.record)
    elif kind in COMMITMENT_KINDS:
        data = puller.call("a commitment", client.get_commitment, project.procore_id, kind, resource_id)
        puller.counts["read"] += 1
        puller.land_commitment(project, kind, data)
    elif kind == "change_order":
        data = puller.call("a change order", client.get_commitment_change_order, project.procore_id, resource_id,
                           with_line_items=True)
        puller.counts["read"] += 1
        puller.land_change_order(project, data)
    elif kind == "requisition":
        data = puller.call("an invoice", client.get_requisition, project.procore_id, resource_id)
        puller.counts["read"] += 1
        puller.land_invoice(project, data)
    elif kind == "prime_contract":
        data = puller.call("a prime contract", client.get_prime_contract, project.procore_id, resource_id)
        puller.counts["read"] += 1
        puller.land_prime_contract(project, data)
    elif kind == "payment_application":
        data = puller.call("an owner invoice", client.get_payment_application, project.procore_id, resource_id)
        puller.counts["read"] += 1
        puller.land_owner_invoice(project, data)


def _mark_one_removed(puller: Puller, kind: str, resource_id: int) -> None:
    model = _RECORD_MODELS.get(kind)
    if model is None or not _has(model, "removed_in_procore"):
        return
    puller.mark_removed(model, model.objects.filter(link=puller.link, procore_id=resource_id))
