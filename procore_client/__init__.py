"""A plain Python client of Procore's REST API (no Django), and ``sandbox/``: a fake Procore.

Sources: ``../shared/docs/api/procore.md`` and the OAS extracts in ``../shared/specs/procore``.

Setup::

    oauth = ProcoreOAuth(client_id, client_secret, login_url=PROCORE_LOGIN_URL, redirect_uri=...)
    client = ProcoreClient(api_url=PROCORE_API_URL, company_id=123, oauth=oauth, token_store=store)

``OAuthToken``/``TokenStore``/``MemoryTokenStore``: see ``auth``. A stale token (expiring within
60 s, or answered 401 once) is refreshed under ``store.lock()``: re-read, refresh only if still
stale, save, then use (CONN-3). ``InvalidGrant`` means the link needs a reconnect.

Generic calls (paths may be ``vendors`` → ``/rest/v1.0/vendors``, or a full ``/rest/v1.1/...``):
``get(path, params)``, ``post(path, body)``, ``patch(path, body)``, ``delete(path)``,
``iter_pages(path, params, updated_since=, per_page=)``, ``list_all(...)``,
``sync(path, updates, **scope) -> SyncResult(entities, errors)``, ``request(...)`` (raw answer).
Every answer is normalised: money/quantities → ``Decimal``, ``*_at`` → aware ``datetime``,
``*_date``/``date`` → ``date``, ids → ``int`` (v2.0 string ids too), ``origin_id`` stays a string.

Typed methods (``resources.ResourcesMixin``), all returning dicts/lists of dicts:
  companies(), me()
  list_vendors(updated_since=, include_inactive=True, origin_id=), get_vendor, create_vendor,
    update_vendor, sync_vendors, reactivate_vendor, set_vendor_origin_id, clear_vendor_origin_id
  list_projects(updated_since=, include_inactive=True, origin_id=, stage_ids=) [v1.1],
    get_project, create_project, update_project, sync_projects, set/clear_project_origin_id
  list_project_stages(), create_project_stage(name, category)
  list_standard_cost_code_lists(), list_standard_cost_codes(list_id), list_line_item_types(),
    sync_line_item_types(updates), list_project_cost_codes(project_id)
  list_commitments(project_id, kind, updated_since=, status=, origin_id=) with kind
    "work_order_contract" | "purchase_order_contract"; get_commitment(project_id, kind, id)
    (header + line_items[] + payments_issued[]), list_commitment_line_items, update_commitment,
    set/clear_commitment_origin_id; list_/get_work_order_contract(s), list_/get_purchase_order_contract(s)
  list_commitment_change_orders(project_id, updated_since=, contract_id=, status=),
    get_commitment_change_order(project_id, id, with_line_items=True),
    list_commitment_change_order_line_items(project_id, id) [v2.0]
  list_requisitions(project_id, updated_since=, commitment_id=, status=, origin_id=, with_items=True)
    [v1.1, items[] + summary{}], get_requisition, update_requisition, set/clear_requisition_origin_id
  list_contract_payments(project_id, contract_id), get_contract_payment, create_contract_payment,
    update_contract_payment, delete_contract_payment, set/clear_contract_payment_origin_id
  list_direct_costs(project_id, updated_since=, origin_id=, invoice_number=) [v1.1],
    get_direct_cost (with line_items[]), create_direct_cost, update_direct_cost, delete_direct_cost,
    set/clear_direct_cost_origin_id
  list_prime_contracts(project_id), get_prime_contract, list_prime_contract_line_items(project_id, id)
    (tax_code_id per line), list_payment_applications(project_id,
    prime_contract_id=) (headers), get_payment_application(project_id, id) (header + line_items[]
    {id, item_number, description_of_work, cost_code, line_item_type, wbs_code, scheduled_value,
    work_completed_this_period, materials_presently_stored, *_retainage_retained_this_period, ...};
    UNCONFIRMED shape, see its docstring)
  create_webhook_hook(url, namespace=, authorization=), list_webhook_hooks, delete_webhook_hook,
    create_webhook_trigger(hook_id, resource_name, event_type), list_webhook_triggers,
    delete_webhook_trigger

Limits (REL-1, REL-2): ``X-Rate-Limit-*`` are read after every answer and the client slows down
before the window is spent; 429 waits for the reset; 503 honours ``Retry-After``; timeouts,
connection errors and 500/502/504 are retried with exponential backoff and jitter — except a POST,
which may have been committed: it raises ``TransientError(committed_unknown=True)`` instead.

Errors: ``procore_client.errors``. Webhooks: ``procore_client.webhooks``.
"""

from .answers import SyncResult
from .auth import REFRESH_MARGIN_SECONDS, MemoryTokenStore, OAuthToken, ProcoreOAuth, TokenStore
from .client import ProcoreClient
from .errors import (
    AuthError,
    InvalidGrant,
    MalformedResponse,
    NotFound,
    ProcoreError,
    RateLimited,
    TransientError,
    Unprocessable,
)
from .limits import RateLimitState

__all__ = [
    "REFRESH_MARGIN_SECONDS",
    "AuthError",
    "InvalidGrant",
    "MalformedResponse",
    "MemoryTokenStore",
    "NotFound",
    "OAuthToken",
    "ProcoreClient",
    "ProcoreError",
    "ProcoreOAuth",
    "RateLimitState",
    "RateLimited",
    "SyncResult",
    "TokenStore",
    "TransientError",
    "Unprocessable",
]
