"""`python manage.py demo`: the whole product in one command, with nothing to configure.

1. migrate (SQLite and the ORM broker by default) and create the users admin, approver and pm (password demo);
2. start both sandboxes on `--sandbox-port` (a background thread) and point the five URL settings at them
   for this process and the django-q2 cluster it starts (`--no-sandbox`: the settings already point at a
   running `manage.py sandbox`); seed Procore as a real builder's would look;
3. connect the company link through the real OAuth flows, over HTTP, with the connect services;
4. play the month: pull; the pm sends the cost codes and companies, the approver accepts everything valid
   through the queue services (the invalid ones stay with their reasons); export; repeat while the
   pull queues the next tier (commitments, then change orders);
5. the accountant works in Xero through its API: approves the bills, pays them (full, partial, a batch
   of payments in one call), receives an owner's payment on a sales invoice exported from an owner
   invoice (PAY-6), deletes one payment later, spends money tracked to projects, enters a supplier
   credit note, a bill tracked to two projects and one bill without tracking;
6. import payments (issued on commitments, received on prime contracts) and job costs, and print what
   went where;
7. serve the admin on `--port` with the django-q2 cluster running (`--no-serve` stops after the summary).

The demo's company link is rebuilt on every run (the sandbox starts empty each time). The sandboxes'
rate limits are lifted in the demo so the month plays in seconds; `manage.py sandbox` keeps them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.backends.signals import connection_created

from integration.admin.runs import counts_sentence
from integration.demo_users import DEMO_PASSWORD, ensure_demo_users
from integration.sandbox_web import web_url_settings

LINK_NAME = "Harbourside Builders"
DEMO_CLIENTS = {"XERO_CLIENT_ID": "demo-xero-app", "XERO_CLIENT_SECRET": "demo-xero-secret",
                "PROCORE_CLIENT_ID": "demo-procore-app", "PROCORE_CLIENT_SECRET": "demo-procore-secret"}
URL_SETTINGS = ("PROCORE_API_URL", "PROCORE_LOGIN_URL", "XERO_API_URL", "XERO_IDENTITY_URL", "XERO_LOGIN_URL")
MAX_ROUNDS = 5
#: The demo lifts Xero's 60 calls a minute and 5,000 a day so its month plays in seconds.
DEMO_CALLS_PER_MINUTE = 100_000


def _fast_sqlite(sender, connection, **kwargs):
    """The demo's SQLite file: WAL (the web server, the cluster and the demo share it) and fewer fsyncs."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:" \
            and "mode=memory" not in str(connection.settings_dict["NAME"]):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def _remove_link(link) -> None:
    """Delete the demo's previous link and everything scoped to it (its records protect one another, so
    each model's rows go as soon as nothing protects them any more)."""
    from django.apps import apps
    from django.db.models import ProtectedError

    models = [m for m in apps.get_app_config("integration").get_models()
              if any(f.name == "link" and f.is_relation for f in m._meta.fields)]
    for _ in range(len(models) + 1):
        left = []
        for model in models:
            try:
                model.objects.filter(link=link).delete()
            except ProtectedError:
                left.append(model)
        models = left
        if not models:
            break
    from django_q.models import Schedule

    # The removed link's schedules would otherwise keep running tasks for a link that is gone.
    Schedule.objects.filter(name__startswith=f"link-{link.pk}-").delete()
    Schedule.objects.filter(name=f"export-retry-link-{link.pk}").delete()
    link.delete()


def _terminate(signum, frame):
    raise KeyboardInterrupt


