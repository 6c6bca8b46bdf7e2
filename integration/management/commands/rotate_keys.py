"""`python manage.py rotate_keys`: re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY
(see integration/services/keys.py for the procedure). No secret is printed (REL-7)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integration.services.keys import keys_rotate

NEEDS = (
    "rotate_keys needs every key that encrypted a stored secret: set FIELD_ENCRYPTION_KEY to the new key "
    "first, then the old key(s), comma-separated (FIELD_ENCRYPTION_KEY=<new key>,<old key>), restart the web "
    "server and the workers, and run it again. Without the old key those connections cannot be recovered: "
    "reconnect them from their company link's page (nothing else is lost)."
)


class Command(BaseCommand):
    help = ("Re-encrypt every stored token and secret with the first key of FIELD_ENCRYPTION_KEY. " + NEEDS)

    def handle(self, *args, **options):
        keys = [k for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
        result = keys_rotate(actor="command: rotate_keys")
        for label, rows in result.rewritten.items():
            self.stdout.write(f"{label}: {rows} row(s) re-encrypted")
        done = sum(result.rewritten.values())
        if result.unreadable:
            names = "\n".join(f"  - {u}" for u in result.unreadable)
            raise CommandError(
                f"{done} row(s) re-encrypted, but {len(result.unreadable)} stored value(s) cannot be decrypted with "
                f"any of the {len(keys)} key(s) in FIELD_ENCRYPTION_KEY; they were left as they are:\n{names}\n{NEEDS}")
        self.stdout.write(self.style.SUCCESS(f"Done: {done} row(s) now encrypted with the first key."))
        if len(keys) > 1:
            self.stdout.write("Every stored secret opens with the first key now: remove the old key(s) from "
                              "FIELD_ENCRYPTION_KEY and restart.")
