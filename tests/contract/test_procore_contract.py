"""Contract tests: the Procore sandbox's answers against Procore's own response schemas (FID-2, FID-3).

Every test of the suite that mounts the Procore sandbox (`mount_procore`) has each answer checked by
ProcoreContractObserver; these tests prove the observer itself works, name the endpoints the extract
cannot check, and walk the bootstrap a user's token and a service account's take.
"""

from __future__ import annotations

import hashlib
import json
from io import BytesIO

import pytest
import requests

from procore_client import ProcoreClient
from procore_client.sandbox import ProcoreSandbox
from procore_client.sandbox.wire import MISSING_COMPANY_MESSAGE
from tests.contract.procore_validator import (
    SPEC_DIR,
    ProcoreContractObserver,
    find_operation,
    lists_fields,
    response_schema,
)
from tests.fixtures.procore import PROCORE_API_URL, mount_procore

#: Operations the sandbox serves whose extract has no response schema for their success status, so
#: their answers cannot be checked (specs/procore/SOURCE.txt: "Some request/response schemas are empty
#: ({}), where the source used oneOf/allOf"). The README's fidelity section lists them too.
UNCHECKABLE = {
    "OauthAuthorizeGet", "OauthRevokePost", "RestV10CompaniesCompanyIdVendorsInactiveGet",
    "RestV10CompaniesCompanyIdVendorsInactiveIdPatch", "RestV10CostCodesGet", "RestV10PaymentApplicationsGet",
    "RestV10PaymentApplicationsIdGet", "RestV10PrimeContractsPrimeContractIdPaymentApplicationsIdPatch",
    "RestV10PrimeContractsPrimeContractIdPaymentApplicationsPost",
    "RestV10ProjectsProjectIdCommitmentChangeOrdersGet", "RestV10ProjectsProjectIdCommitmentChangeOrdersIdGet",
    "RestV10ProjectsProjectIdCommitmentChangeOrdersIdPatch", "RestV10ProjectsProjectIdCommitmentChangeOrdersPost",
    "RestV10PurchaseOrderContractsPurchaseOrderContractIdLineItemsGet", "RestV10VendorsGet", "RestV10VendorsIdGet",
    "RestV10VendorsIdPatch", "RestV10VendorsPost", "RestV10WorkOrderContractsGet",
    "RestV10WorkOrderContractsWorkOrderContractIdLineItemsGet", "RestV11ProjectsGet",
}


def _exchange(method: str, path: str, status: int, body) -> tuple[requests.PreparedRequest, requests.Response]:
    request = requests.Request(method, f"{PROCORE_API_URL}{path}").prepare()
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.raw = BytesIO(response._content)
    response.request = request
    return request, response


