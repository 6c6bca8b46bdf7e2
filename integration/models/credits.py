"""Supplier credit notes counted against commitments (BOOK-6), not imported as direct costs."""

from django.db import models

from .procore import CostItem, Project, SubcontractorInvoice, money


class CommitmentCredit(models.Model):
    """One line of a Xero supplier credit note (ACCPAYCREDIT) that credits a commitment: allocated in
    Xero to a bill exported from Procore (BOOK-6), or itself exported from Procore (a negative
    subcontractor invoice). It reduces the job cost summary's commitment invoiced (JC-4) for its project
    and cost item; Procore holds no direct cost for it. `amount` is negative, net of tax."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    xero_credit_note_id = models.CharField("Xero credit note ID", max_length=36)
    credit_note_number = models.CharField(max_length=255, blank=True)
    subcontractor_invoice = models.ForeignKey(
        SubcontractorInvoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitment_credits",
        help_text="The exported subcontractor invoice whose bill the credit note is allocated to (or that it is).")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitment_credits")
    cost_item = models.ForeignKey(CostItem, on_delete=models.PROTECT, related_name="+")
    xero_line_item_id = models.CharField("Xero line item ID", max_length=36, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    date = models.DateField()
    amount = money()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "xero_credit_note_id", "id"]
        indexes = [models.Index(fields=["link", "xero_credit_note_id"], name="commitmentcredit_note")]

    def __str__(self):
        return f"Credit note {self.credit_note_number or self.xero_credit_note_id}: {self.amount}"
