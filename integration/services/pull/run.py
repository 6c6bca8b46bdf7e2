"""The two pull services: ``pull_link`` reads a link's every mirrored type, ``pull_record`` re-reads one.

Both open one exclusive run (``RunTracker``: a pull of a link already running defers the new one),
never raise for anything Procore answers (REL-6), and end by queueing what qualifies (SYNC-2).
"""

from __future__ import annotations

from integration.mapping.from_procore import BadRecord
from integration.models import (
    ChangeOrder,
    Commitment,
    CompanyLink,
    OwnerInvoice,
    PrimeContract,
    Project,
    SubcontractorInvoice,
    SyncRun,
    Vendor,
)
from integration.services.connections import NotConnected, procore_client_for
from integration.services.pull.commitments import (
    pull_change_orders,
    pull_commitments,
    store_change_order,
    store_commitment,
)
from integration.services.pull.company import pull_projects, pull_vendors, store_project, store_vendor
from integration.services.pull.context import COUNTS, PullRun, logger
from integration.services.pull.cost_codes import pull_cost_codes, pull_project_cost_codes
from integration.services.pull.cursors import full_read_due
from integration.services.pull.invoices import pull_subcontractor_invoices, store_subcontractor_invoice
from integration.services.pull.owner_invoices import (
    pull_owner_invoices,
    pull_prime_contracts,
    store_owner_invoice,
    store_prime_contract,
)
from integration.services.pull.project_lists import projects_to_read
from integration.services.pull.queueing import queue_qualifying
from integration.services.pull.tax_codes import pull_tax_codes
from integration.services.pull.upsert import has_field, mark_removed
from integration.services.runs import RunTracker, StopRun
from procore_client.enums import COMMITMENT_KINDS
from procore_client.errors import NotFound, ProcoreError

#: Every resource a pull reads, in dependency order (``resources=`` takes a subset).
RESOURCES = (
    "cost_codes", "vendors", "projects", "commitments", "change_orders", "subcontractor_invoices",
    "prime_contracts", "owner_invoices",
)  # fmt: skip
#: The resources read per project, and how.
PROJECT_RESOURCES = {
    "commitments": pull_commitments, "change_orders": pull_change_orders,
    "subcontractor_invoices": pull_subcontractor_invoices, "prime_contracts": pull_prime_contracts,
    "owner_invoices": pull_owner_invoices,
}  # fmt: skip

#: Webhook resource names (api/procore.md §15) and the pull's own names → what ``pull_record`` re-reads.
RECORD_RESOURCES = {
    "company vendors": "vendor", "vendors": "vendor", "vendor": "vendor",
    "projects": "project", "project": "project",
    "work order contracts": "work_order_contract", "work_order_contract": "work_order_contract",
    "purchase order contracts": "purchase_order_contract", "purchase_order_contract": "purchase_order_contract",
    "commitment change orders": "change_order", "change_orders": "change_order", "change_order": "change_order",
    "requisitions": "requisition", "subcontractor_invoices": "requisition", "requisition": "requisition",
    "prime contracts": "prime_contract", "prime_contracts": "prime_contract", "prime_contract": "prime_contract",
    "payment applications": "payment_application", "owner_invoices": "payment_application",
    "payment_application": "payment_application",
    "cost codes": "project_cost_codes", "line item types": "cost_codes", "standard cost codes": "cost_codes",
    "cost_codes": "cost_codes",
}  # fmt: skip

_RECORD_MODELS = {
    "vendor": Vendor, "project": Project, "work_order_contract": Commitment, "purchase_order_contract": Commitment,
    "change_order": ChangeOrder, "requisition": SubcontractorInvoice, "prime_contract": PrimeContract,
    "payment_application": OwnerInvoice, "project_cost_codes": Project,
}  # fmt: skip


def _read_everything(pull: PullRun, resources: tuple[str, ...]) -> None:
    tracker = pull.tracker
    tracker.progress(0, 2 + len(projects_to_read(pull)))
    if "cost_codes" in resources:
        pull_cost_codes(pull)
        pull_tax_codes(pull)
    if "vendors" in resources:
        pull_vendors(pull)
    if "projects" in resources:
        pull_projects(pull)
        for project in projects_to_read(pull, None if pull.full else pull.changed_projects):
            pull_project_cost_codes(pull, project)
    projects = projects_to_read(pull)
    tracker.progress(1, 1 + len(projects))
    scoped = [name for name in PROJECT_RESOURCES if name in resources]
    for done, project in enumerate(projects, start=2):
        for name in scoped:
            if may_hold_records(pull, project, name):
                PROJECT_RESOURCES[name](pull, project)
        tracker.progress(done)