def test_procore_extracts_are_copied_with_their_licence_and_source():
    """FID-2: the suite carries its own copy of the extracts, as SOURCE.txt lists them, under MIT."""
    source = (SPEC_DIR / "SOURCE.txt").read_text()
    assert "MIT License" in (SPEC_DIR / "LICENSE").read_text()
    for name in ("LICENSE", "endpoints-index.tsv"):
        digest = hashlib.sha256((SPEC_DIR / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in source
    files = sorted((SPEC_DIR / "endpoint-details").glob("*.json"))
    listing = "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in files)
    assert len(files) == 328 and hashlib.sha256(listing.encode()).hexdigest() in source


def test_observer_flags_an_invented_field_a_wrong_type_and_a_bad_nested_object():
    """FID-2: vendor_id on a commitment, a string id, and a nested vendor with a field Procore lacks."""
    observer = ProcoreContractObserver(raise_on_violation=False)
    observer(*_exchange("GET", "/rest/v1.0/work_order_contracts/7?project_id=1", 200,
                        {"id": 7, "vendor_id": 3, "vendor": {"id": 3, "company": "Acme", "colour": "red"}}))
    observer(*_exchange("GET", "/rest/v1.0/work_order_contracts/7?project_id=1", 200, {"id": "7"}))
    assert "$.vendor_id: not a field" in observer.violations[0]
    assert "$.vendor.colour: not a field" in observer.violations[0]
    assert "$.id: str where the schema declares integer" in observer.violations[1]


def test_observer_records_what_it_cannot_check():
    """FID-2: an empty schema is recorded as unchecked with its operation, never counted as a pass."""
    observer = ProcoreContractObserver(raise_on_violation=False)
    observer(*_exchange("GET", "/rest/v1.0/vendors?company_id=1", 200, [{"id": 1, "anything": True}]))
    assert not observer.violations and not observer.checked
    assert observer.unchecked == [("GET", "/rest/v1.0/vendors", "RestV10VendorsGet lists no fields for 200")]


def test_the_endpoints_the_extract_cannot_check_are_named():
    """FID-2: every route of the sandbox maps to an operation of the OAS; those whose success answer has
    an empty schema are exactly UNCHECKABLE (so a new route must say whether it can be checked)."""
    sandbox = ProcoreSandbox()
    empty = set()
    for rule in sandbox.url_map.iter_rules():
        if rule.rule.startswith("/_sandbox/"):
            continue
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        sample = path
        for name in ("company_id", "project_id", "contract_id", "prime_contract_id", "hook_id", "id"):
            sample = sample.replace("{" + name + "}", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op_id = find_operation(method, sample)
            assert op_id is not None, f"{method} {path} is not an operation of Procore's OAS"
            success = "201" if method == "POST" and response_schema(op_id, 201) else "200"
            if method == "DELETE":
                continue
            if not lists_fields(response_schema(op_id, int(success))):
                empty.add(op_id)
    assert empty == UNCHECKABLE


def _client(sandbox: ProcoreSandbox, session: requests.Session, token, company_id) -> ProcoreClient:
    from procore_client import MemoryTokenStore, ProcoreOAuth

    oauth = ProcoreOAuth("c", "s", login_url="https://login.procore.com", session=session)
    return ProcoreClient(api_url=PROCORE_API_URL, company_id=company_id, oauth=oauth,
                         token_store=MemoryTokenStore(token), session=session, sleep=lambda s: None)


@pytest.mark.parametrize("path", ["/rest/v1.0/companies", "/rest/v1.0/me"])
def test_a_user_token_lists_its_companies_without_the_company_header(path):
    """FID-3, CONN-2: GET /companies and /me need no Procore-Company-Id for a user's token (api/procore.md
    §4, DOC:tutorials/tutorial_mpz.md): that is how the connect flow finds the companies to choose from.
    Every other call still needs the header."""
    sandbox = ProcoreSandbox(deliver=lambda *a: 200)
    session = requests.Session()
    mount_procore(session, sandbox)
    token = sandbox.issue_token()
    headers = {"Authorization": f"Bearer {token.access_token}"}
    answer = session.get(PROCORE_API_URL + path, headers=headers)
    assert answer.status_code == 200, answer.text
    if path.endswith("companies"):
        assert answer.json()[0]["id"] == sandbox.company_id and answer.json()[0]["name"] == "Sandbox Builders Ltd"
    refused = session.get(f"{PROCORE_API_URL}/rest/v1.0/projects", params={"company_id": sandbox.company_id},
                          headers=headers)
    assert refused.status_code == 400 and refused.json() == {"errors": MISSING_COMPANY_MESSAGE}


def test_a_service_account_needs_the_company_header_even_for_companies():
    """FID-3, CONN-2: a service account's (client credentials) token must send Procore-Company-Id on
    /companies and /me too (DOC:oauth/oauth_client_credentials.md); with it, the company is listed."""
    sandbox = ProcoreSandbox(deliver=lambda *a: 200)
    session = requests.Session()
    mount_procore(session, sandbox)
    token = sandbox.issue_token("dmsa", "dmsa-secret", refresh=False, service_account=True)
    headers = {"Authorization": f"Bearer {token.access_token}"}
    for path in ("/rest/v1.0/companies", "/rest/v1.0/me"):
        refused = session.get(PROCORE_API_URL + path, headers=headers)
        assert refused.status_code == 400 and refused.json() == {"errors": MISSING_COMPANY_MESSAGE}
    client = _client(sandbox, session, token, sandbox.company_id)
    assert [c["id"] for c in client.companies()] == [sandbox.company_id]
