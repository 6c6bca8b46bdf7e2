"""`python manage.py sandbox [--host 127.0.0.1] [--port 8800] [--seed demo]`: fake Procore and Xero over HTTP.

Point the connector at it with the five URL settings it prints (CONN-5); with them, the connector cannot
tell it from the real services. Both sandboxes accept any client id on first use and remember its secret.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from werkzeug.serving import run_simple

from integration.sandbox_server import build_app, url_settings
from procore_client.sandbox import ProcoreSandbox
from xero_client.sandbox import XeroSandbox


class Command(BaseCommand):
    help = "Serve the Procore and Xero sandboxes on one port (Procore under /procore, Xero under /xero)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8800)
        parser.add_argument("--seed", choices=["demo"], help="Load data: 'demo' = the demo's builder.")
        parser.add_argument("--quiet", action="store_true", help="Do not log every request.")

    def handle(self, *args, host, port, seed, quiet, **options):
        xero = XeroSandbox(organisation_name="Harbourside Builders Ltd")
        procore = ProcoreSandbox(company_name="Harbourside Builders")
        if seed == "demo":
            from integration.demo_seed import seed_procore, seed_xero

            seed_procore(procore)
            seed_xero(xero)
            self.stdout.write("Seeded both sandboxes with the demo's builder.")
        base = f"http://{host}:{port}"
        self.stdout.write(f"Sandbox on {base} (Ctrl-C to stop). Point the connector at it with:")
        for name, value in url_settings(base).items():
            self.stdout.write(f"  export {name}={value}")
        self.stdout.write(f"State: GET {base}/_sandbox/state   Reset: POST {base}/_sandbox/reset")
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        try:
            run_simple(host, port, build_app(xero, procore), threaded=True, use_reloader=False, use_debugger=False)
        except OSError as exc:
            raise CommandError(f"Cannot serve on {host}:{port}: {exc}") from None
