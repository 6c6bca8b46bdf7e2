"""Soak (issue 9, SYNC-8, REL-1..3, PERF-1): a builder's month at scale through the real pipeline, with
faults switched on in both sandboxes, ending in a reconciliation of Procore, Xero and the connector.

Run:  pytest tests/bench/soak.py -s -p no:warnings       (SOAK_SIZE=2000 by default; SOAK_SEED=1)
The short version (tests/reliability/test_soak_short.py) runs the same code with 40 records per type.

What it does, all in process on one virtual clock (nothing sleeps; Xero's real 60 calls/minute, 5
concurrent and 5,000/day limits and Procore's hourly limit still pace every call):
1. seeds Procore as a user would (the demo's cost codes, cost types and naming, `integration.demo_seed`),
   SIZE records of each exportable type: cost items (cost code x cost type), vendors, commitments (work
   order and purchase order contracts with two lines and retainage), one approved change order and one
   approved requisition (subcontractor invoice) per commitment, owner invoices (payment applications on
   one prime contract per project). Projects are capped at PROJECTS_MAX: Xero allows 100 options per
   tracking category, and every project is one;
2. switches faults on: Xero 2% dropped answers after a committed write, 5% 429s, 1% 500/503s, 1% timeouts;
   Procore 0.5% each of timeouts, drops, 500s and 503s, and 1% 429s;
3. plays rounds as the schedules would: pull (which queues what qualifies), the pm sends the cost items
   and companies, the approver accepts everything waiting, export; again until nothing is left to do;
4. the accountant works in Xero through its API: pays half the bills and owner invoices in full and a
   quarter in part, enters spend money (some split across two projects) and supplier credit notes tracked
   to projects and coded to the exported Items;
5. imports payments and job costs in rounds until nothing is pending;
6. compares both sandboxes with the connector and prints the counts, the faults injected and survived,
   calls per record and records per second. It asserts no loss and no duplicate, never a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from integration.demo_seed import COST_CODES, COST_TYPES, OWNER_RETAINAGE, RETAINAGE, last_month, seed_xero
from integration.demo_users import ensure_demo_users
from integration.models import (
    EXPORTABLE_MODELS,
    ChangeOrder,
    Commitment,
    CostCode,
    CostItem,
    CostType,
    DirectCost,
    ErpStatus,
    OwnerInvoice,
    Payment,
    Project,
    SubcontractorInvoice,
    UnsyncableTransaction,
    Vendor,
)
from integration.services.connections import xero_client_for
from integration.services.cost_codes import cost_codes_assign_types
from integration.services.export import RELATED, export_link
from integration.services.imports import import_job_costs, import_payments
from integration.services.pull import pull_link
from integration.services.queue import records_accept, records_send
from xero_client.errors import XeroError

SIZE = int(os.environ.get("SOAK_SIZE", "2000"))
SEED = int(os.environ.get("SOAK_SEED", "1"))
FAULT_SCALE = float(os.environ.get("SOAK_FAULT_SCALE", "1"))
OWNER_INVOICES = os.environ.get("SOAK_OWNER_INVOICES", "1") == "1"  # progress claims with coded lines (INV-5)
PROJECTS_MAX = 80  # Xero: at most 100 options per tracking category (api/xero.md §7); the connector warns at 90
OWNERS_MAX = 10
XERO_FAULTS = {"drop": 0.02, "rate_limit": 0.05, "server_error": 0.01, "timeout": 0.01}
PROCORE_FAULTS = {"timeout": 0.005, "drop": 0.005, "error_500": 0.005, "error_503": 0.005, "rate_limited": 0.01}
MAX_ROUNDS = 12
SCHEDULE_GAP = 15 * 60  # virtual seconds between two scheduled runs
BATCH = 50


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------- seed
@dataclass
class Plan:
    """What the seed made in Procore, by Procore id, for the later steps and the checks."""

    size: int
    projects: list[dict] = field(default_factory=list)
    project_codes: dict[int, list[str]] = field(default_factory=dict)  # project id -> its cost codes
    vendors: list[dict] = field(default_factory=list)
    commitments: int = 0
    change_orders: int = 0
    requisitions: int = 0
    owner_invoices: int = 0
    cost_codes: int = 0


def cost_code_list(n: int) -> list[tuple[str, str]]:
    """The demo's 40 cost codes, then generated ones in the same style."""
    extra = [(f"{60 + i // 900:02d}-{100 + i % 900:03d}", f"Work package {i + 1}") for i in range(max(0, n - len(COST_CODES)))]
    return (list(COST_CODES) + extra)[:n]


