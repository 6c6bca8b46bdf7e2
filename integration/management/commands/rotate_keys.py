"""`python manage.py rotate_keys`: re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY
(see integration/services/keys.py for the procedure). No secret is printed (REL-7)."""

from django.core.management.base import BaseCommand

from integration.services.keys import keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored token and secret with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        done = keys_rotate(actor="command: rotate_keys")
        for label, rows in done.items():
            self.stdout.write(f"{label}: {rows} row(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(done.values())} row(s) now encrypted with the first key."))
