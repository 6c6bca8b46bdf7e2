"""The ERP status every exportable record carries (SYNC-1), as an abstract base model."""

from django.conf import settings
from django.db import models


class ErpStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    READY_TO_EXPORT = "ready_to_export", "Ready to export"
    READY_TO_UPDATE = "ready_to_update", "Ready to update"
    EXPORTING = "exporting", "Exporting"
    SYNCED = "synced", "Synced"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    RETRIEVED = "retrieved", "Retrieved"
    UNLINKED = "unlinked", "Unlinked"
    # Its Xero document was voided, deleted or edited in Xero since the connector last sent it (DRIFT-1).
    OUT_OF_SYNC = "out_of_sync", "Out of sync"


class ErpRecord(models.Model):
    """Fields shared by every record that goes through the approval queue to Xero."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    procore_id = models.BigIntegerField("Procore ID", null=True, blank=True)

    erp_status = models.CharField("ERP status", max_length=20, choices=ErpStatus.choices, default=ErpStatus.NOT_SENT)
    erp_status_changed_at = models.DateTimeField("ERP status changed at", null=True, blank=True)
    erp_message = models.TextField("ERP message", blank=True, help_text="The rejection reason or the failure message.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    xero_id = models.CharField("Xero ID", max_length=36, blank=True, help_text="The Xero document's ID once linked.")
    xero_synced_at = models.DateTimeField("synced to Xero at", null=True, blank=True)
    # Exactly-once export (SYNC-8): the key is set with `exporting` before the call and reused on retry.
    idempotency_key = models.CharField(max_length=128, blank=True)
    export_version = models.PositiveIntegerField(default=1)
    export_attempts = models.PositiveIntegerField(default=0)
    retry_after = models.DateTimeField(null=True, blank=True, help_text="Deferred by Xero's daily limit until then.")
    # A worker's lease on an `exporting` record (REL-5): other workers skip it until it expires, so a
    # killed worker's records are picked up again later, with the same idempotency key.
    export_claim = models.CharField(max_length=64, blank=True)
    export_claimed_until = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False, help_text="Locked against edits in Procore (origin_id set).")
    writeback_pending = models.BooleanField(
        default=False, help_text="Synced in Xero; Procore's origin_id still to be written."
    )

    # What the last reconcile found in Xero (DRIFT-1, DRIFT-3): each difference between the document Xero
    # holds and what the connector last sent, one per line; empty while they agree.
    xero_drift = models.TextField("Xero drift", blank=True, help_text="How Xero's document differs from what was last sent.")
    xero_checked_at = models.DateTimeField("checked in Xero at", null=True, blank=True, help_text="When the reconcile last read it from Xero.")

    procore_updated_at = models.DateTimeField("updated in Procore at", null=True, blank=True)
    removed_in_procore = models.BooleanField("removed in Procore", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Subclasses name themselves for messages and Xero links.
    erp_type_label = "record"

    class Meta:
        abstract = True

    @property
    def is_synced(self) -> bool:
        return self.erp_status == ErpStatus.SYNCED and bool(self.xero_id)
