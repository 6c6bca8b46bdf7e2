"""Supplier credit notes counted against commitments (BOOK-6): written by the job-cost import only."""

from django.contrib import admin

from integration import models as m

from .base import ReadOnlyAdmin


@admin.register(m.CommitmentCredit)
class CommitmentCreditAdmin(ReadOnlyAdmin):
    """Each line of a Xero supplier credit note that reduces a commitment's invoiced amount (JC-4), with
    the exported bill it is allocated to; filtered by link and project like the other imported records."""

    list_display = ("date", "credit_note_number", "project", "cost_item", "subcontractor_invoice", "amount", "link")
    list_filter = ("link", "project")
    list_select_related = ("link", "project", "cost_item", "subcontractor_invoice__vendor")
    search_fields = ("credit_note_number", "description")
    readonly_fields = ("link", "xero_credit_note_id", "credit_note_number", "subcontractor_invoice", "project",
                       "cost_item", "xero_line_item_id", "description", "date", "amount", "created_at")