def seed_procore(procore, size: int, today: dt.date) -> Plan:
    plan = Plan(size=size)
    start, end = last_month(today)
    create = procore.create_record
    stage = create("project_stage", {"name": "Send to Xero", "category": "course_of_construction"})
    std_list = create("standard_cost_code_list", {"name": "Xero Standard Cost Code List", "is_erp_list": True})
    codes = cost_code_list(math.ceil(size / len(COST_TYPES)))
    plan.cost_codes = len(codes)
    standard = {code: create("standard_cost_code", {"standard_cost_code_list_id": std_list["id"], "code": code, "name": name})
                for code, name in codes}
    types = {code: create("line_item_type", {"name": name, "code": code, "base_type": base}) for code, name, base in COST_TYPES}
    owners = min(OWNERS_MAX, max(1, size // 10))
    for i in range(size):
        name = f"Owner {i + 1} Developments Ltd" if i < owners else f"Subcontractor {i + 1:05d} Ltd"
        plan.vendors.append(create("vendor", {"name": name, "city": "Auckland", "country_code": "NZ",
                                              "business_phone": f"+64 9 555 {i:04d}"}))
    subs, owner_rows = plan.vendors[owners:] or plan.vendors, plan.vendors[:owners]
    project_codes: dict[int, dict[str, dict]] = {}
    for p in range(min(size, PROJECTS_MAX)):
        project = create("project", {"name": f"Soak Project {p + 1}", "project_number": f"SK-{p + 1:03d}", "city": "Auckland",
                                     "country_code": "NZ", "project_stage_id": stage["id"], "start_date": str(start - dt.timedelta(days=90))})
        plan.projects.append(project)
        mine = [codes[(p * 10 + k) % len(codes)] for k in range(min(10, len(codes)))]
        project_codes[project["id"]] = {code: create("project_cost_code", {
            "project_id": project["id"], "code": code, "name": name, "standard_cost_code_id": standard[code]["id"]})
            for code, name in dict(mine).items()}
        plan.project_codes[project["id"]] = list(project_codes[project["id"]])
    for i in range(size):
        project = plan.projects[i % len(plan.projects)]
        vendor = subs[i % len(subs)]
        kind = "purchase_order_contract" if i % 8 == 7 else "work_order_contract"
        prefix = "PO" if kind == "purchase_order_contract" else "SC"
        mine = plan.project_codes[project["id"]]
        lines = [(mine[(2 * i) % len(mine)], "S", Decimal(10000 + 37 * i)), (mine[(2 * i + 1) % len(mine)], "M", Decimal(2500 + 11 * i))]
        pcc = project_codes[project["id"]]
        commitment = create(kind, {
            "project_id": project["id"], "title": f"Package {i + 1}", "number": f"{prefix}-{i + 1:05d}", "status": "Approved",
            "vendor_id": vendor["id"], "retainage_percent": str(RETAINAGE[kind] * 100), "contract_date": str(start - dt.timedelta(days=60)),
            "line_items": [{"description": f"Line {n + 1}", "amount": str(_money(amount)), "cost_code_id": pcc[code]["id"],
                            "line_item_type_id": types[ctype]["id"]} for n, (code, ctype, amount) in enumerate(lines)]})
        plan.commitments += 1
        first = commitment["line_items"][0]
        create("commitment_change_order", {
            "project_id": project["id"], "contract_id": commitment["id"], "number": "1", "title": f"Package {i + 1}: variation 1",
            "status": "approved", "due_date": str(end),
            "line_items": [{"description": "Variation: additional scope", "amount": str(_money(lines[0][2] * Decimal("0.04"))),
                            "cost_code_id": pcc[lines[0][0]]["id"], "line_item_type_id": types["S"]["id"],
                            "commitment_line_item_id": first["id"]}]})
        plan.change_orders += 1
        share = Decimal("0.20") + Decimal(i % 5) / 20
        items = []
        for line, (_code, _ctype, amount) in zip(commitment["line_items"], lines, strict=True):
            this_period = _money(amount * share)
            items.append({"item_type": "contract_item", "line_item_id": line["id"], "work_completed_this_period": str(this_period),
                          "work_completed_retainage_retained_this_period": str(_money(this_period * RETAINAGE[kind]))})
        create("requisition", {
            "project_id": project["id"], "commitment_id": commitment["id"], "invoice_number": f"INV-{i + 1:05d}",
            "status": "approved", "billing_date": str(start + dt.timedelta(days=i % 27)), "requisition_start": str(start),
            "requisition_end": str(end), "payment_date": str(end + dt.timedelta(days=20)), "items": items})
        plan.requisitions += 1
    if not OWNER_INVOICES:
        return plan
    primes = []
    for p, project in enumerate(plan.projects):
        primes.append((project, create("prime_contract", {
            "project_id": project["id"], "title": f"{project['name']} main contract", "number": f"PC-{project['project_number']}",
            "status": "Approved", "vendor_id": owner_rows[p % len(owner_rows)]["id"], "retainage_percent": str(OWNER_RETAINAGE * 100)})))
    for i in range(size):
        project, prime = primes[i % len(primes)]
        mine, pcc = plan.project_codes[project["id"]], project_codes[project["id"]]
        # A progress claim of two lines on the project's cost codes, 5 % retained (as demo_seed.OWNER_CLAIMS).
        lines = [{"description_of_work": f"Claim {i + 1} line {n + 1}", "cost_code_id": pcc[mine[(i + n) % len(mine)]]["id"],
                  "line_item_type_id": types["S"]["id"], "scheduled_value": str(_money(Decimal(200000 + 100 * i))),
                  "work_completed_this_period": str(work), "materials_presently_stored": "0.00",
                  "work_completed_retainage_retained_this_period": str(_money(work * OWNER_RETAINAGE)),
                  "materials_stored_retainage_retained_this_period": "0.00"}
                 for n, work in enumerate((_money(Decimal(20000 + 13 * i)), _money(Decimal(8000 + 7 * i))))]
        create("payment_application", {
            "project_id": project["id"], "prime_contract_id": prime["id"], "invoice_number": f"{project['project_number']}-PC-{i + 1:05d}",
            "status": "approved", "billing_date": str(end), "period_start": str(start), "period_end": str(end), "line_items": lines})
        plan.owner_invoices += 1
    return plan


# ---------------------------------------------------------------------------------------------- faults
class FaultCounter:
    """Counts the faults each sandbox injects (wraps its fault picker; test instrumentation only)."""

    def __init__(self, sandboxes):
        self.xero: Counter = Counter()
        self.procore: Counter = Counter()
        xero, procore = sandboxes.xero, sandboxes.procore
        pick, take = xero._pick_fault, procore._take_fault

        def counted_pick(method, path):
            fault = pick(method, path)
            if fault is not None:
                self.xero["timeout" if fault.timeout else "drop" if fault.drop else str(fault.status)] += 1
            return fault

        def counted_take(method, path):
            fault = take(method, path)
            if fault is not None:
                self.procore[str(fault)] += 1
            return fault

        xero._pick_fault, procore._take_fault = counted_pick, counted_take


def faults_on(sandboxes, seed: int, scale: float = 1.0) -> None:
    """The soak's fault rates; `scale` (SOAK_FAULT_SCALE) multiplies them to hunt bugs in short runs."""
    sandboxes.xero.set_fault_rates(**{k: v * scale for k, v in XERO_FAULTS.items()}, seed=seed)
    sandboxes.procore.set_fault_rates(**{k: v * scale for k, v in PROCORE_FAULTS.items()}, seed=seed)


def faults_off(sandboxes) -> None:
    sandboxes.xero.set_fault_rates()
    sandboxes.procore.set_fault_rates()


# ---------------------------------------------------------------------------------------------- the soak
class Soak:
    def __init__(self, link, sandboxes, size: int, seed: int = SEED):
        self.link, self.sandboxes, self.size, self.seed = link, sandboxes, size, seed
        self.log: list[str] = []
        self.users = ensure_demo_users()
        self.deferrals = 0

    def say(self, text: str) -> None:
        self.log.append(text)
        if os.environ.get("SOAK_LOG"):
            print(text, flush=True)

    def later(self, seconds: float = SCHEDULE_GAP) -> None:
        self.sandboxes.clock.advance(seconds)

    # -- the pipeline, as the schedules and the users run it -----------------------------------------
    def play(self) -> None:
        link, users = self.link, self.users
        assigned = False
        for round_no in range(1, MAX_ROUNDS + 1):
            run = pull_link(link_id=link.pk, trigger="scheduled")
            self.say(f"round {round_no}: pull {run.status} {run.message[:160]}")
            if not assigned and CostCode.objects.filter(link=link).exists():
                cost_codes_assign_types(cost_codes=list(CostCode.objects.filter(link=link, active=True)),
                                        cost_types=list(CostType.objects.filter(link=link, active=True)), actor=users["admin"])
                assigned = True
            sent = records_send(records=list(CostItem.objects.filter(link=link, erp_status=ErpStatus.NOT_SENT)), actor=users["pm"])
            vendors = records_send(records=list(Vendor.objects.filter(link=link, erp_status=ErpStatus.NOT_SENT)), actor=users["pm"])
            waiting = [r for model in EXPORTABLE_MODELS for r in model.objects.filter(link=link, erp_status=ErpStatus.READY_TO_EXPORT)]
            accepted = records_accept(records=waiting, actor=users["approver"]) if waiting else None
            exporting = sum(m.objects.filter(link=link, erp_status=ErpStatus.EXPORTING).count() for m in EXPORTABLE_MODELS)
            self.say(f"         sent {len(sent.done)}+{len(vendors.done)}, accepted {len(accepted.done) if accepted else 0}"
                     f"{f' (refused {len(accepted.refused)})' if accepted and accepted.refused else ''}, exporting {exporting}")
            if not exporting and not waiting and round_no > 1 and run.status == "succeeded":
                break
            self.export_until_done()
            self.later()

    def export_until_done(self) -> None:
        for _attempt in range(MAX_ROUNDS):
            run = export_link(link_id=self.link.pk, trigger="scheduled")
            self.say(f"         export {run.status}: {run.counts} {run.message[:160]}")
            if run.deferred_until:
                self.deferrals += 1
                wait = (run.deferred_until - self.sandboxes.clock.now()).total_seconds()
                self.later(max(wait, 0) + 1)  # the deferred export's schedule fires then
            else:
                self.later()
            if not any(m.objects.filter(link=self.link, erp_status=ErpStatus.EXPORTING).exists() for m in EXPORTABLE_MODELS):
                return

    # -- the accountant in Xero, through its API ------------------------------------------------------
    def persist(self, call, *args, **kwargs):
        """What an accountant does when Xero misbehaves: try again (same idempotency key) a bit later."""
        for attempt in range(8):
            try:
                return call(*args, **kwargs)
            except XeroError as exc:
                if attempt == 7:
                    raise
                self.say(f"   accountant retries after: {exc}")
                self.later(60)

    def accountant(self) -> dict:
        link = self.link
        xero = xero_client_for(link)
        _start, end = last_month(self.sandboxes.clock.now().date())
        pay_day = end + dt.timedelta(days=20)
        key = f"soak-{link.pk}"
        due = {}
        for doc in self.persist(lambda: list(xero.iter_invoices(where='Status=="AUTHORISED"'))):
            due[doc["InvoiceID"]] = Decimal(str(doc.get("AmountDue") or 0))
        entered = Counter()
        payments = []
        for model in (SubcontractorInvoice, OwnerInvoice):
            docs = list(model.objects.filter(link=link).exclude(xero_id="").order_by("pk"))
            for n, record in enumerate(docs):
                amount = due.get(record.xero_id, Decimal("0"))
                if amount <= 0 or n % 4 == 3:
                    continue  # a quarter stays unpaid
                part = n % 4 == 2
                payments.append({"Invoice": {"InvoiceID": record.xero_id}, "Account": {"Code": "090"}, "Date": pay_day.isoformat(),
                                 "Amount": _money(amount / 2 if part else amount),
                                 "Reference": f"{'Part payment' if part else 'EFT'} {record.invoice_number}"})
                entered["payments (partial)" if part else "payments (full)"] += 1
        for start in range(0, len(payments), BATCH):
            self.persist(xero.create_payments, payments[start:start + BATCH], idempotency_key=f"{key}-pay-{start}")

        category = link.project_tracking_category or "Project"
        items = {}
        for item in CostItem.objects.filter(link=link).exclude(xero_id="").select_related("cost_code", "cost_type"):
            items.setdefault(item.cost_code.code, item.item_code)
        projects = [p for p in Project.objects.filter(link=link).exclude(xero_id="").order_by("pk")]
        codes = self.plan.project_codes
        contacts = list(Vendor.objects.filter(link=link).exclude(xero_id="").order_by("pk").values_list("xero_id", flat=True))

        def line(n: int, project, amount: Decimal) -> dict:
            mine = [c for c in codes.get(project.procore_id, []) if c in items]
            return {"Description": f"Job cost {n}", "Quantity": Decimal("1"), "UnitAmount": _money(amount), "AccountCode": "310",
                    "ItemCode": items[mine[n % len(mine)]], "Tracking": [{"Name": category, "Option": project.xero_option_name}]}

        spend, credits = [], []
        for n in range(self.size):
            a, b = projects[n % len(projects)], projects[(n + 1) % len(projects)]
            lines = [line(n, a, Decimal(100 + n))]
            if n % 5 == 0 and a.pk != b.pk:
                lines.append(line(n + 1, b, Decimal(50 + n)))  # split across two projects: two direct costs
            contact = {"ContactID": contacts[n % len(contacts)]}
            day = (end - dt.timedelta(days=n % 20)).isoformat()
            if n % 2 == 0:
                spend.append({"Type": "SPEND", "Contact": contact, "BankAccount": {"Code": "090"}, "Date": day,
                              "Reference": f"Card {n:05d}", "Status": "AUTHORISED", "LineAmountTypes": "NoTax", "LineItems": lines})
            else:
                credits.append({"Type": "ACCPAYCREDIT", "Contact": contact, "Date": day, "CreditNoteNumber": f"CR-{n:05d}",
                                "Status": "AUTHORISED", "LineAmountTypes": "NoTax", "LineItems": lines})
        for start in range(0, len(spend), BATCH):
            for r in self.persist(xero.create_bank_transactions, spend[start:start + BATCH], idempotency_key=f"{key}-spend-{start}"):
                entered["spend money" if r.ok else "spend money refused"] += 1
        for start in range(0, len(credits), BATCH):
            for r in self.persist(xero.create_credit_notes, credits[start:start + BATCH], idempotency_key=f"{key}-credit-{start}"):
                entered["credit notes" if r.ok else "credit notes refused"] += 1
        return dict(entered)

    def imports(self) -> None:
        for round_no in range(1, MAX_ROUNDS + 1):
            pay = import_payments(link=self.link, trigger="scheduled")
            costs = import_job_costs(link=self.link, trigger="scheduled")
            self.say(f"imports {round_no}: payments {pay.status} {pay.counts}; job costs {costs.status} {costs.counts}")
            for run in (pay, costs):
                if run.deferred_until:
                    self.deferrals += 1
                    self.later(max((run.deferred_until - self.sandboxes.clock.now()).total_seconds(), 0) + 1)
            pending = Payment.objects.filter(link=self.link, status__in=(Payment.Status.PENDING, Payment.Status.FAILED)).exists()
            if not pending and pay.status == "succeeded" and costs.status == "succeeded" and round_no > 1:
                break
            self.later()


# ---------------------------------------------------------------------------------------------- the comparison
def reconcile(link, sandboxes) -> dict:
    """Both sandboxes' state against the connector's: per check, (expected, found, missing, duplicated)."""
    books = sandboxes.xero.books()
    store = sandboxes.procore.store
    out: dict[str, tuple[int, int, int, int]] = {}

    def compare(name: str, expected: list, found: list) -> None:
        want, have = Counter(expected), Counter(found)
        missing = sum(1 for k in want if have[k] == 0)
        duplicated = sum(have[k] - 1 for k in want if have[k] > 1) + sum(v - 1 for k, v in have.items() if k not in want and v > 1)
        out[name] = (len(want), sum(have[k] for k in want), missing, duplicated)

    accepted = {m: list(m.objects.filter(link=link).select_related(*RELATED[m]).exclude(erp_status__in=[ErpStatus.NOT_SENT, ErpStatus.READY_TO_EXPORT]))
                for m in EXPORTABLE_MODELS}
    items = Counter(str(i["Code"]) for i in books.items.values())
    compare("cost items → Items (Code)", [r.item_code for r in accepted[CostItem]], [c for c in items.elements()
                                                                                   if c != link.retainage_item_code])
    [category] = [c for c in books.tracking.values() if c["Name"] == (link.project_tracking_category or "Project")] or [{"Options": []}]
    compare("projects → options (Name)", [r.xero_option_name.casefold() for r in accepted[Project]],
            [o["Name"].casefold() for o in category["Options"]])
    compare("vendors → contacts (ContactNumber)", [str(r.procore_id) for r in accepted[Vendor]],
            [str(c.get("ContactNumber")) for c in books.contacts.values() if c.get("ContactNumber")])
    orders = [o for o in books.purchase_orders.values() if o.get("Status") != "DELETED"]
    compare("commitments → purchase orders (number)", [r.number for r in accepted[Commitment]], [o["PurchaseOrderNumber"] for o in orders])
    markers = [(o["PurchaseOrderNumber"], str(line.get("Description", "")).split(":")[0]) for o in orders
               for line in o.get("LineItems", []) if str(line.get("Description", "")).startswith("CO ")]
    compare("change orders → PO lines (marker)", [(r.commitment.number, f"CO {r.number}") for r in accepted[ChangeOrder]],
            [(po, marker) for po, marker in markers])
    live = [i for i in books.invoices.values() if i.get("Status") not in ("VOIDED", "DELETED")]
    # A bill's number is its commitment's number with commitment sync on (INV-1), else the invoice number.
    compare("subcontractor invoices → bills (contact, number)",
            [(r.vendor.xero_id, r.commitment.number if link.commitment_sync and r.commitment else r.invoice_number)
             for r in accepted[SubcontractorInvoice]],
            [(i["Contact"]["ContactID"], i["InvoiceNumber"]) for i in live if i["Type"] == "ACCPAY"])
    compare("owner invoices → sales invoices (number)", [r.invoice_number for r in accepted[OwnerInvoice]],
            [i["InvoiceNumber"] for i in live if i["Type"] == "ACCREC"])
    ours = {r.xero_id.lower() for m in (SubcontractorInvoice, OwnerInvoice) for r in accepted[m] if r.xero_id}
    xero_payments = [p for p in books.payments.values() if p.get("Status") == "AUTHORISED"
                     and str((p.get("Invoice") or {}).get("InvoiceID", "")).lower() in ours]
    procore_payments = [str(p.get("origin_id") or "") for p in store.records["contract_payment"].values()]
    compare("Xero payments → Procore payments (origin_id)", [str(p["PaymentID"]).lower() for p in xero_payments],
            [o.lower() for o in procore_payments if o])
    # Job costs: every imported Xero cost document (not listed unsyncable) → its direct cost per project.
    options = {p.xero_id.lower(): p.procore_id for p in Project.objects.filter(link=link).exclude(xero_id="")}
    expected_costs = []
    documents = [(d["InvoiceID"], d) for d in live if d["Type"] == "ACCPAY" and d.get("Status") in ("AUTHORISED", "PAID")]
    documents += [(d["CreditNoteID"], d) for d in books.credit_notes.values() if d.get("Type") == "ACCPAYCREDIT" and d.get("Status") in ("AUTHORISED", "PAID")]
    documents += [(d["BankTransactionID"], d) for d in books.bank_transactions.values() if d.get("Type") == "SPEND" and d.get("Status") == "AUTHORISED"]
    for doc_id, doc in documents:
        projects = sorted({options.get(str(t.get("TrackingOptionID", "")).lower()) for line in doc.get("LineItems", [])
                           for t in line.get("Tracking", []) if line.get("ItemCode") != link.retainage_item_code} - {None})
        doc_id = str(doc_id).lower()
        expected_costs += [doc_id] if len(projects) == 1 else [f"{doc_id}:{p}" for p in projects]
    direct = [str(r.get("origin_id") or "").lower() for r in store.records["direct_cost"].values()]
    compare("Xero cost documents → direct costs (origin_id)", expected_costs, [o for o in direct if o])
    out["stuck in exporting"] = (0, sum(m.objects.filter(link=link, erp_status=ErpStatus.EXPORTING).count() for m in EXPORTABLE_MODELS), 0, 0)
    return out


# ---------------------------------------------------------------------------------------------- the run
def run_soak(link, sandboxes, size: int, *, seed: int = SEED, contract_checks: bool = False) -> dict:
    logging.getLogger("integration").setLevel(logging.ERROR)  # thousands of expected "not yet queued" warnings
    if not contract_checks:
        sandboxes.xero_transport.observers.clear()  # spec validation is test instrumentation, not the connector's work
    link.payment_cutoff = dt.date(2000, 1, 1)
    link.save()
    today = sandboxes.clock.now().date()
    tracemalloc.start()
    started = time.perf_counter()
    virtual_start = sandboxes.clock.now()
    plan = seed_procore(sandboxes.procore, size, today)
    seed_xero(sandboxes.xero)
    seeded = time.perf_counter()
    counter = FaultCounter(sandboxes)
    xero_before, procore_before = len(sandboxes.xero.calls), len(sandboxes.procore.calls)
    soak = Soak(link, sandboxes, size, seed)
    soak.plan = plan
    faults_on(sandboxes, seed, FAULT_SCALE)
    soak.play()
    exported = time.perf_counter()
    xero_export, procore_export = len(sandboxes.xero.calls) - xero_before, len(sandboxes.procore.calls) - procore_before
    entered = soak.accountant()
    xero_accountant = len(sandboxes.xero.calls) - xero_before - xero_export
    soak.imports()
    faults_off(sandboxes)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    checks = reconcile(link, sandboxes)

    records = {m._meta.verbose_name_plural: m.objects.filter(link=link).count() for m in EXPORTABLE_MODELS}
    synced = {m._meta.verbose_name_plural: m.objects.filter(link=link, erp_status=ErpStatus.SYNCED).count() for m in EXPORTABLE_MODELS}
    statuses = {m._meta.verbose_name_plural: dict(Counter(m.objects.filter(link=link).values_list("erp_status", flat=True)))
                for m in EXPORTABLE_MODELS}
    n_records = sum(records.values())
    xero_calls = len(sandboxes.xero.calls) - xero_before
    procore_calls = len(sandboxes.procore.calls) - procore_before
    payments = Counter(Payment.objects.filter(link=link).values_list("status", flat=True))
    direct = DirectCost.objects.filter(link=link).count()
    unsyncable = Counter(UnsyncableTransaction.objects.filter(link=link).values_list("reason", flat=True))
    p = print
    p(f"\n== Soak: {size} records per exportable type, faults on (x{FAULT_SCALE:g}), seed {seed} ==")
    p(f"records               {', '.join(f'{k} {v}' for k, v in records.items())} ({n_records} in all; projects capped at {PROJECTS_MAX} by Xero's 100 options per category)")
    p(f"synced                {', '.join(f'{k} {v}' for k, v in synced.items())}")
    if any(set(s) - {ErpStatus.SYNCED} for s in statuses.values()):
        p(f"not synced            { {k: {s: n for s, n in v.items() if s != ErpStatus.SYNCED} for k, v in statuses.items() if set(v) - {ErpStatus.SYNCED}} }")
    p(f"accountant in Xero    {', '.join(f'{k} {v}' for k, v in entered.items())}")
    p(f"payments imported     {dict(payments)}; direct costs {direct}; unsyncable documents {sum(unsyncable.values())}"
      + (f" {dict(unsyncable.most_common(3))}" if unsyncable else ""))
    p("reconciliation        expected / found / missing / duplicated")
    for name, (want, found, missing, dup) in checks.items():
        p(f"  {name:<46}{want:>7}{found:>8}{missing:>9}{dup:>12}")
    p(f"faults injected Xero  {dict(counter.xero)} ({sum(counter.xero.values())} in {xero_calls} calls); all survived: "
      f"{'yes' if all(c[2] == c[3] == 0 for c in checks.values()) and checks['stuck in exporting'][1] == 0 else 'NO'}")
    p(f"faults injected Procore {dict(counter.procore)} ({sum(counter.procore.values())} in {procore_calls} calls)")
    p(f"export deferrals      {soak.deferrals} (Xero's daily limit of {sandboxes.xero.day_limit} calls)")
    p(f"Xero calls            {xero_calls} in all: export {xero_export} ({xero_export / n_records:.3f} per exported record), "
      f"accountant {xero_accountant}, imports {xero_calls - xero_export - xero_accountant}")
    p(f"Procore calls         {procore_calls} in all: pull and write-back {procore_export} ({procore_export / n_records:.3f} per record), "
      f"imports {procore_calls - procore_export}")
    p(f"wall time             {elapsed:.1f} s (seed {seeded - started:.1f} s, pull/accept/export {exported - seeded:.1f} s); "
      f"{n_records / (exported - seeded):.1f} records per second through pull, approval and export")
    p(f"Xero time (virtual)   {(sandboxes.clock.now() - virtual_start).total_seconds() / 3600:.1f} h at 60 calls/min, 5,000/day")
    p(f"peak Python memory    {peak / 1e6:.1f} MB")
    assert checks["stuck in exporting"][1] == 0, soak.log[-20:]
    for name, (want, found, missing, dup) in checks.items():
        assert missing == 0 and dup == 0, (name, want, found, missing, dup, soak.log[-20:])
    return {"checks": checks, "records": records, "synced": synced, "log": soak.log}


@pytest.mark.django_db(transaction=False)
def test_soak(link, sandboxes):
    run_soak(link, sandboxes, SIZE)
