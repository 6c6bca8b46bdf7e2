"""On-demand syncs from the admin (PAY-5, JC-9, RPT-4): the same tasks the schedules run, queued now,
for the whole link, one project ("get direct invoices for project #") or one contact."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction

from integration.models import CompanyLink, Project
from integration.services.audit import audit_record, person_name

SYNCS = {
    "pull": "Pull Procore now",
    "export": "Export accepted records now",
    "payments": "Sync payments for synced invoices",
    "job_costs": "Sync job costs",
    "contacts": "Import contacts of the Xero group",
    "reconcile": "Check every synced record against Xero",
}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class SyncRequestRefused(ValueError):
    """The request names something that is not there; nothing was queued."""


def allowed(actor, what: str) -> bool:
    if actor.has_perm("integration.manage_erp"):
        return True
    # The seed: accounting approvers may also run the payment sync on demand.
    # Checking against Xero only reads Xero and flags drift: approvers may ask for it too (DRIFT-1).
    return what in ("payments", "reconcile") and actor.has_perm("integration.push_to_accounting")


def link_sync_request(*, link: CompanyLink, what: str, actor, project_number: str = "", contact_id: str = "") -> str:
    """Queue one sync for the link; returns what was queued, in words. Bad input changes nothing."""
    if what not in SYNCS:
        raise SyncRequestRefused(f"Unknown sync '{what}'.")
    if not allowed(actor, what):
        raise PermissionDenied(f"{person_name(actor)} may not run '{SYNCS[what]}': only ERP Admins can.")
    project_number, contact_id = (project_number or "").strip(), (contact_id or "").strip()
    project = None
    if project_number:
        if what != "job_costs":
            raise SyncRequestRefused("A project number only narrows the job cost sync.")
        project = Project.objects.filter(link=link, project_number=project_number).first()
        if project is None:
            raise SyncRequestRefused(f"No project with job number '{project_number}' on {link}.")
        if not project.xero_id:
            raise SyncRequestRefused(f"Project {project} is not in Xero yet: it has no job costs to get.")
    if contact_id:
        if what not in ("job_costs", "contacts"):
            raise SyncRequestRefused("A contact only narrows the job cost or the contacts sync.")
        if not GUID.match(contact_id):
            raise SyncRequestRefused(f"'{contact_id}' is not a Xero ContactID (a GUID).")
    with transaction.atomic():
        if what == "export":
            from integration.services.dispatch import enqueue_export

            transaction.on_commit(lambda: enqueue_export(link_id=link.pk))
        elif what == "reconcile":
            from django_q.tasks import async_task

            transaction.on_commit(lambda: async_task("integration.tasks.reconcile_link", link.pk, trigger="on_demand"))
        elif what == "pull":
            from django_q.tasks import async_task

            transaction.on_commit(lambda: async_task("integration.tasks.pull_link", link.pk, trigger="on_demand"))
        else:
            from integration.services.imports.schedules import enqueue_import

            extra = {"project_id": project.pk if project else None} if what == "job_costs" else {}
            if contact_id:
                extra["contact_id"] = contact_id.lower()
            enqueue_import(kind=what, link=link, trigger="on_demand", **extra)
        scope = f" for project {project}" if project else (f" for contact {contact_id}" if contact_id else "")
        message = f"{SYNCS[what]}{scope}: queued."
        audit_record(link, action=f"sync_requested:{what}", actor=actor, message=message, link=link)
    return message