#: The lists whose records all belong to a parent the same project's earlier list reads (PERF-5): a
#: commitment change order is created on its commitment (``contract_id``, required by
#: ``OAS:RestV10ProjectsProjectIdCommitmentChangeOrdersPost``), a requisition on its commitment
#: (``commitment_id``), a payment application under its prime contract
#: (``POST /rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications``).
_PARENTS = {
    "change_orders": (Commitment, ChangeOrder), "subcontractor_invoices": (Commitment, SubcontractorInvoice),
    "owner_invoices": (PrimeContract, OwnerInvoice),
}  # fmt: skip


def may_hold_records(pull: PullRun, project: Project, name: str) -> bool:
    """False when a project's list cannot hold anything: the project has none of the list's parents
    (read just before, this run's new ones included) and the connector keeps none of its records, so
    there is nothing to find and nothing to mark removed. Procore has no call that tells what changed
    in a project (every finance list is scoped to one project and one kind), so this saves the calls
    of the lists that cannot have changed; a skipped list keeps its cursor and is read from it once a
    parent appears."""
    if name not in _PARENTS:
        return True
    parent, model = _PARENTS[name]
    return (parent.objects.filter(link=pull.link, project=project).exists()
            or model.objects.filter(link=pull.link, project=project, removed_in_procore=False).exists())


def _start(link: CompanyLink, trigger: str, actor, parameters: dict) -> RunTracker:
    return RunTracker.start(link=link, kind=SyncRun.Kind.PULL, trigger=trigger, actor=actor, parameters=parameters,
                            counts=COUNTS, exclusive=True)


def pull_link(*, link_id: int, trigger: str = "on_demand", actor=None, resources=None, full: bool = False) -> SyncRun:
    """Pull a link's Procore records into the models (see the package docstring). Returns the SyncRun;
    never raises for anything Procore answers (REL-6)."""
    link = CompanyLink.objects.get(pk=link_id)
    wanted = tuple(r for r in RESOURCES if resources is None or r in set(resources))
    unknown = sorted(set(resources or ()) - set(RESOURCES))
    full = bool(full or (full_read_due(link) and resources is None))
    tracker = _start(link, trigger, actor, {"resources": list(wanted), "full": full})
    if not tracker.running:
        return tracker.run
    if trigger == SyncRun.Trigger.SCHEDULE and link.procore_webhooks and not full and resources is None:
        # PERF-5: with Procore's webhooks on, each event re-reads its record (pull_record); the hourly
        # pull reads nothing and costs no call, and once a day it is the full read that catches what an
        # event missed (a lost delivery, a deleted record).
        return tracker.finish(message="Procore webhooks are on: changes are read as their events arrive; "
                                      "the full read of the daily safety net is not due yet.")
    if unknown:
        return tracker.finish(status=SyncRun.Status.FAILED,
                              message=f"Unknown resources: {', '.join(unknown)}; known: {', '.join(RESOURCES)}.")
    try:
        client = procore_client_for(link)
    except NotConnected as exc:
        return tracker.finish(status=SyncRun.Status.FAILED, message=str(exc))
    pull = PullRun(link=link, tracker=tracker, client=client, full=full)
    try:
        _read_everything(pull, wanted)
        queue_qualifying(pull)
    except StopRun as stop:
        pull.cursors.save()
        return tracker.finish(status=stop.status, message=stop.message, deferred_until=stop.deferred_until)
    except Exception as exc:  # noqa: BLE001 - REL-6: a run reports what broke, it never crashes its caller
        logger.exception("procore pull of link %s failed", link.pk)
        pull.cursors.save()
        return tracker.finish(status=SyncRun.Status.FAILED, message=f"The pull stopped: {type(exc).__name__}: {exc}")
    pull.cursors.save(full_read_done=full)
    counts = tracker.run.counts
    summary = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "by_model" and v)
    return tracker.finish(message=f"Read from Procore: {summary or 'nothing new'}.")


