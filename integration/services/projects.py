"""Projects already in Xero (PRJ-3): refresh their cost codes from Procore."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from integration.models import ErpStatus, Project, SyncRun
from integration.services.audit import person_name
from integration.services.status import TransitionRefused, apply_transition, lock_record


def project_refresh_cost_codes(*, project: Project, actor) -> SyncRun:
    """PRJ-3: re-read the project's cost codes from Procore; a project already in Xero then goes to
    `ready_to_update`, to be re-exported when an approver accepts it."""
    if not isinstance(actor, str) and not actor.has_perm("integration.manage_erp"):
        raise PermissionDenied(f"{person_name(actor)} may not refresh a project's cost codes: only ERP Admins can.")
    if not project.procore_id:
        raise TransitionRefused(f"Project {project} has no Procore id to refresh from.")
    from integration.services.pull import pull_record

    run = pull_record(link_id=project.link_id, resource_name="cost codes", resource_id=project.procore_id,
                      project_id=project.procore_id, trigger=SyncRun.Trigger.ON_DEMAND, actor=actor)
    if run.status == SyncRun.Status.SUCCEEDED:
        with transaction.atomic():
            project = lock_record(project)
            if project.erp_status == ErpStatus.SYNCED:
                apply_transition(project, "changed_in_procore", actor=actor,
                                 message=f"Cost codes refreshed from Procore ({project.cost_code_count} on the project).",
                                 update_fields={"export_version": project.export_version + 1})
    return run
