"""Storing what Procore answered: one record per transaction, its lines matched by Procore id, audited.

``store`` runs one record's ``write(procore_id)`` in its own transaction and turns what goes wrong into
one error of the run (REL-6). ``save_erp_record`` creates or updates an exportable record: a content
change (the mapped fields or lines, not the timestamp) of a record already in Xero bumps its
``export_version``, and a synced one goes to ``ready_to_update`` (status machine, audited). Records
Procore no longer lists are flagged ``removed_in_procore``, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, models, transaction

from integration.mapping.from_procore import BadRecord, reference, timestamp
from integration.models import ErpStatus, Project, Vendor
from integration.services.audit import audit_record
from integration.services.pull.context import ACTOR, PullRun
from integration.services.status import TransitionRefused, apply_transition

ZERO = Decimal("0")


@dataclass
class Outcome:
    record: Any
    created: bool = False
    changed: bool = False


def fit(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
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


def _comparable(value: Any) -> Any:
    """A comparable form of a field value (model instances by pk, numbers normalised)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return value.normalize() if value else ZERO
    return value


def differs(record: models.Model, values: dict[str, Any]) -> list[str]:
    """The names of the fields whose stored value is not the given one."""
    return [name for name, value in values.items() if _comparable(getattr(record, name)) != _comparable(value)]


def has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def existing(pull: PullRun, model: type[models.Model], procore_id: int | None):
    return model.objects.filter(link=pull.link, procore_id=procore_id).first()


def unchanged(pull: PullRun, model: type[models.Model], data: dict) -> bool:
    """The stored copy has Procore's updated_at already: nothing to read or write."""
    updated = timestamp(data.get("updated_at"), "updated_at")
    if updated is None:
        return False
    found = model.objects.filter(link=pull.link, procore_id=reference(data.get("id"))).values_list(
        "procore_updated_at", *(["removed_in_procore"] if has_field(model, "removed_in_procore") else [])).first()
    return bool(found) and found[0] == updated and not (len(found) > 1 and found[1])


def store(pull: PullRun, model: type[models.Model], data: dict, label: str,
          write: Callable[[int], Outcome]) -> Outcome | None:
    """Upsert one record in its own transaction; an error is recorded and None returned."""
    name = model._meta.model_name
    procore_id = None
    try:
        procore_id = reference(data.get("id"))
        if procore_id is None:
            raise BadRecord("the record has no id")
        with transaction.atomic():
            outcome = write(procore_id)
    except BadRecord as exc:
        pull.count(name, "failed")
        pull.error(name, procore_id, label, str(exc))
        return None
    except (DatabaseError, TransitionRefused, ValueError, TypeError, KeyError, AttributeError) as exc:
        pull.count(name, "failed")
        pull.error(name, procore_id, label, f"could not be stored: {type(exc).__name__}: {exc}")
        return None
    if outcome.created:
        pull.count(name, "created")
    elif outcome.changed:
        pull.count(name, "updated")
    else:
        pull.count(name, "skipped")
    if outcome.created or outcome.changed:
        pull.touched.add((name, outcome.record.pk))
    return outcome


def save_erp_record(pull: PullRun, model, procore_id: int, values: dict[str, Any], *, lines=None) -> Outcome:
    """Create or update an ErpRecord (already inside the record's transaction); rebuild its lines."""
    values = fit(model, values)
    record = model.objects.select_for_update().filter(link=pull.link, procore_id=procore_id).first()
    created = record is None
    if created:
        record = model(link=pull.link, procore_id=procore_id)
    content = [] if created else differs(record, {k: v for k, v in values.items() if k != "procore_updated_at"})
    stamp_moved = "procore_updated_at" in values and record.procore_updated_at != values["procore_updated_at"]
    was_removed = not created and record.removed_in_procore
    for name, value in values.items():
        setattr(record, name, value)
    record.removed_in_procore = False
    if created or content or was_removed or stamp_moved:
        record.save()
    if lines is not None and rebuild_lines(record, lines) and not created:
        content.append("lines")
    if created:
        audit_record(record, action="pulled", actor=ACTOR, to_status=record.erp_status, message="Read from Procore.")
    elif content:
        after_content_change(pull, record, content)
    if was_removed:
        audit_record(record, action="restored_in_procore", actor=ACTOR, from_status=record.erp_status,
                     to_status=record.erp_status, message="Seen again in Procore.")
    return Outcome(record, created=created, changed=bool(content) or was_removed)