def pull_record(*, link_id: int, resource_name: str, resource_id: int, project_id: int | None = None,
                trigger: str = "webhook", actor=None) -> SyncRun:
    """Re-read one Procore record (a webhook's resource): it is upserted, queued if it qualifies, or
    marked removed when Procore answers 404. ``resource_name`` is a webhook resource name ("Work Order
    Contracts", "Requisitions", "Company Vendors", "Cost Codes"...) or the pull's own name."""
    link = CompanyLink.objects.get(pk=link_id)
    kind = RECORD_RESOURCES.get((resource_name or "").strip().lower())
    tracker = _start(link, trigger, actor, {"resource_name": resource_name, "resource_id": resource_id,
                                            "project_id": project_id})
    if not tracker.running:
        return tracker.run
    if kind is None:
        return tracker.finish(status=SyncRun.Status.FAILED,
                              message=f"Procore resource {resource_name!r} is not mirrored by the connector.")
    try:
        client = procore_client_for(link)
    except NotConnected as exc:
        return tracker.finish(status=SyncRun.Status.FAILED, message=str(exc))
    pull = PullRun(link=link, tracker=tracker, client=client, full=False)
    try:
        resource_id = int(resource_id)
        project = _record_project(link, kind, resource_id, project_id)
        if kind == "cost_codes":
            pull_cost_codes(pull)
        elif kind == "project_cost_codes":
            if project is None:
                raise BadRecord("a project's cost codes need the project id")
            pull_project_cost_codes(pull, project)
        else:
            _read_one(pull, kind, resource_id, project)
        queue_qualifying(pull)
    except StopRun as stop:
        return tracker.finish(status=stop.status, message=stop.message, deferred_until=stop.deferred_until)
    except NotFound:
        _mark_one_removed(pull, kind, resource_id)
    except (BadRecord, ProcoreError, TypeError, ValueError) as exc:
        pull.count(kind, "failed")
        pull.error(kind, resource_id, f"{resource_name} {resource_id}", str(exc))
    except Exception as exc:  # noqa: BLE001 - REL-6
        logger.exception("procore pull of one record failed (link %s)", link.pk)
        return tracker.finish(status=SyncRun.Status.FAILED, message=f"The pull stopped: {type(exc).__name__}: {exc}")
    return tracker.finish(message=f"Re-read {resource_name} {resource_id}.")


def _record_project(link: CompanyLink, kind: str, resource_id: int, project_id: int | None) -> Project | None:
    if kind in ("vendor", "project", "cost_codes"):
        return None
    if project_id is not None:
        project = Project.objects.filter(link=link, procore_id=int(project_id)).first()
        if project is None:
            raise BadRecord(f"project {project_id} is not in the connector yet: run a pull first")
        return project
    if kind == "project_cost_codes":
        return Project.objects.filter(link=link, procore_id=resource_id).first()
    model = _RECORD_MODELS[kind]
    record = model.objects.filter(link=link, procore_id=resource_id).select_related("project").first()
    if record is None:
        raise BadRecord("the record is not in the connector yet and no project id was given")
    return record.project


def _read_one(pull: PullRun, kind: str, resource_id: int, project: Project | None) -> None:
    client = pull.client
    if kind == "vendor":
        data = pull.call("a vendor", client.get_vendor, resource_id)
        pull.read()
        store_vendor(pull, data)
    elif kind == "project":
        data = pull.call("a project", client.get_project, resource_id)
        pull.read()
        outcome = store_project(pull, data)
        if outcome is not None:
            pull_project_cost_codes(pull, outcome.record)
    elif kind in COMMITMENT_KINDS:
        data = pull.call("a commitment", client.get_commitment, project.procore_id, kind, resource_id)
        pull.read()
        store_commitment(pull, project, kind, data)
    elif kind == "change_order":
        data = pull.call("a change order", client.get_commitment_change_order, project.procore_id, resource_id,
                         with_line_items=True)
        pull.read()
        store_change_order(pull, project, data)
    elif kind == "requisition":
        data = pull.call("an invoice", client.get_requisition, project.procore_id, resource_id)
        pull.read()
        store_subcontractor_invoice(pull, project, data)
    elif kind == "prime_contract":
        data = pull.call("a prime contract", client.get_prime_contract, project.procore_id, resource_id)
        pull.read()
        store_prime_contract(pull, project, data)
    elif kind == "payment_application":
        data = pull.call("an owner invoice", client.get_payment_application, project.procore_id, resource_id)
        pull.read()
        store_owner_invoice(pull, project, data)


def _mark_one_removed(pull: PullRun, kind: str, resource_id: int) -> None:
    model = _RECORD_MODELS.get(kind)
    if model is None or not has_field(model, "removed_in_procore"):
        return
    mark_removed(pull, model, model.objects.filter(link=pull.link, procore_id=resource_id))
