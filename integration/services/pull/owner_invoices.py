"""A project's prime contracts and their payment applications: owner invoices with their lines (INV-5).

Prime contracts are never marked removed; payment applications have no ``updated_at`` filter and are
read whole, each new or changed one read again with its lines (``get_payment_application``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from integration.mapping import from_procore
from integration.mapping.from_procore import BadRecord, label, reference, updated_at
from integration.models import OwnerInvoice, PrimeContract, Project, Vendor
from integration.services.attachments import store_files
from integration.services.pull.context import PullRun
from integration.services.pull.cost_items import cost_item_of
from integration.services.pull.project_lists import read_project_list
from integration.services.pull.upsert import (
    Outcome,
    existing,
    mark_removed,
    save_erp_record,
    save_plain_record,
    store,
    unchanged,
)
from procore_client.errors import NotFound, ProcoreError


def pull_prime_contracts(pull: PullRun, project: Project) -> None:
    listed = read_project_list(pull, project, "prime_contracts", PrimeContract, "prime contracts",
                               pull.client.list_prime_contracts, project.procore_id)
    if listed is None:
        return
    records, _since, started = listed
    held_back = []
    for data in records:
        pull.read()
        stamp = updated_at(data)
        outcome = store_prime_contract(pull, project, data)
        if stamp and outcome is None:
            held_back.append(stamp)
    pull.cursors.advance(f"prime_contracts@{project.procore_id}", started, held_back)


def store_prime_contract(pull: PullRun, project: Project, data: dict) -> Outcome | None:
    def write(procore_id):
        owner_id = from_procore.prime_contract_owner_id(data)
        owner = existing(pull, Vendor, owner_id) if owner_id else None
        found = PrimeContract.objects.select_for_update().filter(link=pull.link, procore_id=procore_id).first()
        outcome, _diff = save_plain_record(pull, PrimeContract, found, procore_id,
                                           {"project": project, "owner": owner} | from_procore.prime_contract(data))
        return outcome

    return store(pull, PrimeContract, data, label("Prime contract", data), write)


def pull_owner_invoices(pull: PullRun, project: Project) -> None:
    """The list gives headers; an owner invoice new or changed since the last run is read again with
    its lines (``get_payment_application``), as commitments are."""
    listed = read_project_list(pull, project, "payment_applications", OwnerInvoice, "payment applications",
                               pull.client.list_payment_applications, project.procore_id, filtered=False)
    if listed is None:
        return
    records, _since, _started = listed
    # Oldest claim first on each prime contract: a claim's stored materials for the period are the change
    # from the previous claim's balance (RET-1, ``stored_before``), so the previous one is stored first,
    # whatever order Procore lists them in.
    records = sorted(records, key=_claim_order)
    seen = set()
    for data in records:
        pull.read()
        seen.add(reference(data.get("id")) if isinstance(data, dict) else None)  # listed: never marked removed
        if unchanged(pull, OwnerInvoice, data):
            pull.count("ownerinvoice", "skipped")
            continue
        record_label = label("Owner invoice", data, "invoice_number")
        # The list (RestV10PaymentApplicationsGet in Procore's OAS 2.0: header, g702, contract, no
        # lines) lacks ``line_items``, the mapping's owner invoice lines (INV-5), and ``attachments``
        # (ATT-1): they come with the show.
        try:
            detail = pull.call(record_label, pull.client.get_payment_application, project.procore_id,
                               reference(data.get("id")))
        except NotFound:
            seen.discard(reference(data.get("id")))  # deleted between the list and the read
            continue
        except (ProcoreError, BadRecord) as exc:
            pull.count("ownerinvoice", "failed")
            pull.error("ownerinvoice", data.get("id"), record_label, f"could not be read: {exc}")
            continue
        store_owner_invoice(pull, project, {**data, **detail})
    mark_removed(pull, OwnerInvoice, OwnerInvoice.objects.filter(link=pull.link, project=project)
                 .exclude(procore_id__in=seen))


def _claim_order(data) -> tuple:
    if not isinstance(data, dict):
        return (0, "", 0)
    try:
        return (int(data.get("prime_contract_id") or (data.get("contract") or {}).get("id") or 0),
                str(data.get("period_end") or ""), int(data.get("id") or 0))
    except (TypeError, ValueError, AttributeError):
        return (0, "", 0)


def stored_before(prime: PrimeContract, procore_id: int, data: dict) -> dict[int, Decimal]:
    """The materials presently stored on the prime contract's previous claim, by line position (RET-1):
    the claim before this one by period end (then Procore id)."""
    period_end = from_procore.calendar_date(data.get("period_end"), "period_end")
    if period_end is None:
        return {}
    previous = (OwnerInvoice.objects.filter(prime_contract=prime, period_end__lte=period_end)
                .exclude(procore_id=procore_id)
                .filter(Q(period_end__lt=period_end) | Q(procore_id__lt=procore_id))
                .order_by("-period_end", "-procore_id").first())
    if previous is None:
        return {}
    return dict(previous.lines.values_list("position", "materials_stored"))


def prime_contract_lines(pull: PullRun, project: Project, data: dict) -> list[dict] | str:
    """BOOK-3: the schedule of values of the payment application's prime contract (read once per run),
    whose lines carry the tax codes; the reason when Procore would not give it."""
    try:
        prime_id = from_procore.payment_application_prime_id(data)
    except BadRecord:
        return []  # the write names the bad reference
    if prime_id is None or "line_items" not in data:
        return []
    if prime_id not in pull.prime_lines:
        try:
            pull.prime_lines[prime_id] = pull.call(
                "prime contract lines", pull.client.list_prime_contract_line_items, project.procore_id, prime_id)
        except ProcoreError as exc:
            return f"its prime contract's lines (their tax codes) could not be read: {exc}"
    return pull.prime_lines[prime_id]


def store_owner_invoice(pull: PullRun, project: Project, data: dict) -> Outcome | None:
    prime_lines = prime_contract_lines(pull, project, data)

    def write(procore_id):
        prime_id = from_procore.payment_application_prime_id(data)
        prime = PrimeContract.objects.filter(link=pull.link, procore_id=prime_id).first() if prime_id else None
        if prime is None:
            raise BadRecord(f"its prime contract (Procore #{prime_id}) is not in the connector")
        if isinstance(prime_lines, str):
            raise BadRecord(prime_lines)
        lines = from_procore.payment_application_lines(data, stored_before(prime, procore_id, data), prime_lines)
        for line in lines or []:
            line["cost_item"] = cost_item_of(pull, line.pop("cost"))
        values = from_procore.payment_application(data, lines) | {"prime_contract": prime, "project": project}
        files = from_procore.attachments(data) if "attachments" in data else None
        outcome = save_erp_record(pull, OwnerInvoice, procore_id, values, lines=lines)
        if files is not None:  # the list's headers carry none: the show's answer does
            store_files(outcome.record, files)
        return outcome

    return store(pull, OwnerInvoice, data, label("Owner invoice", data, "invoice_number"), write)
