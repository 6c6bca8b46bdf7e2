"""What happened, by whom, and what each sync run did (SYNC-1, RPT-4, JC-6, REL-4)."""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEvent(models.Model):
    """One transition or attempt: who, when, what record, from, to, message, payload sent, answer
    received. Payloads are scrubbed of secrets before they are stored (REL-7)."""

    link = models.ForeignKey("integration.CompanyLink", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.BigIntegerField("object ID", null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    record_label = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, help_text="The user, or the system job that acted.")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    payload = models.JSONField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_record")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.shown_actor} {self.action.replace('_', ' ')} {self.record_label}"

    @property
    def shown_actor(self) -> str:
        """The actor as a person reads it: a system job's code name ("system: procore pull") in words
        ("System: Procore pull"), a user's name as stored."""
        name = self.actor_name
        if name == "system" or name.startswith("system: "):
            words = name.removeprefix("system").lstrip(": ").replace("_", " ")
            words = re.sub(r"\bprocore\b", "Procore", re.sub(r"\bxero\b", "Xero", words))
            return f"System: {words}" if words else "System"
        return name


class SyncRun(models.Model):
    """A pull, export or import run: progress while it runs, then counts and errors (RPT-4)."""

    class Kind(models.TextChoices):
        PULL = "pull", "Procore pull"
        EXPORT = "export", "Export to Xero"
        PAYMENTS = "payments", "Payments import"
        JOB_COSTS = "job_costs", "Job costs import"
        CONTACTS = "contacts", "Contacts import"
        WRITEBACK = "writeback", "Procore marking (origin_id write-back)"
        RECONCILE = "reconcile", "Reconcile with Xero"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        ON_DEMAND = "on_demand", "On demand"
        WEBHOOK = "webhook", "Webhook"
        COMMAND = "command", "Command line"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with errors"
        FAILED = "failed", "Failed"
        DEFERRED = "deferred", "Deferred"

    link = models.ForeignKey("integration.CompanyLink", null=True, blank=True, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.ON_DEMAND)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="The run's heartbeat: it moves with every save.")
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # read, created, updated, skipped, failed
    errors = models.JSONField(default=list, blank=True)  # [{"model", "id", "label", "message"}]
    deferred_until = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class WebhookEvent(models.Model):
    """A received webhook event, kept for deduplication (REL-4)."""

    class Source(models.TextChoices):
        XERO = "xero", "Xero"
        PROCORE = "procore", "Procore"

    source = models.CharField(max_length=10, choices=Source.choices)
    event_key = models.CharField(max_length=255)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "event_key"], name="uniq_webhook_event")]

    def __str__(self):
        return f"{self.get_source_display()} {self.event_key}"


class UnsyncableTransaction(models.Model):
    """A Xero cost document that could not become a direct cost, and why (JC-6, JC-8)."""

    link = models.ForeignKey("integration.CompanyLink", on_delete=models.CASCADE, related_name="+")
    xero_document_id = models.CharField("Xero document ID", max_length=36)
    document_type = models.CharField(max_length=15)
    reference = models.CharField(max_length=255, blank=True)
    contact_name = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    reason = models.TextField()
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "xero_document_id"], name="uniq_unsyncable_doc")
        ]

    def __str__(self):
        return f"{self.document_type} {self.reference or self.xero_document_id}: {self.reason}"
