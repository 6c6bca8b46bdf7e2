"""Xero → Procore: payments (PAY-1..6), job costs (JC-1..9), contacts and jobs (CO-2, CO-3, PRJ-4),
their schedules and the webhooks that trigger targeted syncs (REL-4). See each module's docstring."""

from .contacts import (
    companies_refresh,
    import_contacts,
    project_import_from_xero,
    tracking_options_importable,
    vendor_archive,
    vendor_link,
    vendor_link_suggestions,
    vendor_unarchive,
    vendor_unlink,
)
from .job_costs import direct_cost_lock, direct_cost_unlock, import_job_costs, import_xero_document
from .payments import (
    import_payments,
    payment_resolve,
    payment_update_number,
    payment_void,
    payments_deleted_in_xero,
)
from .schedules import enqueue_import, link_schedules_sync
from .summary import job_cost_summary_recompute

__all__ = [
    "companies_refresh", "direct_cost_lock", "direct_cost_unlock", "enqueue_import", "import_contacts",
    "import_job_costs", "import_payments", "import_xero_document", "job_cost_summary_recompute",
    "link_schedules_sync", "payment_resolve", "payment_update_number", "payment_void", "payments_deleted_in_xero",
    "project_import_from_xero", "tracking_options_importable", "vendor_archive", "vendor_link",
    "vendor_link_suggestions", "vendor_unarchive", "vendor_unlink",
]
