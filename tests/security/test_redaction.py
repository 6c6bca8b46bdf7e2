"""What the audit trail and the logs keep readable, and what they scrub (REL-7, DRIFT-1)."""

from integration.redaction import REDACTED, redact, redact_text


def test_the_authorization_code_is_scrubbed_where_oauth_sends_it():
    """REL-7: the code of an OAuth callback or token exchange never reaches an audit row or a log."""
    exchange = redact({"grant_type": "authorization_code", "code": "s3cr3t-code", "redirect_uri": "https://x"})
    assert exchange["code"] == REDACTED and exchange["grant_type"] == "authorization_code"
    assert "s3cr3t-code" not in redact_text("GET /connect/xero/callback?code=s3cr3t-code&state=abc")
    assert "s3cr3t-code" not in redact_text("grant_type=authorization_code&code=s3cr3t-code")
    assert "tok" not in redact({"access_token": "tok", "Authorization": "Bearer tok"}).values()


def test_cost_codes_and_item_codes_stay_readable():
    """DRIFT-1, REL-7: a Procore cost code and a Xero Item's or account's code are the data the approver
    compares (what was sent against what Xero holds), not secrets: they stay as they are."""
    item = {"Code": "01-100", "Name": "General Conditions", "PurchaseDetails": {"AccountCode": "320"}}
    assert redact(item) == item
    assert redact({"code": "01-100", "full_code": "01-100", "name": "Site"})["code"] == "01-100"
    message = 'Line 1: {"ItemCode": "01-100", "AccountCode": "320"} Code: 4-100'
    assert redact_text(message) == message


def test_a_logged_token_request_loses_its_code():
    """REL-7: requests-oauthlib logs the token request as a dict's repr; its code is scrubbed there too."""
    line = "Prepared fetch token request body {'grant_type': 'authorization_code', 'code': 'GwoB-9x', 'redirect_uri': 'x'}"
    assert "GwoB-9x" not in redact_text(line)
