"""Supplier credit notes against bills exported from Procore (BOOK-6): they reduce the commitment's
invoiced amount in the job cost summary (JC-4) and are not direct costs in Procore."""

from decimal import Decimal

from integration.models import AuditEvent, CommitmentCredit, JobCostSummary, SyncRun
from integration.services.imports import import_job_costs, import_xero_document

from .conftest import key


def _summary(world):
    return {(r.project.project_number, r.cost_item.cost_code.code): (r.job_to_date_cost, r.commitment_invoiced,
                                                                     r.direct_costs)
            for r in JobCostSummary.objects.filter(link=world.link).select_related("project", "cost_item__cost_code")}


def _allocate(world, note, bill, amount):
    """The accountant applies the credit to the bill in Xero (PUT /CreditNotes/{id}/Allocations)."""
    return world.xero.allocate_credit_note(note["CreditNoteID"], invoice_id=bill["InvoiceID"], amount=Decimal(amount),
                                           date="2026-05-05", idempotency_key=key("alloc"))


def _numbers(world):
    return sorted(dc["invoice_number"] for dc in world.procore_records("direct_cost"))


def test_credit_note_allocated_to_an_exported_bill_reduces_commitment_invoiced(world):
    """BOOK-6, JC-4: a 200.00 supplier credit note allocated in Xero to a 1,000.00 bill exported from
    Procore: the summary shows 800.00 commitment invoiced (and job-to-date), no direct costs, and Procore
    holds no direct cost for the credit note."""
    invoice, bill = world.exported_bill(amount="1000.00", number="INV-7")
    note = world.credit_note([("03-300", "HV-101", "200.00")], number="CN-200")
    _allocate(world, note, bill, "200.00")

    run = import_job_costs(link=world.link)

    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    assert _summary(world) == {("HV-101", "03-300"): (Decimal("800.00"), Decimal("800.00"), Decimal("0.00"))}
    assert _numbers(world) == ["INV-7"]  # the bill only: no direct cost for CN-200
    assert not [dc for dc in world.procore_records("direct_cost") if Decimal(dc["grand_total"]) < 0]
    [credit] = CommitmentCredit.objects.filter(link=world.link)
    assert credit.subcontractor_invoice == invoice and credit.amount == Decimal("-200.00")
    assert AuditEvent.objects.filter(action="commitment_credit", object_id=invoice.pk).exists()


def test_credit_note_imported_before_its_allocation_leaves_direct_costs(world):
    """BOOK-6, JC-1: a credit note imported as a (negative) direct cost while unallocated is removed from
    Procore once the accountant allocates it to an exported bill, and counts against the commitment;
    its allocation deleted, it is a direct cost again."""
    _, bill = world.exported_bill(amount="1000.00", number="INV-7")
    note = world.credit_note([("03-300", "HV-101", "150.00")], number="CN-150")
    import_job_costs(link=world.link)
    assert _numbers(world) == ["CN-150", "INV-7"]
    assert _summary(world)[("HV-101", "03-300")] == (Decimal("850.00"), Decimal("1000.00"), Decimal("-150.00"))

    world.later()
    allocation = _allocate(world, note, bill, "150.00")
    import_job_costs(link=world.link)  # incremental: the allocation changed the credit note in Xero

    assert _numbers(world) == ["INV-7"]
    assert _summary(world)[("HV-101", "03-300")] == (Decimal("850.00"), Decimal("850.00"), Decimal("0.00"))

    world.later()
    world.xero.delete(f"CreditNotes/{note['CreditNoteID']}/Allocations/{allocation['AllocationID']}")
    import_xero_document(link=world.link, category="CREDITNOTE", resource_id=note["CreditNoteID"])

    assert _numbers(world) == ["CN-150", "INV-7"]
    assert _summary(world)[("HV-101", "03-300")] == (Decimal("850.00"), Decimal("1000.00"), Decimal("-150.00"))
    assert not CommitmentCredit.objects.exists()


def test_credit_note_allocated_to_a_bill_entered_in_xero_stays_a_direct_cost(world):
    """BOOK-6, JC-1: a credit note allocated to a bill the accountant entered in Xero is a direct cost."""
    world.exported_bill(amount="1000.00", number="INV-7")
    own = world.bill([("05-120", "HV-101", "300.00")], reference="XB-1")
    note = world.credit_note([("05-120", "HV-101", "100.00")], number="CN-100")
    _allocate(world, note, own, "100.00")

    import_job_costs(link=world.link)

    assert _numbers(world) == ["CN-100", "INV-7", "XB-1"]
    assert _summary(world)[("HV-101", "05-120")] == (Decimal("200.00"), Decimal("0"), Decimal("200.00"))
    assert _summary(world)[("HV-101", "03-300")][1] == Decimal("1000.00")
