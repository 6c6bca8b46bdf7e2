"""Resolving drift (DRIFT-2) and no silent overwrite of an accountant's edit (DRIFT-3)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from integration.models import AuditEvent, ErpStatus
from integration.roles import ACCOUNTING_APPROVER, STANDARD
from integration.services import queue
from integration.services.connections import xero_client_for
from integration.services.drift_moves import (
    record_accept_xero,
    record_reexport,
    reexport_preview,
    xero_versions,
)
from integration.services.reconcile import reconcile_link
from integration.services.status import TransitionRefused, apply_transition, lock_record
from tests.factories import UserFactory

from .conftest import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(db):
    return UserFactory(username="alex", role=ACCOUNTING_APPROVER)


@pytest.fixture
def standard(db):
    return UserFactory(username="sam", role=STANDARD)


@pytest.fixture
def drifted(exported, accountant):
    """R-1 voided and R-2 edited from 500 to 55 in Xero, both out_of_sync after a reconcile."""
    world, r1, r2 = exported
    accountant.void_bill(r1.xero_id)
    accountant.set_line_amount(r2.xero_id, 1, "55.00")
    reconcile_link(link_id=world.link.pk)
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.erp_status == r2.erp_status == ErpStatus.OUT_OF_SYNC
    return world, r1, r2


def test_accept_xeros_version(drifted, approver, standard):
    """DRIFT-2: Accept Xero's version puts the record back to synced with the accepted differences
    audited; the next reconcile compares with what Xero held then, so it stays synced. Refused to a
    Standard user and for a voided bill (that one is unlinked)."""
    world, r1, r2 = drifted
    with pytest.raises(PermissionDenied):
        record_accept_xero(record=r2, actor=standard)
    with pytest.raises(TransitionRefused, match="voided in Xero. Unlink it instead"):
        record_accept_xero(record=r1, actor=approver)
    record_accept_xero(record=r2, actor=approver)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.SYNCED and r2.erp_message == "" and r2.xero_drift == ""
    event = AuditEvent.objects.get(object_id=r2.pk, content_type__model="subcontractorinvoice", action="accept_xero")
    assert event.actor == approver and "line 1 amount 500.00 → 55.00" in event.message
    reconcile_link(link_id=world.link.pk, full=True)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.SYNCED


def test_reexport_from_procore_shows_the_change_then_restores_xero(drifted, approver, standard, sandboxes):
    """DRIFT-2: Re-export from Procore shows the exact change, then the export updates the bill in Xero
    back to Procore's 500.00. Refused to a Standard user; refused once Xero holds payments on the bill."""
    world, r1, r2 = drifted
    assert reexport_preview(r2) == ["line 1 unit price 55.00 → 500.00", "line 1 amount 55.00 → 500.00"]
    with pytest.raises(PermissionDenied):
        record_reexport(record=r2, actor=standard)
    with pytest.raises(TransitionRefused, match="voided in Xero"):
        record_reexport(record=r1, actor=approver)
    record_reexport(record=r2, actor=approver)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.EXPORTING
    event = AuditEvent.objects.get(object_id=r2.pk, content_type__model="subcontractorinvoice", action="reexport")
    assert "line 1 amount 55.00 → 500.00" in event.message
    export(world.link)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.SYNCED
    bill = xero_client_for(world.link).get_invoice(r2.xero_id)
    assert bill["LineItems"][0]["LineAmount"] == Decimal("500.00") and bill["Status"] == "AUTHORISED"
    reconcile_link(link_id=world.link.pk)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.SYNCED


def test_reexport_refused_when_xero_holds_payments(exported, accountant, approver):
    """DRIFT-2: Xero refuses edits of a bill with payments (api/xero.md §10.8): the re-export is refused
    with the reason and changes nothing."""
    world, r1, r2 = exported
    accountant.set_line_amount(r2.xero_id, 1, "400.00")
    accountant.pay(r2.xero_id, "100.00")
    reconcile_link(link_id=world.link.pk)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.OUT_OF_SYNC
    with pytest.raises(TransitionRefused, match="payments applied in Xero"):
        record_reexport(record=r2, actor=approver)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.OUT_OF_SYNC


def test_unlink_a_voided_bill(drifted, approver, standard, sandboxes):
    """DRIFT-2, SYNC-7: a bill voided in Xero is unlinked by the approver through the unlink rule
    (Xero is asked again); Procore's origin_id is cleared. Refused to a Standard user; an edited (not
    voided) bill cannot be unlinked."""
    world, r1, r2 = drifted
    with pytest.raises(PermissionDenied):
        queue.record_unlink(record=r1, actor=standard)
    with pytest.raises(TransitionRefused, match="Delete or void it in Xero first"):
        queue.record_unlink(record=r2, actor=approver)
    queue.record_unlink(record=r1, actor=approver)
    r1.refresh_from_db()
    assert r1.erp_status == ErpStatus.UNLINKED and r1.xero_id == ""
    assert not sandboxes.procore.get_record("requisition", r1.procore_id).get("origin_id")


def test_bulk_accept_never_overwrites_a_xero_edit(exported, accountant, approver):
    """DRIFT-3: R-2 changed in Procore (ready_to_update) and was edited in Xero: the preview shows the
    three versions, a bulk accept holds it back and names it, and only an explicit overwrite accepts it."""
    world, r1, r2 = exported
    for record in (r1, r2):
        with transaction.atomic():
            apply_transition(lock_record(record), "changed_in_procore", actor="system: pull")
    accountant.set_line_amount(r2.xero_id, 1, "55.00")
    reconcile_link(link_id=world.link.pk)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.READY_TO_UPDATE and "line 1 amount 500.00 → 55.00" in r2.xero_drift
    rows = {field: (now, sent, new) for field, now, sent, new in xero_versions(r2).rows}
    assert rows["line 1 amount"] == ("55.00", "500.00", "500.00")

    result = queue.records_accept(records=[r1, r2], actor=approver)
    assert [r.pk for r in result.done] == [r1.pk]
    [(held, reason)] = result.refused
    assert held.pk == r2.pk and "was edited in Xero since its last export" in reason and "55.00" in reason
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.READY_TO_UPDATE

    queue.record_accept(record=r2, actor=approver, overwrite_xero_edit=True)
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.EXPORTING
    event = AuditEvent.objects.get(object_id=r2.pk, content_type__model="subcontractorinvoice", action="accept")
    assert event.message.startswith("Overwriting Xero's edit: line 1 amount 500.00 → 55.00")


def test_the_desk_shows_drift_and_resolves_it_in_one_click(drifted, approver, client):
    """DRIFT-2, DRIFT-3: the record's page names the difference, shows Xero's version beside what was sent,
    offers the three moves and "Check against Xero"; the queue's re-export shows the change before sending."""
    from django.urls import reverse

    world, r1, r2 = drifted
    client.force_login(approver)
    page = reverse("admin:integration_subcontractorinvoice_change", args=[r2.pk])
    html = client.get(page).content.decode()
    for text in ("Accept Xero&#x27;s version", "Re-export from Procore", "Check against Xero",
                 "What Xero holds now", "line 1 amount 500.00 → 55.00"):
        assert text in html, text
    changelist = reverse("admin:integration_subcontractorinvoice_changelist")
    answer = client.post(changelist, {"action": "reexport_selected", "_selected_action": [r2.pk]})
    assert "line 1 amount 55.00 → 500.00" in answer.content.decode()
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.OUT_OF_SYNC  # nothing sent before the confirmation
    client.post(page, {"_erp_action": "accept_xero"})
    r2.refresh_from_db()
    assert r2.erp_status == ErpStatus.SYNCED
