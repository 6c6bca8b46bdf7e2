"""Cost codes stay Procore's (BOOK-9): a cost code imported from CSV is written to the link's standard
cost code list in Procore in the same import, before anything is saved here.

Procore is the owner of cost codes (WBS-1): the pull reads the standard list and deactivates what it no
longer lists, so a code that existed only in the connector was deactivated by the next pull while its
Items still exported. The import therefore sends its new and renamed codes to Procore first, in one
``PATCH /rest/v1.0/standard_cost_codes/sync`` call per 1,000 (PERF-4), and saves them with the ids
Procore gave them; a code Procore refuses makes the whole import refuse, with Procore's reason on its
row. No HTTP happens inside a transaction: the call comes before the import's transaction opens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integration.models import CostCode
from integration.services.connections import NotConnected, procore_client_for
from procore_client.errors import ProcoreError


class ProcoreUnavailable(Exception):
    """Procore cannot be asked (not connected, no standard list chosen, an error): nothing is imported."""


@dataclass
class ProcoreOutcome:
    ids: dict[str, int] = field(default_factory=dict)  # code → Procore's standard cost code id
    refused: dict[str, str] = field(default_factory=dict)  # code → Procore's reason


def choose_standard_list(link, lists: list[dict]) -> tuple[int | None, str]:
    """The link's one standard cost code list (WBS-1): the configured one, else the only one, else the
    ERP list, else one named for Xero; (None, why) when none can be told."""
    if link.procore_standard_cost_code_list_id:
        return link.procore_standard_cost_code_list_id, ""
    if len(lists) == 1:
        return _int(lists[0].get("id")), ""
    for candidate in lists:
        if candidate.get("is_erp_list") or "xero" in str(candidate.get("name") or "").lower():
            return _int(candidate.get("id")), ""
    if not lists:
        return None, "Procore has no standard cost code list: create one in Procore's Company Admin first."
    return None, (f"Procore has {len(lists)} standard cost code lists; choose the one used with Xero in the "
                  "link's settings (procore_standard_cost_code_list_id).")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _reason(error: dict) -> str:
    problems = error.get("errors")
    if isinstance(problems, dict):
        return "; ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in problems.items())
    return str(problems or "refused")


def codes_to_send(link, rows: list[tuple[str, str]]) -> list[tuple[str, str, int | None]]:
    """(code, description, Procore id or None) of each row Procore does not hold as written: a new
    code, one never created in Procore, or one whose description changed."""
    existing = {c.code: c for c in CostCode.objects.filter(link=link, code__in=[code for code, _ in rows])}
    out = []
    for code, description in rows:
        current = existing.get(code)
        if current is None or current.procore_id is None or current.name != description:
            out.append((code, description, current.procore_id if current is not None else None))
    return out


def cost_codes_to_procore(link, rows: list[tuple[str, str]], client=None) -> ProcoreOutcome:
    """Create or rename each row's cost code in the link's standard cost code list (BOOK-9).
    Raises ProcoreUnavailable when Procore cannot be asked at all."""
    wanted = codes_to_send(link, rows)
    outcome = ProcoreOutcome()
    if not wanted:
        return outcome
    try:
        client = client or procore_client_for(link)
        list_id, why = choose_standard_list(link, [] if link.procore_standard_cost_code_list_id
                                            else client.list_standard_cost_code_lists())
        if list_id is None:
            raise ProcoreUnavailable(why)
        updates = []
        for code, description, procore_id in wanted:
            update = {"code": code, "name": description}
            if procore_id is not None:
                update["id"] = procore_id
            updates.append(update)
        result = client.sync_standard_cost_codes(list_id, updates)
    except NotConnected as exc:
        raise ProcoreUnavailable(f"Procore is not connected ({exc}): cost codes are Procore's, so they cannot be "
                                 "imported until it is.") from exc
    except ProcoreError as exc:
        raise ProcoreUnavailable(f"Procore could not be asked to create the cost codes: {exc}") from exc
    for entity in result.entities:
        code = str(entity.get("full_code") or entity.get("code") or "")
        if _int(entity.get("id")) is not None:
            outcome.ids[code] = _int(entity.get("id"))
    for error in result.errors:
        outcome.refused[str(error.get("code") or "")] = _reason(error)
    for code, _, _ in wanted:
        if code not in outcome.ids and code not in outcome.refused:
            outcome.refused[code] = "Procore's answer does not name it"
    return outcome
