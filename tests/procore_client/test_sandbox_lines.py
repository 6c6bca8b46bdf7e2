"""Sandbox fidelity (the FID rules): the Procore sandbox matches the lines of every kind the one way
(commitment line items, requisition items, payment application line items): a line written with its id
updates that line and keeps what the write leaves out, a line without an id (or with an id the record
lacks) is a new line, and a stored line left out of the list written is removed."""

from __future__ import annotations

import pytest

from integration.demo_seed import seed_procore
from procore_client.sandbox import ProcoreSandbox
from procore_client.sandbox.records import ValidationFailed


@pytest.fixture(scope="module")
def seeded():
    procore = ProcoreSandbox(rate_limits=False)
    out = seed_procore(procore)
    return procore, out


@pytest.mark.parametrize(("kind", "field", "money"), [
    ("work_order_contract", "line_items", "amount"),
    ("requisition", "items", "work_completed_this_period"),
    ("payment_application", "line_items", "work_completed_this_period"),
])
def test_lines_are_matched_by_id_the_same_way_for_every_kind(seeded, kind, field, money):
    procore, out = seeded
    record = next(r for r in procore.state()["records"][kind] if len(r[field]) >= 2)
    kept, dropped = record[field][0], record[field][1]
    new_line = {k: v for k, v in kept.items() if k not in ("id", money)} | {money: "12.34"}
    stranger = new_line | {"id": 999_999_999_999}
    procore.update_record(kind, record["id"], {field: [{"id": kept["id"], money: "10.00"}, new_line, stranger]}, force=True)
    lines = next(r for r in procore.state()["records"][kind] if r["id"] == record["id"])[field]
    assert [line["id"] for line in lines][0] == kept["id"] and len(lines) == 3
    assert str(lines[0][money]) == "10.00"
    assert all(lines[0].get(k) == v for k, v in kept.items() if k not in (money, "updated_at", "amount"))
    ids = {line["id"] for line in lines}
    assert dropped["id"] not in ids and 999_999_999_999 not in ids and len(ids) == 3

    with pytest.raises(ValidationFailed) as refused:
        procore.update_record(kind, record["id"], {field: {"id": kept["id"]}}, force=True)
    assert refused.value.errors == {field: ["must be an array"]}
    with pytest.raises(ValidationFailed) as refused:
        procore.update_record(kind, record["id"], {field: ["a line"]}, force=True)
    assert refused.value.errors == {field: ["must be objects"]}
