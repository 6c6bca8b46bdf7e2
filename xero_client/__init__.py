"""xero_client: a careful client of Xero's Accounting API, and a strict fake of it (`xero_client.sandbox`).

No Django here: the caller passes URLs, credentials and a token store. Read api/xero.md first.

Public API
----------
- `XeroOAuth(client_id, client_secret, *, login_url, identity_url, api_url, redirect_uri=None,
  scopes="granular"|"broad"|[...], session=None, timeout=30)`:
  `authorization_url(state)`, `exchange_code(code) -> OAuthToken`, `refresh(token) -> OAuthToken`,
  `revoke(token)`, `connections(token) -> list[dict]`.
- `OAuthToken`, the `TokenStore` protocol (load/save/lock) and `MemoryTokenStore` (tests).
- `XeroClient(*, api_url, tenant_id, oauth, token_store, session=None, timeout=30.0, sleep=time.sleep,
  clock=time.monotonic, limiter=None, max_retries=6)`. Generic calls:
  `get(path, params=None, if_modified_since=None) -> dict`, `iter_pages(resource, *, params=None,
  if_modified_since=None, page_size=1000)`, `write(resource, elements, *, method="PUT", idempotency_key,
  params=None) -> list[ElementResult]`, `delete(path)`. Typed helpers (every write takes `idempotency_key=`):
    organisation/accounts: `get_organisation()`, `list_accounts(where=None)`;
    contacts: `create_contacts`, `update_contacts`, `get_contact(id)`, `find_contact_by_number(number)`,
      `find_contacts_by_name(name)`, `iter_contacts(if_modified_since=, include_archived=, search_term=, ids=)`;
    contact groups: `list_contact_groups()`, `create_contact_group(name)`, `add_contacts_to_group(group_id, ids)`,
      `list_group_contacts(group_id)`;
    items: `create_items`, `update_items`, `list_items(if_modified_since=)`, `delete_item(id)`;
    tracking: `list_tracking_categories(include_archived=True)`, `create_tracking_category(name)`,
      `create_tracking_option(category_id, name)`, `update_tracking_option(category_id, option_id, name=, status=)`,
      `rename_tracking_option`, `archive_tracking_option`, `restore_tracking_option`;
    purchase orders: `create_purchase_orders`, `update_purchase_orders`, `get_purchase_order(id)`,
      `iter_purchase_orders(if_modified_since=, status=)`;
    invoices/bills: `create_invoices`, `update_invoices`, `get_invoice(id)`,
      `find_invoices(invoice_numbers=, contact_ids=, statuses=, ids=)`, `iter_invoices(if_modified_since=, where=)`;
    credit notes: `create_credit_notes`, `iter_credit_notes(if_modified_since=, where=)`;
    bank transactions: `create_bank_transactions`, `iter_bank_transactions(if_modified_since=, where='Type=="SPEND"')`;
    payments: `create_payments`, `get_payment(id)`, `iter_payments(if_modified_since=, where=)`,
      `delete_payment(id)`;
    manual journals: `iter_manual_journals(if_modified_since=, where=)`.
- `ElementResult(ok, document, errors, warnings)` with `.id` (None for the zero GUID).
- `xero_client.errors`: XeroError, ValidationFailed, AuthError, InvalidGrant, NotFound, RateLimited,
  DailyLimitReached, TransientError, MalformedResponse.
- `xero_client.webhooks`: `verify_signature(raw_body, signature_header, key)`, `parse_events(raw_body)`, `sign`.
- `xero_client.parsing`: `loads`/`dumps` (Decimal money, `/Date(...)/` dates), `parse_msdate`.
- `xero_client.limits.TenantLimiter`: the per-tenant limiter shared by every client of a tenant.

Answers are plain dicts: money as `Decimal`, document dates (`Date`, `DueDate`, ...) as `date`,
timestamps as aware `datetime`, unknown enum values as strings.
"""

from .answers import ElementResult
from .auth import (
    BROAD_SCOPES,
    GRANULAR_SCOPES,
    MemoryTokenStore,
    OAuthToken,
    TokenManager,
    TokenStore,
    XeroOAuth,
)
from .client import XeroClient
from .errors import (
    AuthError,
    DailyLimitReached,
    InvalidGrant,
    MalformedResponse,
    NotFound,
    RateLimited,
    TransientError,
    ValidationFailed,
    XeroError,
)
from .limits import TenantLimiter

__all__ = [
    "BROAD_SCOPES", "GRANULAR_SCOPES", "AuthError", "DailyLimitReached", "ElementResult", "InvalidGrant",
    "MalformedResponse", "MemoryTokenStore", "NotFound", "OAuthToken", "RateLimited", "TenantLimiter",
    "TokenManager", "TokenStore", "TransientError", "ValidationFailed", "XeroClient", "XeroError", "XeroOAuth",
]
