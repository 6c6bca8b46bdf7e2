"""Helpers for the xero_client tests (fixtures themselves live in tests/fixtures/xero.py)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from xero_client.parsing import dumps, loads

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def bill(contact_id: str, number: str = "B-1", *, status: str = "AUTHORISED", amount: str = "100.00",
         tracking: list | None = None, **extra) -> dict:
    line = {"Description": "Concrete pour", "Quantity": Decimal("1"), "UnitAmount": Decimal(amount),
            "AccountCode": "320", "TaxType": "NONE"}
    if tracking:
        line["Tracking"] = tracking
    return {"Type": "ACCPAY", "Contact": {"ContactID": contact_id}, "InvoiceNumber": number, "Date": "2026-05-01",
            "DueDate": "2026-05-31", "Status": status, "LineItems": [line], **extra}


@pytest.fixture
def contact_id(xero_client) -> str:
    result = xero_client.create_contacts([{"Name": "Acme Concrete", "ContactNumber": "PC-1"}],
                                         idempotency_key=key("contact"))[0]
    assert result.ok, result.errors
    return result.id


@pytest.fixture
def raw(xero_session, xero_contract, xero_token_store, xero_tenant_id):
    """Send a request exactly as given (no client logic), outside the contract check: for requests the
    spec itself rejects (bad enums), which the sandbox must refuse too."""

    def send(method: str, path: str, body=None, *, params=None, headers=None, tenant=None):
        all_headers = {"Authorization": f"Bearer {xero_token_store.load().access_token}",
                       "xero-tenant-id": tenant or xero_tenant_id, "Accept": "application/json"}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if method in ("PUT", "POST"):
            all_headers["Idempotency-Key"] = key("raw")
        all_headers.update(headers or {})
        with xero_contract.suspended():
            response = xero_session.request(method, f"https://api.xero.com/api.xro/2.0/{path}", params=params,
                                            data=dumps(body) if body is not None else None, headers=all_headers)
        response.body = loads(response.content) if response.content else None
        return response

    return send
