"""Write the Xero id back to Procore as `origin_id`: that is how a record shows as synced there, and
what locks it against edits (SYNC-6, api/procore.md §13). Clearing it unlocks or unlinks."""

from __future__ import annotations

from integration.mapping.from_procore import PROCORE_COMMITMENT_KIND
from integration.services.connections import procore_client_for


def _writer(record):
    model = record._meta.model_name
    if model == "vendor":
        return lambda client, origin: client.set_vendor_origin_id(record.procore_id, origin)
    if model == "project":
        return lambda client, origin: client.set_project_origin_id(record.procore_id, origin)
    if model == "commitment":
        kind = PROCORE_COMMITMENT_KIND[record.kind]
        return lambda client, origin: client.set_commitment_origin_id(record.project.procore_id, kind, record.procore_id, origin)
    if model == "subcontractorinvoice":
        return lambda client, origin: client.set_requisition_origin_id(
            record.project.procore_id, record.procore_id, origin,
            **({"commitment_id": record.commitment.procore_id} if record.commitment_id else {}),
        )
    if model == "ownerinvoice":
        return lambda client, origin: client.set_payment_application_origin_id(
            record.project.procore_id, record.prime_contract.procore_id, record.procore_id, origin)
    # Cost items and change orders: Procore's public API has no origin_id to write for them (api/procore.md
    # §8, unconfirmed for commitment change orders), so they show as synced here only.
    return None


def has_procore_origin(record) -> bool:
    return _writer(record) is not None and bool(record.procore_id)


def set_procore_origin(*, record, origin_id: str | None, client=None) -> bool:
    """Set (or clear, with None) the record's origin_id in Procore. Returns False when the type has none."""
    writer = _writer(record)
    if writer is None or not record.procore_id:
        return False
    writer(client or procore_client_for(record.link), origin_id)
    return True
