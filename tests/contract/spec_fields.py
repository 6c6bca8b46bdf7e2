"""Derive the sandbox's field table (xero_client/sandbox/fields.py) from Xero's OpenAPI spec.

The sandbox must refuse unknown fields, bad enum values and wrong types exactly where the
spec does; rather than retyping hundreds of field names by hand, `render()` turns the spec's
component schemas into a small Python table. `test_sandbox_fields_match_spec` checks the
committed module is what this function produces, so the two cannot drift apart.
Regenerate with: .venv/bin/python -m tests.contract.spec_fields > xero_client/sandbox/fields.py
"""

from __future__ import annotations

import pprint
from pathlib import Path

import yaml

SPEC = Path(__file__).parent / "specs" / "xero" / "xero_accounting.yaml"

ROOTS = [
    "Contact", "ContactGroup", "Item", "TrackingCategory", "TrackingOption", "PurchaseOrder",
    "Invoice", "CreditNote", "BankTransaction", "Payment", "PaymentDelete", "ManualJournal",
]


def _load(path: Path = SPEC) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as fh:
        return yaml.load(fh, Loader=loader)


def _kind(node: dict, schemas: dict, todo: list[str], enums: dict[str, tuple]):
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        target = schemas[name]
        if "enum" in target:
            # A named enum (CurrencyCode, TaxType...) is written once in ENUMS and referred to by name.
            enums[name] = tuple(str(v) for v in target["enum"])
            return ("enum", name)
        if target.get("type") == "array":
            return ("list", _kind(target["items"], schemas, todo, enums))
        todo.append(name)
        return ("obj", name)
    if "enum" in node:
        return ("enum", tuple(str(v) for v in node["enum"]))
    typ = node.get("type", "object" if "properties" in node else "string")
    if typ == "array":
        return ("list", _kind(node.get("items", {}), schemas, todo, enums))
    return typ


def build(spec: dict | None = None) -> tuple[dict, dict, dict]:
    spec = spec or _load()
    schemas = spec["components"]["schemas"]
    enums: dict[str, tuple] = {}
    fields: dict[str, dict] = {}
    required: dict[str, tuple] = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in fields:
            continue
        schema = schemas[name]
        props = {}
        for prop, node in sorted(schema.get("properties", {}).items()):
            props[prop] = _kind(node, schemas, todo, enums)
        fields[name] = props
        if schema.get("required"):
            required[name] = tuple(schema["required"])
    return dict(sorted(fields.items())), dict(sorted(required.items())), dict(sorted(enums.items()))


def render(spec: dict | None = None) -> str:
    fields, required, enums = build(spec)
    return (
        '"""Field table of the Xero objects the sandbox accepts, generated from Xero\'s OpenAPI spec\n'
        "(xero_accounting.yaml v16.1.0) by tests/contract/spec_fields.py. Do not edit by hand.\n\n"
        'A kind is "string", "number", "integer", "boolean", "object", ("enum", values),\n'
        '("enum", EnumName) (its values in ENUMS), ("obj", SchemaName) or ("list", kind)."""\n\n'
        "# fmt: off\n"
        f"ENUMS = {pprint.pformat(enums, width=110, compact=True, sort_dicts=True)}\n\n"
        f"FIELDS = {pprint.pformat(fields, width=110, sort_dicts=True)}\n\n"
        f"REQUIRED = {pprint.pformat(required, width=110, sort_dicts=True)}\n"
    )


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
