"""`python manage.py demo`: the product in one command, with nothing to configure."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from integration.demo_users import DEMO_PASSWORD, ensure_demo_users
from integration.sample_data import load_sample_data


class Command(BaseCommand):
    help = "Set up the demo (database, users admin/approver/pm with password 'demo', sample data) and serve the admin."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port of the admin (default 8000).")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Stop after setting up; do not serve.")

    def handle(self, *args, host, port, no_serve, **options):
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write("1/3 Migrating the database...")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("2/3 Creating the users admin, approver and pm...")
        ensure_demo_users()
        self.stdout.write("3/3 Loading the sample data...")
        link = load_sample_data()
        url = f"http://{host}:{port}/admin/"
        self.stdout.write(self.style.SUCCESS(f"\nReady: {link}"))
        self.stdout.write(f"  Admin: {url}")
        self.stdout.write(f"  Logins (password '{DEMO_PASSWORD}'): admin (superuser), approver (Accounting Approver), pm (Standard)")
        if no_serve:
            return
        call_command("runserver", f"{host}:{port}", use_reloader=False)