def save_plain_record(pull: PullRun, model, found, procore_id: int, values: dict[str, Any]) -> tuple[Outcome, list[str]]:
    """Create (``found`` None) or update a record that is not exported itself (a cost type, a cost code,
    a prime contract), already locked by the caller; returns the outcome and the fields that changed."""
    values = fit(model, values)
    created = found is None
    record = found or model(link=pull.link)
    diff = [] if created else differs(record, values)
    changed = created or bool(diff) or record.procore_id != procore_id
    record.procore_id = procore_id
    for key, value in values.items():
        setattr(record, key, value)
    if changed:
        record.save()
    return Outcome(record, created=created, changed=changed and not created), diff


def after_content_change(pull: PullRun, record, fields: list[str]) -> None:
    """A record already in Xero changed in Procore: new export version; a synced one → ready_to_update."""
    detail = f"Changed in Procore: {', '.join(sorted(set(fields)))}."
    if record.erp_status == ErpStatus.SYNCED:
        apply_transition(record, "changed_in_procore", actor=ACTOR, message=detail,
                         update_fields={"export_version": record.export_version + 1})
        pull.count(record._meta.model_name, "ready_to_update")
    elif record.xero_id:
        record.export_version += 1
        record.save(update_fields=["export_version", "updated_at"])
        audit_record(record, action="changed_in_procore", actor=ACTOR, from_status=record.erp_status,
                     to_status=record.erp_status, message=detail)


def rebuild_lines(record, lines: list[dict[str, Any]]) -> bool:
    """Match lines by Procore id: update, create, delete. Keeps what others wrote on a line (its
    Xero line id). Returns True when the lines' content changed."""
    manager = record.lines
    line_model = manager.model
    stored = {line.procore_id: line for line in manager.all()}
    changed, keep = False, set()
    for given in lines:
        values = fit(line_model, {(f"{k}_id" if isinstance(line_model._meta.get_field(k), models.ForeignKey)
                                   else k): (v.pk if isinstance(v, models.Model) else v)
                                  for k, v in given.items()})
        line = stored.get(values.get("procore_id"))
        if line is None or line.pk in keep:
            manager.create(**values)
            changed = True
            continue
        keep.add(line.pk)
        if differs(line, values):
            for name, value in values.items():
                setattr(line, name, value)
            line.save()
            changed = True
    gone = [line.pk for line in stored.values() if line.pk not in keep]
    if gone:
        line_model.objects.filter(pk__in=gone).delete()
        changed = True
    return changed


def mark_removed(pull: PullRun, model: type[models.Model], queryset) -> None:
    """Records of a fully read scope that Procore no longer lists: flagged, never deleted."""
    name = model._meta.model_name
    for record in queryset.filter(removed_in_procore=False):
        with transaction.atomic():
            record = model.objects.select_for_update().get(pk=record.pk)
            updates = {"removed_in_procore": True}
            if isinstance(record, Project):
                updates["active"] = False
            if isinstance(record, Vendor):
                updates["is_active"] = False
            content = differs(record, {k: v for k, v in updates.items() if k != "removed_in_procore"})
            for key, value in updates.items():
                setattr(record, key, value)
            record.save()
            audit_record(record, action="removed_in_procore", actor=ACTOR, from_status=record.erp_status,
                         to_status=record.erp_status, message="No longer in Procore: marked removed, kept here.")
            if content:
                after_content_change(pull, record, content)
        pull.count(name, "removed")
