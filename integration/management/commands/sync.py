"""`python manage.py sync <what> [--link ID]`: run a sync from the command line (RPT-4).

Each subcommand is one handler in ``HANDLERS``: it calls one service and returns the SyncRun(s) it made;
the command prints their counts and errors. Others add theirs (export, payments, job-costs, contacts,
all) with ``register(name, help, handler, add_arguments=None)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from integration.models import CompanyLink, SyncRun


@dataclass(frozen=True)
class Handler:
    help: str
    run: Callable[..., SyncRun]  # run(link=, options=) -> SyncRun
    add_arguments: Callable | None = None


HANDLERS: dict[str, Handler] = {}


def register(name: str, help: str, run: Callable[..., SyncRun], add_arguments: Callable | None = None) -> None:
    HANDLERS[name] = Handler(help=help, run=run, add_arguments=add_arguments)


def _procore(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.pull import pull_link

    resources = options.get("resources") or None
    return pull_link(link_id=link.pk, trigger=SyncRun.Trigger.COMMAND, resources=resources,
                     full=bool(options.get("full")))


def _procore_arguments(parser) -> None:
    from integration.services.pull import RESOURCES

    parser.add_argument("--full", action="store_true",
                        help="Read everything, not only what changed (finds records deleted in Procore).")
    parser.add_argument("--resource", dest="resources", action="append", choices=RESOURCES,
                        help="Only this resource (repeatable).")


register("procore", "Pull Procore's records into the connector (what changed since the last run).", _procore,
         _procore_arguments)



def _export(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.export import export_link

    return export_link(link_id=link.pk, trigger=SyncRun.Trigger.COMMAND)


register("export", "Export to Xero what is accepted now (SYNC-8).", _export)


# -- imports from Xero (issue 6) ---------------------------------------------------------------------
def _project_for(link: CompanyLink, options: dict):
    from integration.models import Project

    number = options.get("project")
    if not number:
        return None
    project = Project.objects.filter(link=link, project_number=number).first()
    if project is None:
        raise CommandError(f"Link {link.pk} has no project numbered {number!r}.")
    return project


def _payments(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.imports import import_payments

    return import_payments(link=link, trigger=SyncRun.Trigger.COMMAND, full=bool(options.get("full")))


def _job_costs(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.imports import import_job_costs

    return import_job_costs(link=link, trigger=SyncRun.Trigger.COMMAND, project=_project_for(link, options),
                            full=bool(options.get("full")))


def _contacts(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.imports import import_contacts

    return import_contacts(link=link, trigger=SyncRun.Trigger.COMMAND)


def _all_imports(*, link: CompanyLink, options: dict) -> list[SyncRun]:
    """Contacts first (vendors the costs need), then job costs, then payments."""
    return [_contacts(link=link, options=options), _job_costs(link=link, options=options),
            _payments(link=link, options=options)]


def _full_argument(parser) -> None:
    parser.add_argument("--full", action="store_true", help="Read everything from Xero, not only what changed.")


def _project_arguments(parser) -> None:
    _full_argument(parser)
    parser.add_argument("--project", metavar="NUMBER",
                        help='Only documents tracked to this project (its job number): "get direct invoices for project #".')


register("payments", "Xero bill and invoice payments → Procore payments issued/received (PAY-1..6).", _payments,
         _full_argument)
register("job-costs", "Xero bills, spend money, credit notes and journals → Procore direct costs (JC-1..9).",
         _job_costs, _project_arguments)
register("contacts", "Contacts of the Xero 'Procore' contact group → Procore vendors (CO-2).", _contacts)
register("all", "Every import from Xero: contacts, job costs, payments.", _all_imports, _project_arguments)


def _reconcile(*, link: CompanyLink, options: dict) -> SyncRun:
    from integration.services.reconcile import reconcile_link

    return reconcile_link(link_id=link.pk, trigger=SyncRun.Trigger.COMMAND, full=bool(options.get("full")))


register("reconcile", "Check every synced record against the document Xero holds; drift → out_of_sync (DRIFT-1).",
         _reconcile, _full_argument)

class Command(BaseCommand):
    help = "Run a sync for one link (--link ID) or every active link."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="what", title="what to sync", required=True)
        for name, handler in HANDLERS.items():
            sub = subparsers.add_parser(name, help=handler.help)
            sub.add_argument("--link", type=int, dest="link_id", help="The link's id (default: every active link).")
            if handler.add_arguments is not None:
                handler.add_arguments(sub)

    def handle(self, *args, what, link_id=None, **options):
        handler = HANDLERS.get(what)
        if handler is None:
            raise CommandError(f"Unknown sync {what!r}; known: {', '.join(HANDLERS)}.")
        if link_id is not None:
            links = list(CompanyLink.objects.filter(pk=link_id))
            if not links:
                raise CommandError(f"There is no link {link_id}.")
        else:
            links = list(CompanyLink.objects.filter(is_active=True).order_by("pk"))
            if not links:
                self.stdout.write("No active link.")
                return
        failed = False
        for link in links:
            result = handler.run(link=link, options=options)
            for run in result if isinstance(result, list) else [result]:
                failed |= self.report(link, run)
        if failed:
            raise CommandError("At least one run failed.")

    def report(self, link: CompanyLink, run: SyncRun) -> bool:
        style = {SyncRun.Status.SUCCEEDED: self.style.SUCCESS, SyncRun.Status.PARTIAL: self.style.WARNING}.get(
            run.status, self.style.ERROR)
        self.stdout.write(style(f"{link} (link {link.pk}): {run.get_kind_display()} #{run.pk} "
                                f"{run.get_status_display().lower()}"))
        counts = run.counts or {}
        main = ("read", "created", "updated", "skipped", "failed")
        self.stdout.write("  " + ", ".join(f"{name} {counts.get(name, 0)}" for name in main))
        extra = {k: v for k, v in counts.items() if k not in main and k != "by_model" and v}
        if extra:
            self.stdout.write("  " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in extra.items()))
        if run.message:
            self.stdout.write(f"  {run.message}")
        for error in run.errors or []:
            self.stdout.write(f"  error: {error.get('model')} {error.get('id')} {error.get('label')}: "
                              f"{error.get('message')}")
        return run.status == SyncRun.Status.FAILED
