"""Contract checks: every answer the Procore sandbox gives against Procore's own response schema (FID-2).

The schemas are the extracts of Procore's OAS in specs/procore/endpoint-details (one file per
operation; see specs/procore/SOURCE.txt for where they come from and their limits). For each exchange
on Procore's API or login host the observer finds the operation by method and path template, takes the
response schema of the answer's status, and checks the JSON body:

- no field the schema does not list, where the schema lists fields (an object schema without
  properties, "Vendor Extended View" for instance, says nothing about its fields);
- the JSON type of each value as declared (null is accepted anywhere: the extracts do not carry
  `nullable`, and Procore sends null for every empty field);
- nested objects and arrays (vendor, project, currency_configuration, attachments, line_items,
  requisition items...) the same way, as deep as the extract describes them.

An operation whose schema for that status is empty, or a status the extract does not describe, is
recorded in `unchecked` with the reason, never counted as a pass.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

SPEC_DIR = Path(__file__).parent / "specs" / "procore"
HOSTS = ("api.procore.com", "login.procore.com")


@functools.cache
def operations() -> list[tuple[str, re.Pattern, int, str]]:
    """(method, path pattern, number of path parameters, operationId) for every extracted operation."""
    rows = []
    for line in (SPEC_DIR / "endpoints-index.tsv").read_text().splitlines():
        method, path, op_id = line.split("\t")
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "/?$")
        rows.append((method.upper(), pattern, path.count("{"), op_id))
    # Literal segments win over parameters: /vendors/sync before /vendors/{id}.
    rows.sort(key=lambda row: row[2])
    return rows


@functools.cache
def operation(op_id: str) -> dict:
    return json.loads((SPEC_DIR / "endpoint-details" / f"{op_id}.json").read_text())


def find_operation(method: str, path: str) -> str | None:
    for op_method, pattern, _, op_id in operations():
        if op_method == method.upper() and pattern.match(path):
            return op_id
    return None


def response_schema(op_id: str, status: int) -> dict | None:
    answer = (operation(op_id).get("responses") or {}).get(str(status))
    return (answer or {}).get("schema") or None


def lists_fields(schema: dict | None) -> bool:
    """Whether a response schema names the fields of its records (an object with properties, or an
    array, or {"data": array}, of such objects)."""
    if not schema:
        return False
    if schema.get("type") == "array":
        return lists_fields(schema.get("items"))
    return bool(schema.get("properties"))


_TYPES = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "object": (dict,),
    "array": (list,),
}


def check(schema: dict, value: Any, path: str = "$") -> list[str]:
    """Messages for every field the schema does not list and every value of the wrong JSON type."""
    if value is None or not schema or schema.get("description") == "(nested object)":
        # "(nested object)" is where the extract stops describing (about three levels down).
        return []
    declared = schema.get("type") or ("object" if "properties" in schema else None)
    if declared is None:
        return []
    kinds = _TYPES.get(declared, ())
    if not isinstance(value, kinds) or (declared in ("integer", "number") and isinstance(value, bool)):
        return [f"{path}: {type(value).__name__} where the schema declares {declared}"]
    problems: list[str] = []
    if declared == "object" and schema.get("properties"):
        props = schema["properties"]
        for key, item in value.items():
            if key not in props:
                problems.append(f"{path}.{key}: not a field of this object in Procore's schema")
            else:
                problems.extend(check(props[key], item, f"{path}.{key}"))
    elif declared == "array" and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problems.extend(check(schema["items"], item, f"{path}[{index}]"))
    return problems


class ProcoreContractViolation(AssertionError):
    pass


class ProcoreContractObserver:
    """An observer for tests/fixtures/sandbox_transport.mount: checks each Procore answer."""

    def __init__(self, *, raise_on_violation: bool = True):
        self.raise_on_violation = raise_on_violation
        self.violations: list[str] = []
        self.checked: list[tuple[str, str]] = []  # (operationId, status)
        self.unchecked: list[tuple[str, str, str]] = []  # (method, path, reason)

    def __call__(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        url = urlsplit(request.url)
        if url.netloc not in HOSTS or url.path.startswith("/_sandbox/"):
            return
        op_id = find_operation(request.method, url.path)
        if op_id is None:
            self._violation(f"{request.method} {url.path}: no operation of Procore's OAS has this path")
            return
        schema = response_schema(op_id, response.status_code)
        if schema is None:
            self.unchecked.append((request.method, url.path, f"{op_id} has no schema for {response.status_code}"))
            return
        if not response.content:
            if response.status_code != 204:
                self._violation(f"{op_id} {response.status_code}: empty body where the schema describes one")
            return
        try:
            body = response.json()
        except ValueError:
            self._violation(f"{op_id} {response.status_code}: the answer is not JSON")
            return
        problems = check(schema, body)
        if problems:
            shown = "\n  ".join(problems[:40])
            self._violation(f"{op_id} {response.status_code} ({request.method} {url.path}):\n  {shown}")
            return
        if not lists_fields(schema):  # only the JSON type could be checked
            self.unchecked.append((request.method, url.path, f"{op_id} lists no fields for {response.status_code}"))
            return
        self.checked.append((op_id, str(response.status_code)))

    def _violation(self, message: str) -> None:
        self.violations.append(message)
        if self.raise_on_violation:
            raise ProcoreContractViolation(message)
