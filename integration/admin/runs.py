"""The page of one sync run (RPT-4): progress while it runs, then counts and errors linked to records."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from integration.models import SyncRun

REFRESH_SECONDS = 5
COUNT_NAMES = ("read", "created", "updated", "skipped", "failed")


def error_url(error: dict) -> str:
    """The admin page of the record an error names ({model, id, ...}), or "" when it has none."""
    model_name, pk = str(error.get("model") or ""), error.get("id")
    if not model_name or pk in (None, ""):
        return ""
    app_label, _, name = model_name.rpartition(".")
    try:
        model = apps.get_model(app_label or "integration", name.lower())
    except LookupError:
        return ""
    if model not in admin.site._registry:
        return ""
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""


def run_page(run: SyncRun) -> dict:
    counts = run.counts or {}
    running = run.status == SyncRun.Status.RUNNING
    percent = (100 * run.progress_done // run.progress_total) if run.progress_total else None
    return {
        "run": run,
        "running": running,
        "refresh_seconds": REFRESH_SECONDS if running else None,
        "percent": percent,
        "counts": [(name, counts.get(name, 0)) for name in COUNT_NAMES]
        + [(name, value) for name, value in sorted(counts.items()) if name not in COUNT_NAMES],
        "errors": [{**e, "url": error_url(e)} for e in (run.errors or [])],
    }
