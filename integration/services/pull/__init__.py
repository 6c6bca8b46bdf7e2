"""The pull: Procore's records of a company link into the connector's models (SYNC-1, SYNC-2, RPT-4).

``pull_link(*, link_id, trigger, actor, resources, full)`` reads every mirrored type, in dependency order:
cost types and the standard cost code list, vendors, projects (and each project's cost codes), then per
project its commitments (work order and purchase order contracts, with their schedule of values), commitment
change orders (with their lines), requisitions (subcontractor invoices, with their items), prime contracts
and payment applications (owner invoices). ``pull_record(...)`` re-reads one record (for a webhook).

One module per resource family, each reading through the run's state (``context.PullRun``):

- ``cost_codes``: cost types, standard cost codes, project cost codes; ``cost_items``: a line's cost item;
- ``company``: vendors and projects; ``commitments``: commitments and change orders;
- ``invoices``: subcontractor invoices; ``owner_invoices``: prime contracts and owner invoices;
- ``project_lists``: reading one project's list; ``cursors``: where each incremental read resumes;
- ``upsert``: storing one record (fields from ``integration.mapping.from_procore``), its lines, removals;
- ``queueing``: what qualifies enters the queue; ``run``: the two services.

Incremental reads (PERF-2): see ``cursors``. Records deleted in Procore are found by the full reads and
marked ``removed_in_procore`` (projects also ``active=False``, vendors ``is_active=False``); never deleted
here. A project's cost codes are read when the project is created or changed, and on full reads (PRJ-3).

Per record: one transaction (row lock, fields, lines matched by Procore id and rebuilt, audit); no network
call inside it. Records whose stored ``procore_updated_at`` equals Procore's are skipped without reading
their details. A content change of a record already in Xero bumps ``export_version``; a synced one goes
to ``ready_to_update`` (status machine, audited). Qualifying records that are ``not_sent`` enter the queue
through ``queue.record_send`` (SYNC-2); a refusal leaves them ``not_sent`` with the reasons in
``erp_message`` and in the run's errors.

Errors (REL-6): a bad record (unknown status, missing commitment, malformed value) is one entry in the
run's errors ``{model, id, label, message}`` and the others land; an ``InvalidGrant`` marks the connection
"needs reconnect" and fails the run; a rate limit that outlives the client's patience defers the run;
nothing raises out of ``pull_link``.
"""

from integration.services.pull.queueing import qualifying
from integration.services.pull.run import RESOURCES, pull_link, pull_record

__all__ = ["RESOURCES", "pull_link", "pull_record", "qualifying"]
