"""Company links (CONN-1), their settings (CONN-4) and their two connections (CONN-2, CONN-3)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from .fields import EncryptedTextField, is_unreadable


class CostCodeExportMode(models.TextChoices):
    ITEMS = "items", "As Xero Items (Procore's way)"
    TRACKING = "tracking", "As options of a 'Cost Codes' tracking category (Calance Dimension's way)"


class XeroDocumentStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Awaiting approval (submitted)"
    AUTHORISED = "AUTHORISED", "Approved (authorised)"


class AmountsTax(models.TextChoices):
    EXCLUSIVE = "exclusive", "Exclusive: Procore's amounts are before tax; Xero adds it"
    INCLUSIVE = "inclusive", "Inclusive: Procore's amounts include the tax"
    NO_TAX = "no_tax", "No tax"


#: How each `amounts_tax` is told to Xero (Invoice.LineAmountTypes, OAS `LineAmountTypes`).
LINE_AMOUNT_TYPES = {AmountsTax.EXCLUSIVE: "Exclusive", AmountsTax.INCLUSIVE: "Inclusive", AmountsTax.NO_TAX: "NoTax"}


class NegativeInvoices(models.TextChoices):
    CREDIT_NOTE = "credit_note", "Export as a Xero credit note (allocated to the open bill or sales invoice)"
    REFUSE = "refuse", "Refuse with a reason"


def negatives_as_credit_notes(link) -> bool:
    """INV-3, CRED-1: whether the link exports a negative invoice as a credit note (`negative_invoices`
    unset counts as its default, `credit_note`) rather than refusing it."""
    return (getattr(link, "negative_invoices", None) or NegativeInvoices.CREDIT_NOTE) == NegativeInvoices.CREDIT_NOTE


class PaymentSyncFrequency(models.TextChoices):
    FIVE_MINUTES = "5min", "Every 5 minutes"
    HOURLY = "hourly", "Hourly"
    TWO_HOURS = "2h", "Every 2 hours"
    FOUR_HOURS = "4h", "Every 4 hours"
    DAILY = "daily", "Daily"
    NEVER = "never", "Never"


class CompanyLink(models.Model):
    """One Procore company paired with one Xero organisation. Everything else is scoped to a link."""

    name = models.CharField(max_length=200)
    procore_company_id = models.BigIntegerField("Procore company ID", null=True, blank=True)
    procore_company_name = models.CharField("Procore company name", max_length=255, blank=True)
    xero_tenant_id = models.CharField("Xero tenant ID", max_length=64, blank=True)
    xero_tenant_name = models.CharField("Xero tenant name", max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    # Settings (CONN-4)
    project_tracking_category = models.CharField(max_length=100, default="Project")
    cost_code_tracking_category = models.CharField(max_length=100, default="Cost Codes")
    cost_code_export_mode = models.CharField(
        max_length=10, choices=CostCodeExportMode.choices, default=CostCodeExportMode.ITEMS
    )
    retainage_item_code = models.CharField(max_length=30, default="RETAINAGE")
    default_purchase_account = models.CharField(max_length=10, default="310")
    default_sales_account = models.CharField(max_length=10, default="200")
    # Retainage withheld is owed, not a cost (BOOK-2): a bill's goes to a liability, a sales invoice's to an asset.
    retainage_account_code = models.CharField(
        max_length=10, blank=True,
        help_text="Retentions payable: the LIABILITY account of the retainage withheld on bills. Required before a bill with retainage exports.")
    retainage_receivable_account_code = models.CharField(
        max_length=10, blank=True,
        help_text="Retentions receivable: the ASSET account of the retainage withheld on sales invoices. Required before an owner invoice with retainage exports.")
    amounts_tax = models.CharField(
        max_length=10, choices=AmountsTax.choices, default=AmountsTax.EXCLUSIVE,
        help_text="How Procore's amounts relate to tax: sets the documents' LineAmountTypes, and with "
                  "'exclusive' the payments brought back to Procore are net of tax.",
    )
    xero_document_status = models.CharField(
        "Xero document status", max_length=10, choices=XeroDocumentStatus.choices, default=XeroDocumentStatus.AUTHORISED,
        help_text="The status of the bills, sales invoices and purchase orders the connector creates in Xero. "
                  "Authorised by default: an approver has already approved each record.",
    )
    # Organisation.Timezone as Xero names it (e.g. NEWZEALANDSTANDARDTIME), read by the export (BOOK-1).
    xero_timezone = models.CharField("Xero timezone", max_length=60, blank=True, help_text="The Xero organisation's time zone, as Xero reports it.")
    xero_base_currency = models.CharField("Xero base currency", max_length=3, blank=True,
                                          help_text="The Xero organisation's base currency, as Xero reports it.")
    xero_currencies = models.JSONField(
        "Xero currencies", default=list, blank=True,
        help_text="The currencies the Xero organisation has enabled (GET /Currencies), read when the link's "
                  "settings are saved and at each export run.")
    xero_tax_types = models.JSONField(
        "Xero tax types", default=list, blank=True,
        help_text="The Xero organisation's active tax rates (GET /TaxRates), read when the link's settings are "
                  "saved and at each export run that sends a mapped TaxType.")
    commitment_sync = models.BooleanField(default=True, help_text="Export commitments as Xero purchase orders.")
    direct_export = models.BooleanField(default=False, help_text="Records skip approval and export at once.")
    export_attachments = models.BooleanField(
        default=True, help_text="Attach the files of each exported subcontractor and owner invoice to its Xero document.")
    negative_invoices = models.CharField(
        max_length=12, choices=NegativeInvoices.choices, default=NegativeInvoices.CREDIT_NOTE,
        help_text="What an approved invoice whose total is negative becomes: a supplier credit note "
                  "(an owner invoice: a sales credit note) allocated to the open bill of its commitment (prime "
                  "contract), or refused with a reason.")
    payment_sync_frequency = models.CharField(
        max_length=10, choices=PaymentSyncFrequency.choices, default=PaymentSyncFrequency.HOURLY
    )
    payment_cutoff = models.DateField(
        null=True, blank=True, help_text="Only Xero payments dated on or after this day are imported."
    )
    job_cost_sync_time = models.TimeField(default="02:00", help_text="Daily job cost sync, local time.")
    project_stage_name = models.CharField(max_length=100, default="Send to Xero")
    vendor_contact_group = models.CharField(max_length=100, default="Procore")
    procore_webhooks = models.BooleanField(
        "Procore webhooks", default=False,
        help_text="Procore webhooks are set up for this company, so each change is re-read as its event "
                  "arrives: the hourly pull becomes a daily safety net.",
    )
    procore_standard_cost_code_list_id = models.BigIntegerField("Procore standard cost code list ID", null=True, blank=True)

    # High-water marks of the incremental syncs, per resource: {"vendors": "2026-01-01T00:00:00+00:00"}
    sync_cursors = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # One Xero organisation belongs to one link (SEC-3): its webhooks and its books have one owner.
            models.UniqueConstraint(Lower("xero_tenant_id"), name="uniq_link_xero_tenant", condition=~models.Q(xero_tenant_id="")),
        ]
        permissions = [
            ("push_to_accounting", "Can push to accounting (accept or reject records)"),
            ("send_to_erp", "Can send, retrieve and resend records to the ERP queue"),
            ("manage_erp", "Can configure links, connect, run syncs, unlink, lock and unlock"),
            ("view_erp_reports", "Can view the ERP reports"),
        ]

    def __str__(self):
        return self.name

    def connection(self, provider: str) -> "Connection | None":
        for conn in self.connections.all():
            if conn.provider == provider:
                return conn
        return None


class Connection(models.Model):
    """The OAuth connection of a link to one service; tokens are encrypted at rest (CONN-3)."""

    class Provider(models.TextChoices):
        XERO = "xero", "Xero"
        PROCORE = "procore", "Procore"

    class AuthType(models.TextChoices):
        AUTHORIZATION_CODE = "authorization_code", "Authorization code"
        CLIENT_CREDENTIALS = "client_credentials", "Service account (client credentials)"

    class Status(models.TextChoices):
        DISCONNECTED = "disconnected", "Disconnected"
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"

    link = models.ForeignKey(CompanyLink, on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    auth_type = models.CharField(max_length=20, choices=AuthType.choices, default=AuthType.AUTHORIZATION_CODE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DISCONNECTED)
    status_message = models.TextField(blank=True)

    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(blank=True)
    token_type = models.CharField(max_length=20, blank=True, default="Bearer")
    # A service account's own credentials (Procore client credentials), when used.
    service_client_id = models.CharField("service client ID", max_length=255, blank=True)
    service_client_secret = EncryptedTextField(blank=True, default="")

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    refresh_count = models.PositiveIntegerField(default=0)
    # Xero's day limit as last reported (X-DayLimit-Remaining), for the dashboard.
    day_limit_remaining = models.IntegerField(null=True, blank=True)
    day_limit_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "provider"], name="uniq_connection_per_provider")]

    SECRETS = ("access_token", "refresh_token", "service_client_secret")
    KEY_CHANGED = "the encryption key changed"

    def __str__(self):
        return f"{self.link} · {self.get_provider_display()} ({self.shown_status})"

    @property
    def key_changed(self) -> bool:
        """A stored token or secret that no key of FIELD_ENCRYPTION_KEY decrypts (SEC-1): the key changed."""
        return any(is_unreadable(getattr(self, name)) for name in self.SECRETS)

    @property
    def needs_reconnect(self) -> bool:
        return self.key_changed or self.status == self.Status.NEEDS_RECONNECT

    @property
    def reconnect_reason(self) -> str:
        return self.KEY_CHANGED if self.key_changed else self.status_message

    @property
    def shown_status(self) -> str:
        """The status as the admin shows it: "Needs reconnect: the encryption key changed" when no key opens it."""
        if self.key_changed:
            return f"{self.Status.NEEDS_RECONNECT.label}: {self.KEY_CHANGED}"
        return self.get_status_display()


class AccountMapping(models.Model):
    """Xero account → cost item, for manual journal lines imported as direct costs (JC-8)."""

    link = models.ForeignKey(CompanyLink, on_delete=models.CASCADE, related_name="account_mappings")
    account_code = models.CharField(max_length=10)
    cost_item = models.ForeignKey("integration.CostItem", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "account_code"], name="uniq_account_mapping")]

    def __str__(self):
        return f"{self.account_code} → {self.cost_item}"

    def save(self, *args, **kwargs):
        # Whatever the path (a form, a script, a fixture), a mapping never sends one link's journal
        # lines to another link's cost item (SEC-3).
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        from integration.isolation import require_same_link

        if self.link_id and self.cost_item_id:
            require_same_link(self.link_id, cost_item=self.cost_item)
