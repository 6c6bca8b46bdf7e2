"""`python manage.py rotate_keys`: re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY.

Key rotation: put the new key first and keep the old one after it
(FIELD_ENCRYPTION_KEY=<new>,<old>), restart, run this command, then drop the old key. Every model field
that is an EncryptedTextField (the tokens and service-account secrets of the connections) is rewritten,
row by row under a row lock, so a worker refreshing a token meanwhile is never overwritten. No secret
is printed (REL-7).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from integration.models.fields import PREFIX, EncryptedTextField, fernet


class Command(BaseCommand):
    help = "Re-encrypt every stored token and secret with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        total = 0
        multi = fernet()
        for model in apps.get_models():
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            names = [f.attname for f in fields]
            rotated = 0
            for pk in model.objects.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    raw = model.objects.select_for_update().filter(pk=pk).values(*names).first()
                    # `.values()` goes through from_db_value: re-read the stored ciphertext instead.
                    raw = self._raw(model, pk, names) if raw is not None else None
                    if raw is None:
                        continue
                    updates = {}
                    for name, value in raw.items():
                        if value and value.startswith(PREFIX):
                            new = PREFIX + multi.rotate(value[len(PREFIX):].encode("ascii")).decode("ascii")
                            if new != value:
                                updates[name] = new
                    if updates:
                        self._write_raw(model, pk, updates)
                        rotated += 1
            total += rotated
            self.stdout.write(f"{model._meta.label}: {rotated} row(s) re-encrypted ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s) now encrypted with the first key."))

    @staticmethod
    def _raw(model, pk, names):
        from django.db import connection

        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
                           [pk])
            row = cursor.fetchone()
        return dict(zip(names, row, strict=True)) if row else None

    @staticmethod
    def _write_raw(model, pk, updates):
        from django.db import connection

        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(n).column)} = %s" for n in updates)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {sets} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
                           [*updates.values(), pk])
