"""The files on a Procore invoice and what became of each in Xero (ATT-1)."""

from django.db import models


class InvoiceFile(models.Model):
    """One file of a subcontractor or owner invoice (requisition / payment application ``attachments``).

    The row is the connector's memory of the attach: a file marked ``attached`` is never sent again,
    so a retried export does not attach it twice (Xero adds a second file on a second PUT of the same
    name rather than replacing the first: Xero-NetStandard#52)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to attach"
        ATTACHED = "attached", "Attached in Xero"
        REFUSED = "refused", "Not attached: outside Xero's limits"
        FAILED = "failed", "Not attached yet: tried again at the next export"

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    subcontractor_invoice = models.ForeignKey("integration.SubcontractorInvoice", null=True, blank=True,
                                              on_delete=models.CASCADE, related_name="files")
    owner_invoice = models.ForeignKey("integration.OwnerInvoice", null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="files")
    procore_id = models.BigIntegerField("Procore ID", help_text="Procore's ID of the attachment.")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, blank=True)
    # Where Procore serves the file (possibly a signed link): never shown or logged.
    url = models.TextField(blank=True)
    size = models.BigIntegerField(null=True, blank=True, help_text="Bytes, once downloaded.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True, help_text="Why the file is not attached (refused or failed).")
    xero_attachment_id = models.CharField("Xero attachment ID", max_length=64, blank=True)
    attached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subcontractor_invoice", "procore_id"], name="uniq_sub_invoice_file",
                                    condition=models.Q(subcontractor_invoice__isnull=False)),
            models.UniqueConstraint(fields=["owner_invoice", "procore_id"], name="uniq_owner_invoice_file",
                                    condition=models.Q(owner_invoice__isnull=False)),
        ]
        indexes = [models.Index(fields=["link", "status"], name="invoicefile_link_status")]

    def __str__(self):
        return self.filename

    @property
    def record(self):
        return self.subcontractor_invoice or self.owner_invoice
