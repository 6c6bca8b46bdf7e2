"""The page of one sync run (RPT-4): progress while it runs, then counts and errors linked to records."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst

from integration.models import SyncRun
from integration.services.runs import STALE_AFTER, STOPPED_BY_ERROR, SWEEP_MINUTES, WORKER_GONE, stale_minutes

REFRESH_SECONDS = 5
COUNT_NAMES = ("read", "created", "updated", "skipped", "failed")
# What each count of a run means, in the words of the run list and page.
COUNT_WORDS = {
    "read": "read", "created": "created", "updated": "updated", "skipped": "unchanged", "failed": "failed",
    "removed": "removed in Procore", "queued": "queued for approval", "not_queued": "held back for what they need",
    "ready_to_update": "back for approval", "voided": "voided", "unsyncable": "unsyncable",
}


def _model_plural(name: str) -> str:
    try:
        return str(apps.get_model("integration", name)._meta.verbose_name_plural)
    except LookupError:
        return name.replace("_", " ")


def counts_sentence(counts: dict | None) -> str:
    """A run's counts as a sentence ("Read 227: 126 created, 47 held back for what they need."), the
    zero counts left out; "Nothing to do." when every count is zero."""
    counts = counts or {}
    # PostgreSQL's jsonb keeps keys in its own order: the sentence always reads in COUNT_WORDS' order.
    order = [*COUNT_WORDS, *sorted(set(counts) - set(COUNT_WORDS))]
    flat = {k: counts[k] for k in order if isinstance(counts.get(k), int) and not isinstance(counts.get(k), bool) and counts[k]}
    if not flat:
        return "Nothing to do."
    parts = [f"{n} {COUNT_WORDS.get(k, k.replace('_', ' '))}" for k, n in flat.items() if k != "read"]
    if "read" in flat:
        return f"Read {flat['read']}" + (f": {', '.join(parts)}." if parts else ".")
    return parts[0][0].upper() + ", ".join(parts)[1:] + "."


def counts_by_model(counts: dict | None) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The per-type counts of a run as a small table: the columns that are not all zero, a row per type."""
    per = (counts or {}).get("by_model") or {}
    if not isinstance(per, dict):
        return [], []
    keys = [k for k in COUNT_WORDS if any(isinstance(v, dict) and v.get(k) for v in per.values())]
    rows = [(capfirst(_model_plural(name)), [values.get(k, 0) for k in keys])
            for name, values in sorted(per.items()) if isinstance(values, dict)]
    return [COUNT_WORDS[k].capitalize() for k in keys], rows


def is_stuck(run: SyncRun, now=None) -> bool:
    """Running, and silent for the stale threshold: its worker is gone (the sweep is about to end it)."""
    now = now or timezone.now()
    return run.status == SyncRun.Status.RUNNING and run.updated_at is not None and run.updated_at < now - STALE_AFTER


def stuck_runs(now=None) -> list[SyncRun]:
    """The runs the dashboard names as stuck: still running with no progress for the stale threshold,
    or ended failed because their worker was gone or their task raised, and not yet followed by a
    later run of their kind on their link (which takes up their work)."""
    now = now or timezone.now()
    later = SyncRun.objects.filter(link_id=OuterRef("link_id"), kind=OuterRef("kind"), started_at__gt=OuterRef("started_at"))
    stopped = Q(status=SyncRun.Status.FAILED) & (Q(message__startswith=WORKER_GONE) | Q(message__startswith=STOPPED_BY_ERROR))
    silent = Q(status=SyncRun.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
    return list(SyncRun.objects.filter(silent | stopped).exclude(Exists(later))
                .select_related("link").order_by("-started_at")[:20])


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


def started_by(run: SyncRun) -> str:
    """Who or what started the run, never a bare dash."""
    if run.triggered_by_id:
        from .desk import person

        return person(run.triggered_by)
    return {"schedule": "the schedule", "webhook": "a webhook", "command": "the command line"}.get(run.trigger, "the connector")


def run_page(run: SyncRun) -> dict:
    counts = run.counts or {}
    model_columns, model_rows = counts_by_model(counts)
    running = run.status == SyncRun.Status.RUNNING
    percent = (100 * run.progress_done // run.progress_total) if run.progress_total else None
    return {
        "run": run,
        "running": running,
        "refresh_seconds": REFRESH_SECONDS if running else None,
        "percent": percent,
        "counts": [(COUNT_WORDS.get(name, name), counts.get(name, 0)) for name in COUNT_NAMES]
        + [(COUNT_WORDS.get(name, name.replace("_", " ")), value) for name, value in sorted(counts.items())
           if name not in COUNT_NAMES and isinstance(value, int)],
        "sentence": counts_sentence(counts),
        "stuck": is_stuck(run),
        "stale_minutes": stale_minutes(),
        "sweep_minutes": SWEEP_MINUTES,
        "model_columns": model_columns,
        "model_rows": model_rows,
        "started_by": started_by(run),
        "run_errors": [{**e, "url": error_url(e)} for e in (run.errors or []) if not e.get("held")],
        "held": [{**e, "url": error_url(e)} for e in (run.errors or []) if e.get("held")],
    }
