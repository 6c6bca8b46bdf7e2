"""The keys of the secrets stored at rest: which rows no key opens, and rotation (CONN-3, REL-7, SEC-1).

Rotation: put the new key first and keep the old one after it (FIELD_ENCRYPTION_KEY=<new>,<old>),
restart, run `python manage.py rotate_keys`, then drop the old key. Every EncryptedTextField (the
connections' tokens and service account secrets) is rewritten row by row under a row lock, so a worker
refreshing a token meanwhile is never overwritten. A value that no key of the list decrypts is left as it
is (nothing is lost: give the key back and rotate again) and named, by row and column, in the result.
Nothing secret is returned, logged or audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection, transaction

from integration.models.fields import PREFIX, EncryptedTextField, fernet, is_unreadable
from integration.services.audit import audit_record


@dataclass(frozen=True)
class Unreadable:
    """One stored secret that no key of FIELD_ENCRYPTION_KEY decrypts."""

    label: str  # the model, e.g. "integration.Connection"
    pk: int
    column: str
    record: str  # the row as people know it, e.g. "Harbourside Builders · Xero"

    def __str__(self):
        return f"{self.record} ({self.label} #{self.pk}, {self.column})"


@dataclass
class RotationResult:
    rewritten: dict[str, int] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)


def encrypted_models():
    """(model, [attname of each EncryptedTextField]) for every model that stores secrets."""
    for model in apps.get_models():
        names = [f.attname for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def unreadable_secrets() -> list[Unreadable]:
    """Every stored secret that no key of FIELD_ENCRYPTION_KEY decrypts (the key changed or was lost)."""
    out = []
    for model, names in encrypted_models():
        for obj in model.objects.only("pk", *names).order_by("pk").iterator():
            for name in names:
                if is_unreadable(getattr(obj, name)):
                    out.append(Unreadable(model._meta.label, obj.pk, name, _describe(model, obj.pk)))
    return out


def _describe(model, pk) -> str:
    try:
        return str(model.objects.get(pk=pk))
    except Exception:  # a row's own __str__ must never hide the others
        return f"{model._meta.verbose_name} #{pk}"


def _quoted(model, names):
    ops = connection.ops
    return (ops.quote_name(model._meta.db_table), [ops.quote_name(model._meta.get_field(n).column) for n in names],
            ops.quote_name(model._meta.pk.column))


def _rotate_row(model, pk, names, multi, unreadable: list[Unreadable]) -> bool:
    """Re-encrypt one row's ciphertexts (read raw: the field would decrypt them) under its row lock."""
    table, columns, pk_column = _quoted(model, names)
    with transaction.atomic(), connection.cursor() as cursor:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {pk_column} = %s{lock}", [pk])
        row = cursor.fetchone()
        if row is None:
            return False
        updates = {}
        for name, column, value in zip(names, columns, row, strict=True):
            if not value:
                continue
            try:
                if not value.startswith(PREFIX):
                    raise InvalidToken
                new = PREFIX + multi.rotate(value[len(PREFIX):].encode("ascii")).decode("ascii")
            except (InvalidToken, UnicodeError):
                unreadable.append(Unreadable(model._meta.label, pk, name, _describe(model, pk)))
                continue
            if new != value:
                updates[column] = new
        if updates:
            sets = ", ".join(f"{column} = %s" for column in updates)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk_column} = %s", [*updates.values(), pk])
    return bool(updates)


def keys_rotate(*, actor=None) -> RotationResult:
    """Re-encrypt every stored secret with the first key; names the values no key of the list opens."""
    multi = fernet()
    result = RotationResult()
    for model, names in encrypted_models():
        result.rewritten[model._meta.label] = sum(
            _rotate_row(model, pk, names, multi, result.unreadable)
            for pk in model.objects.order_by("pk").values_list("pk", flat=True).iterator())
    message = "Secrets re-encrypted with the first FIELD_ENCRYPTION_KEY: " + ", ".join(
        f"{label} {n} row(s)" for label, n in result.rewritten.items())
    if result.unreadable:
        message += (f"; {len(result.unreadable)} value(s) no key of FIELD_ENCRYPTION_KEY decrypts, left as they are: "
                    + ", ".join(map(str, result.unreadable)))
    audit_record(None, action="keys_rotated", actor=actor or "system: rotate_keys", message=message)
    return result
