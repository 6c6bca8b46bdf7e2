"""Key rotation of the secrets stored at rest (CONN-3, REL-7).

Put the new key first and keep the old one after it (FIELD_ENCRYPTION_KEY=<new>,<old>), restart, run
`keys_rotate`, then drop the old key. Every EncryptedTextField (the connections' tokens and service
account secrets) is rewritten row by row under a row lock, so a worker refreshing a token meanwhile is
never overwritten. Nothing secret is returned, logged or audited.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from integration.models.fields import PREFIX, EncryptedTextField, fernet
from integration.services.audit import audit_record


def _quoted(model, names):
    ops = connection.ops
    return (ops.quote_name(model._meta.db_table), [ops.quote_name(model._meta.get_field(n).column) for n in names],
            ops.quote_name(model._meta.pk.column))


def _rotate_row(model, pk, names, multi) -> bool:
    """Re-encrypt one row's ciphertexts (read raw: the field would decrypt them) under its row lock."""
    table, columns, pk_column = _quoted(model, names)
    with transaction.atomic(), connection.cursor() as cursor:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {pk_column} = %s{lock}", [pk])
        row = cursor.fetchone()
        if row is None:
            return False
        updates = {}
        for column, value in zip(columns, row, strict=True):
            if value and value.startswith(PREFIX):
                new = PREFIX + multi.rotate(value[len(PREFIX):].encode("ascii")).decode("ascii")
                if new != value:
                    updates[column] = new
        if updates:
            sets = ", ".join(f"{column} = %s" for column in updates)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk_column} = %s", [*updates.values(), pk])
    return bool(updates)


def keys_rotate(*, actor=None) -> dict[str, int]:
    """Re-encrypt every stored secret with the first key; returns rows rewritten per model."""
    multi = fernet()
    done: dict[str, int] = {}
    for model in apps.get_models():
        names = [f.attname for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        done[model._meta.label] = sum(_rotate_row(model, pk, names, multi)
                                      for pk in model.objects.values_list("pk", flat=True).iterator())
    audit_record(None, action="keys_rotated", actor=actor or "system: rotate_keys",
                 message="Secrets re-encrypted with the first FIELD_ENCRYPTION_KEY: "
                         + ", ".join(f"{label} {n} row(s)" for label, n in done.items()))
    return done
