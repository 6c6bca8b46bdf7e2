"""Scrub secrets from anything we store or print: audit payloads, errors, logs (REL-7)."""

import re
from typing import Any

SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "password",
        "authorization",
        "code_verifier",
        "token",
        "secret",
        "x-xero-signature",
        "webhook_key",
    }
)
REDACTED = "[redacted]"

_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]{8,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|id_token|client_secret|token|password)"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"
    ),
    # OAuth's authorization code travels as `code=` in a callback's query string or the token form. A
    # `code` or `Code` elsewhere is data: a Procore cost code, a Xero Item's or account's code.
    re.compile(r"(?<![A-Za-z0-9_])(code=)[^\s&\"',}]+"),
]
# A dict is an OAuth exchange (its `code` a secret) when it carries one of these beside it; so is a text
# that names one (requests-oauthlib logs the token request's dict as `'code': '...'`).
OAUTH_KEYS = frozenset({"grant_type", "redirect_uri", "state", "code_verifier"})
_OAUTH_TEXT = re.compile(r"grant_type|redirect_uri|code_verifier")
_OAUTH_CODE = re.compile(r"(?<![A-Za-z0-9_])(code[\"']?\s*:\s*[\"']?)[^\s&\"',}]+")


def redact_text(text: str) -> str:
    patterns = [*_PATTERNS, _OAUTH_CODE] if _OAUTH_TEXT.search(text) else _PATTERNS
    for pattern in patterns:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def redact(value: Any) -> Any:
    """Return a copy of a JSON-like value with every secret-looking key's value replaced."""
    if isinstance(value, dict):
        oauth = not OAUTH_KEYS.isdisjoint(value)
        return {
            k: (REDACTED if isinstance(k, str) and v and (k.lower() in SECRET_KEYS or (oauth and k == "code"))
                else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