def stop_cluster(cluster: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM to the cluster's whole process group (django-q2 stops its workers gracefully), then
    SIGKILL to whatever is left after `timeout` seconds."""
    try:
        os.killpg(cluster.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        cluster.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(cluster.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    cluster.wait()


class RemoteProcore:
    """`create_record` of a Procore sandbox served elsewhere (`--no-sandbox`), through POST /_sandbox/records."""

    def __init__(self, api_url: str):
        self.base = api_url.rstrip("/").rsplit("/", 1)[0] if api_url.rstrip("/").endswith("/procore") else api_url
        state = requests.get(f"{self.base}/_sandbox/state", timeout=10).json()
        procore = state.get("procore", state)
        self.company_id = procore["company"]["id"]
        self.records = procore.get("records", {})

    def create_record(self, kind: str, data: dict) -> dict:
        answer = requests.post(f"{self.base}/_sandbox/records", json={"kind": kind, "data": data}, timeout=10)
        if answer.status_code >= 400:
            raise CommandError(f"The sandbox refused a {kind}: {answer.text[:300]}")
        return answer.json()


class Command(BaseCommand):
    help = ("The whole product in one command: sandboxes, a connected company link, a month played through "
            "pull, approval, export, payments and job costs, then the admin with the django-q2 cluster.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port of the admin (default 8000).")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--sandbox-port", type=int, default=8800, help="Port of the sandboxes (default 8800).")
        parser.add_argument("--no-sandbox", action="store_true",
                            help="Use the sandbox the URL settings already point at (manage.py sandbox).")
        parser.add_argument("--no-serve", action="store_true", help="Stop after the summary; do not serve.")

    # ------------------------------------------------------------------ plumbing
    def step(self, n: int, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"[{n}/7] {text}"))
        self._t = time.monotonic()

    def say(self, text: str) -> None:
        self.stdout.write(f"      {text}")

    def override(self, name: str, value) -> None:
        """Point a setting elsewhere for this process (and, through the environment, for the cluster it
        starts); restored when the command ends, so a caller in the same process (a test) is not affected."""
        if name not in self._saved:
            self._saved[name] = (getattr(settings, name, None), os.environ.get(name))
        setattr(settings, name, value)
        os.environ[name] = str(value)

    def restore(self) -> None:
        from integration.services import connections

        for name, (value, env) in self._saved.items():
            setattr(settings, name, value)
            if env is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = env
        if self._runtime_options is not None:
            connections.runtime_options = self._runtime_options

    def handle(self, *args, host, port, sandbox_port, no_sandbox, no_serve, **options):
        self._saved, self._runtime_options = {}, None
        # SIGTERM ends the demo the way Ctrl-C does: through the `finally` blocks that stop the django-q2
        # cluster and the sandbox, instead of leaving the cluster's processes behind as orphans.
        previous = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
        if previous is not None:
            signal.signal(signal.SIGTERM, _terminate)
        try:
            self.run(host=host, port=port, sandbox_port=sandbox_port, no_sandbox=no_sandbox, no_serve=no_serve)
        except KeyboardInterrupt:
            self.stdout.write("\nStopped: the django-q2 cluster and the sandbox are shut down.")
        finally:
            self.restore()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def run(self, *, host, port, sandbox_port, no_sandbox, no_serve):
        started = time.monotonic()
        connection_created.connect(_fast_sqlite)
        for noisy in ("werkzeug", "django-q", "django_q", "integration.services.pull", "integration.services.connect"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        self.step(1, f"Database {settings.DATABASES['default']['NAME']}: migrating, creating the users")
        call_command("migrate", interactive=False, verbosity=0)
        users = ensure_demo_users()
        self.say("admin (superuser), approver (Accounting Approver), pm (Standard); password 'demo'")

        self.step(2, "Sandboxes")
        server, xero, procore = self.start_sandbox(sandbox_port, no_sandbox)
        try:
            self.configure(host, port)
            seeded = self.seed(procore)
            self.step(3, "Connecting the company link through the real OAuth flows (over HTTP)")
            link = self.connect(users["admin"], seeded)
            self.step(4, "Playing the month: pull, send, accept, export")
            self.play(link, users, seeded)
            self.step(5, "The accountant works in Xero (through its API)")
            self.accountant(link, seeded)
            self.step(6, "Importing payments and job costs")
            self.imports(link, users["admin"])
            self.summary(link, seeded)
            self.stdout.write(f"      The month played in {time.monotonic() - started:.1f} s.")
            url = f"http://{host}:{port}/admin/"
            self.stdout.write(self.style.SUCCESS(f"\nReady: {link}"))
            self.stdout.write(f"  Admin: {url}")
            self.stdout.write(f"  Logins (password '{DEMO_PASSWORD}'): admin (superuser), approver (Accounting "
                              "Approver), pm (Standard)")
            if server is not None:
                self.stdout.write(f"  Sandbox: {server.base_url}/_sandbox/state")
            if no_serve:
                return
            self.step(7, f"Serving the admin on {url} with the django-q2 cluster (Ctrl-C to stop)")
            self.serve(host, port)
        finally:
            if server is not None:
                server.stop()

    def start_sandbox(self, sandbox_port: int, no_sandbox: bool):
        from integration.sandbox_server import SandboxServer
        from procore_client.sandbox import ProcoreSandbox
        from xero_client.sandbox import XeroSandbox

        if no_sandbox:
            if not settings.PROCORE_API_URL.startswith(("http://127.", "http://localhost")):
                raise CommandError("--no-sandbox needs the URL settings pointed at a running `manage.py sandbox` "
                                   "(PROCORE_API_URL=http://127.0.0.1:8800/procore ...); the demo never "
                                   "touches the real services.")
            self.say(f"using the sandbox at {settings.PROCORE_API_URL.rsplit('/', 1)[0]}")
            for name, value in web_url_settings(settings.PROCORE_API_URL.rstrip("/").rsplit("/", 1)[0]).items():
                self.override(name, value)
            return None, None, RemoteProcore(settings.PROCORE_API_URL)
        xero = XeroSandbox(rate_limits=False, organisation_name="Harbourside Builders Ltd")
        # The client's limiter learns from X-MinLimit-Remaining and X-DayLimit-Remaining as Xero sends
        # them; lifted limits report the demo limiter's room, or the 61st call of a minute would wait
        # out the rest of it for a limit the sandbox no longer keeps.
        xero.minute_limit = xero.day_limit = DEMO_CALLS_PER_MINUTE
        procore = ProcoreSandbox(rate_limits=False, company_name="Harbourside Builders")
        try:
            server = SandboxServer(xero, procore, port=sandbox_port).start()
        except OSError as exc:
            raise CommandError(f"Cannot start the sandbox on port {sandbox_port} ({exc}): choose another with "
                               "--sandbox-port, or use a running one with --no-sandbox.") from None
        for name, value in {**self.url_settings(server.base_url), **web_url_settings(server.base_url)}.items():
            self.override(name, value)
        self.say(f"Procore and Xero sandboxes on {server.base_url} (Procore under /procore, Xero under /xero)")
        return server, xero, procore

    @staticmethod
    def url_settings(base_url: str) -> dict[str, str]:
        from integration.sandbox_server import url_settings

        return url_settings(base_url)

    def configure(self, host: str, port: int) -> None:
        """Demo app credentials (the sandboxes accept any on first use) and the redirect URIs' base."""
        for name, value in DEMO_CLIENTS.items():
            if not getattr(settings, name):
                self.override(name, value)
        self.override("CONNECTOR_BASE_URL", f"http://{host}:{port}")
        from integration.services import connections
        from xero_client import TenantLimiter

        fast = TenantLimiter(per_minute=DEMO_CALLS_PER_MINUTE, max_concurrent=5)
        self._runtime_options = connections.runtime_options
        connections.runtime_options = lambda provider: {"client": {"limiter": fast}} if provider == "xero" else {}

    def seed(self, procore):
        from integration.demo_seed import seed_procore

        if getattr(procore, "records", {}).get("project"):
            raise CommandError("The running sandbox already holds projects: reset it first "
                               "(curl -X POST .../_sandbox/reset) or run the demo without --no-sandbox.")
        seeded = seed_procore(procore)
        counts = seeded.counts
        self.say("Procore seeded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        return seeded

    # ------------------------------------------------------------------ connect
    def connect(self, admin, seeded):
        from integration.models import CompanyLink
        from integration.services.connect import (
            connect_via_redirect,
            procore_companies_list,
            procore_company_choose,
            xero_organisation_choose,
            xero_organisations_list,
        )

        with transaction.atomic():
            for old in CompanyLink.objects.filter(name=LINK_NAME):
                _remove_link(old)
                self.say("the previous demo link was removed (the sandbox starts empty on every run)")
            start, _end = seeded.period
            # The demo organisation's chart has Retentions Payable (815) and Receivable (615) (BOOK-2).
            link = CompanyLink.objects.create(name=LINK_NAME, payment_cutoff=start, project_stage_name="Send to Xero",
                                              retainage_account_code="815", retainage_receivable_account_code="615")

        def browser(url: str) -> str:
            """The admin clicks "Allow" on the provider's consent page: follow its redirect to our callback."""
            answer = requests.get(url, allow_redirects=False, timeout=10)
            if answer.status_code not in (301, 302, 303):
                raise CommandError(f"The consent page answered {answer.status_code}")
            return answer.headers["Location"]

        connect_via_redirect(link=link, provider="xero", actor=admin, follow=browser)
        tenant = xero_organisations_list(link=link)[0]
        xero_organisation_choose(link=link, tenant_id=tenant["tenantId"], actor=admin)
        self.say(f"Xero connected: organisation '{link.xero_tenant_name}' chosen from GET /connections")
        connect_via_redirect(link=link, provider="procore", actor=admin, follow=browser)
        # The choose-a-company page's path: a user's token lists its companies without a company id.
        company = next(c for c in procore_companies_list(link=link) if int(c["id"]) == seeded.company_id)
        procore_company_choose(link=link, company_id=int(company["id"]), actor=admin)
        self.say(f"Procore connected: company '{link.procore_company_name}' ({link.procore_company_id}) chosen "
                 "from GET /companies")
        return link

    # ------------------------------------------------------------------ the month
    def play(self, link, users, seeded) -> None:
        from integration.models import EXPORTABLE_MODELS, CostCode, CostItem, CostType, ErpStatus, Vendor
        from integration.services.cost_codes import cost_codes_assign_types
        from integration.services.export import export_link
        from integration.services.pull import pull_link
        from integration.services.queue import records_accept, records_send

        for round_no in range(1, MAX_ROUNDS + 1):
            run = pull_link(link_id=link.pk, trigger="on_demand", actor=users["admin"])
            line = [f"round {round_no}: pull {run.get_status_display().lower()} ({counts_sentence(run.counts).rstrip('.')})"]
            if round_no == 1:
                codes = list(CostCode.objects.filter(link=link, active=True))
                types = list(CostType.objects.filter(link=link, active=True))
                cost_codes_assign_types(cost_codes=codes, cost_types=types, actor=users["admin"])
                items = CostItem.objects.filter(link=link, erp_status=ErpStatus.NOT_SENT)
                sent = records_send(records=list(items), actor=users["pm"])
                vendors = records_send(records=list(Vendor.objects.filter(link=link, erp_status=ErpStatus.NOT_SENT)),
                                       actor=users["pm"])
                line.append(f"pm sends {len(sent.done)} cost items and {len(vendors.done)} companies")
                line.append(self.map_tax_codes(link))
            waiting = [r for model in EXPORTABLE_MODELS
                       for r in model.objects.filter(link=link, erp_status=ErpStatus.READY_TO_EXPORT)]
            if not waiting:
                self.say("; ".join(line) + "; nothing more to accept")
                break
            accepted = records_accept(records=waiting, actor=users["approver"])
            line.append(f"approver accepts {len(accepted.done)}" + (f" ({len(accepted.refused)} refused)" if accepted.refused else ""))
            export = export_link(link_id=link.pk, trigger="on_demand", actor=users["approver"])
            line.append(f"export {export.get_status_display().lower()} ({counts_sentence(export.counts).rstrip('.').lower()})")
            self.say("; ".join(line))

    @staticmethod
    def map_tax_codes(link) -> str:
        """The ERP admin's tax code table (BOOK-3): Procore's NOGST is Xero's NONE; GST stays unmapped, so its
        lines take their account's default GST."""
        from integration.models import TaxCode, TaxCodeMapping

        mapped = 0
        for code in TaxCode.objects.filter(link=link, code="NOGST"):
            mapped += TaxCodeMapping.objects.get_or_create(link=link, tax_code=code, defaults={"xero_tax_type": "NONE", "xero_sales_tax_type": "NONE"})[1]
        return f"admin maps {mapped} Procore tax code (NOGST) to Xero's NONE"

    # ------------------------------------------------------------------ the accountant in Xero
    def accountant(self, link, seeded) -> None:
        from integration.models import OwnerInvoice, Project, SubcontractorInvoice
        from integration.services.connections import xero_client_for

        xero = xero_client_for(link)
        start, end = seeded.period
        pay_day = end + dt.timedelta(days=20)
        key = f"demo-{link.pk}"
        bills = list(SubcontractorInvoice.objects.filter(link=link).exclude(xero_id="").order_by("procore_id"))
        sales = list(OwnerInvoice.objects.filter(link=link).exclude(xero_id="").order_by("procore_id"))
        docs = {d["InvoiceID"]: d for d in xero.find_invoices(ids=[b.xero_id for b in bills + sales])} \
            if bills or sales else {}
        drafts = [{"InvoiceID": i, "Status": "AUTHORISED"} for i, d in docs.items() if d["Status"] in ("DRAFT", "SUBMITTED")]
        if drafts:
            xero.update_invoices(drafts, idempotency_key=f"{key}-approve")
        self.say(f"approves {len(drafts)} bills and invoices exported from Procore")
        due = {d["InvoiceID"]: Decimal(str(d.get("AmountDue") or d.get("Total") or 0)) for d in docs.values()}
        bank = {"Code": "090"}

        def payment(doc_id: str, amount: Decimal, reference: str, day: dt.date) -> dict:
            return {"Invoice": {"InvoiceID": doc_id}, "Account": bank, "Date": day.isoformat(),
                    "Amount": amount.quantize(Decimal("0.01")), "Reference": reference}

        full = [payment(b.xero_id, due[b.xero_id], f"EFT {b.invoice_number}", pay_day) for b in bills[:8]]
        partial = [payment(b.xero_id, (due[b.xero_id] / 2), f"Part payment {b.invoice_number}", pay_day)
                   for b in bills[8:11]]
        batch = [payment(b.xero_id, due[b.xero_id], "Batch 2 - supplier run", pay_day + dt.timedelta(days=1))
                 for b in bills[11:15]]
        received = [payment(s.xero_id, due[s.xero_id], f"Progress claim {s.invoice_number}", pay_day) for s in sales[:1]]
        made = []
        for n, group in enumerate((full, partial, batch, received)):
            if group:
                for result in xero.create_payments(group, idempotency_key=f"{key}-pay-{n}"):
                    if result.ok:
                        made.append(result.document)
                    else:
                        self.say(f"   Xero refused a payment: {'; '.join(result.errors)[:200]}")
        self.say(f"pays {len(full)} bills in full, {len(partial)} in part, a batch of {len(batch)} in one supplier "
                 f"run, and receives {len(received)} owner payment(s)")
        self.deleted_payment = made[0]["PaymentID"] if made else None

        options = {p.pk: p.xero_option_name for p in Project.objects.filter(link=link).exclude(xero_id="")}
        projects = list(Project.objects.filter(link=link).exclude(xero_id="").order_by("project_number"))
        category = link.project_tracking_category or "Project"

        def tracked(project) -> list[dict]:
            return [{"Name": category, "Option": options[project.pk]}]

        from integration.models import CostItem

        items = {}
        for item in CostItem.objects.filter(link=link).exclude(xero_id="").select_related("cost_code", "cost_type"):
            items[(item.cost_code.code, item.cost_type.code)] = item.item_code
        from integration.models import Vendor

        vendors = {v.name: v.xero_id for v in Vendor.objects.filter(link=link).exclude(xero_id="")}
        own = {r.document["Name"]: r.document["ContactID"] for r in xero.create_contacts(
            [{"Name": "Bunnings Trade"}], idempotency_key=f"{key}-contacts") if r.ok}
        contacts = {**own, **vendors}
        if len(projects) >= 2 and items and len(contacts) > 4:
            a, b = projects[0], projects[1]

            def line(desc, code, amount, project):
                return {"Description": desc, "Quantity": Decimal("1"), "UnitAmount": Decimal(amount), "AccountCode": "310",
                        "ItemCode": items[code], "Tracking": tracked(project)}

            spend = xero.create_bank_transactions([
                {"Type": "SPEND", "Contact": {"ContactID": contacts["Totara Timber Supplies"]}, "BankAccount": bank,
                 "Date": (end - dt.timedelta(days=3)).isoformat(), "Reference": "Card 4471", "Status": "AUTHORISED",
                 "LineItems": [line("Fixings and sealant", ("06-100", "M"), "412.60", a)]},
                {"Type": "SPEND", "Contact": {"ContactID": contacts["Manukau Earthmovers"]}, "BankAccount": bank,
                 "Date": (end - dt.timedelta(days=1)).isoformat(), "Reference": "Fuel card", "Status": "AUTHORISED",
                 "LineItems": [line("Plant fuel and consumables", ("02-300", "M"), "286.40", a),
                               line("Plant fuel and consumables", ("02-300", "M"), "143.20", b)]},
            ], idempotency_key=f"{key}-spend")
            credit = xero.create_credit_notes([
                {"Type": "ACCPAYCREDIT", "Contact": {"ContactID": contacts["Tui Drywall & Linings"]},
                 "Date": (end - dt.timedelta(days=2)).isoformat(), "CreditNoteNumber": "PM-CR-2231",
                 "Status": "AUTHORISED", "LineItems": [line("Returned plasterboard", ("09-200", "M"), "640.00", b)]},
            ], idempotency_key=f"{key}-credit")
            two = xero.create_invoices([
                {"Type": "ACCPAY", "Contact": {"ContactID": contacts["Manukau Earthmovers"]},
                 "Date": (end - dt.timedelta(days=5)).isoformat(), "DueDate": pay_day.isoformat(),
                 "InvoiceNumber": "ME-88412", "Status": "AUTHORISED",
                 "LineItems": [line("Excavator hire", ("02-300", "S"), "3200.00", a),
                               line("Excavator hire", ("02-300", "S"), "1850.00", b)]},
                {"Type": "ACCPAY", "Contact": {"ContactID": contacts["Bunnings Trade"]},
                 "Date": (end - dt.timedelta(days=4)).isoformat(), "DueDate": pay_day.isoformat(),
                 "InvoiceNumber": "BT-20931", "Status": "AUTHORISED",
                 "LineItems": [{"Description": "Office supplies (no project)", "Quantity": Decimal("1"),
                                "UnitAmount": Decimal("219.90"), "AccountCode": "429"}]},
            ], idempotency_key=f"{key}-bills")
            ok = sum(r.ok for r in spend) + sum(r.ok for r in credit) + sum(r.ok for r in two)
            self.say(f"enters {len(spend)} spend money transactions tracked to projects, a supplier credit note, "
                     f"a bill tracked to two projects and one bill without tracking ({ok} accepted by Xero)")
            for result in [*spend, *credit, *two]:
                if not result.ok:
                    self.say(f"   Xero refused one: {'; '.join(result.errors)[:200]}")

    def imports(self, link, admin) -> None:
        try:
            from integration.services.imports import import_job_costs, import_payments
        except ImportError as exc:  # a colleague's import services are not there yet
            self.say(f"the import services are not available ({exc}); skipped")
            return
        run = import_payments(link=link, actor=admin)
        self.say(f"payments: {run.get_status_display().lower()}: {counts_sentence(run.counts)}")
        if getattr(self, "deleted_payment", None):
            from integration.services.connections import xero_client_for

            xero_client_for(link).delete_payment(self.deleted_payment, idempotency_key=f"demo-{link.pk}-delete")
            run = import_payments(link=link, actor=admin)
            self.say(f"the accountant deletes one payment in Xero; payments again: {run.get_status_display().lower()}: "
                     f"{counts_sentence(run.counts)}")
        run = import_job_costs(link=link, actor=admin)
        self.say(f"job costs: {run.get_status_display().lower()}: {counts_sentence(run.counts)}")
        for problem in [*run.errors][:5]:
            self.say(f"   {problem.get('label') or ''}: {problem.get('message')}")

    # ------------------------------------------------------------------ summary
    def summary(self, link, seeded) -> None:
        from integration.models import (
            EXPORTABLE_MODELS,
            DirectCost,
            ErpStatus,
            Payment,
            SubcontractorInvoice,
            UnsyncableTransaction,
        )

        self.stdout.write(self.style.MIGRATE_HEADING("\nWhat went where"))
        self.stdout.write(f"  {'Procore → Xero':<26}{'pulled':>8}{'in Xero':>9}{'waiting':>9}{'refused':>9}")
        reasons: list[str] = []
        for model in EXPORTABLE_MODELS:
            rows = model.objects.filter(link=link)
            synced = rows.filter(erp_status=ErpStatus.SYNCED).count()
            waiting = rows.filter(erp_status__in=[ErpStatus.READY_TO_EXPORT, ErpStatus.EXPORTING]).count()
            refused = rows.exclude(erp_status__in=[ErpStatus.SYNCED, ErpStatus.READY_TO_EXPORT, ErpStatus.EXPORTING])
            label = str(model._meta.verbose_name_plural)
            self.stdout.write(f"  {label:<26}{rows.count():>8}{synced:>9}{waiting:>9}{refused.count():>9}")
            for record in refused.exclude(erp_message=""):
                reasons.append(f"{model._meta.verbose_name} {record}: {record.erp_message}")
        self.stdout.write(f"\n  {'Xero → Procore':<26}{'created':>8}{'voided':>9}{'failed':>9}")
        for direction, label in ((Payment.Direction.ISSUED, "payments issued"),
                                 (Payment.Direction.RECEIVED, "payments received")):
            payments = Payment.objects.filter(link=link, direction=direction)
            self.stdout.write(f"  {label:<26}{payments.exclude(status=Payment.Status.VOIDED).count():>8}"
                              f"{payments.filter(status=Payment.Status.VOIDED).count():>9}"
                              f"{payments.filter(status=Payment.Status.FAILED).count():>9}")
        costs = DirectCost.objects.filter(link=link)
        removed = costs.filter(removed=True).count() if hasattr(DirectCost, "removed") else 0
        unsyncable = UnsyncableTransaction.objects.filter(link=link)
        self.stdout.write(f"  {'direct costs':<26}{costs.count() - removed:>8}{removed:>9}{unsyncable.count():>9}")
        for doc in unsyncable:
            reasons.append(f"Xero {doc.document_type} {doc.reference or doc.contact_name}: {doc.reason}")
        release = SubcontractorInvoice.objects.filter(link=link, invoice_number=seeded.release_invoice).first() \
            if seeded.release_invoice else None
        if release is not None and release.xero_id:  # RET-1
            self.stdout.write(f"\n  Retention release: bill {release.invoice_number} releases {release.retainage_released:,} "
                              "of retainage to Retentions Payable")
        credit = SubcontractorInvoice.objects.filter(link=link, invoice_number=seeded.negative_invoice).first() \
            if getattr(seeded, "negative_invoice", "") else None
        if credit is not None and credit.xero_credit_note:  # CRED-1
            self.stdout.write(f"  Credit note: invoice {credit.invoice_number} ({credit.total:,}) is a supplier credit note "
                              f"in Xero. {credit.credit_allocation}")
        backup = SubcontractorInvoice.objects.filter(link=link, invoice_number=seeded.backup_invoice).first() \
            if seeded.backup_invoice else None
        foreign = SubcontractorInvoice.objects.filter(link=link, invoice_number=seeded.foreign_invoice).first() \
            if seeded.foreign_invoice else None
        if foreign is not None and foreign.xero_id:  # BOOK-3, BOOK-7
            from integration.services.connections import xero_client_for

            bill = xero_client_for(link).get_invoice(foreign.xero_id)
            taxed = sorted({str(li.get("TaxType")) for li in bill["LineItems"] if li.get("ItemCode") != link.retainage_item_code})
            self.stdout.write(f"  Currency and tax: bill {foreign.invoice_number} is in {bill['CurrencyCode']} in Xero "
                              f"(SubTotal {bill['SubTotal']:,}); its lines on Procore tax code NOGST go as TaxType "
                              f"{', '.join(taxed)}, tax {bill['TotalTax']:,}")
        if backup is not None:  # ATT-1
            attached = backup.files.filter(status="attached").count()
            self.stdout.write(f"  Backup: bill {backup.invoice_number} has {attached} of its {backup.files.count()} "
                              "files attached in Xero")
            for file in backup.files.exclude(status="attached"):
                self.stdout.write(f"   - {file.filename}: {file.get_status_display()}. {file.reason}".rstrip())
        if reasons:
            self.stdout.write("\n  Refused, and why:")
            for reason in reasons:
                self.stdout.write(f"   - {reason}")

    # ------------------------------------------------------------------ serve
    def serve(self, host: str, port: int) -> None:
        env = dict(os.environ)
        # Its own process group, so stopping it reaches every worker the cluster forked.
        cluster = subprocess.Popen([sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"], env=env,
                                   start_new_session=True)
        self.say(f"django-q2 cluster started (pid {cluster.pid})")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            stop_cluster(cluster)
