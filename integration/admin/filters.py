from datetime import timedelta

from django.contrib import admin
from django.utils import timezone


class AgeFilter(admin.SimpleListFilter):
    """How long a record has been in its current ERP status (the approver's "age")."""

    title = "age in status"
    parameter_name = "age"
    BUCKETS = {
        "today": ("Less than a day", 0, 1),
        "week": ("1 to 7 days", 1, 7),
        "month": ("7 to 30 days", 7, 30),
        "older": ("More than 30 days", 30, None),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _, _) in self.BUCKETS.items()]

    def queryset(self, request, queryset):
        bucket = self.BUCKETS.get(self.value())
        if bucket is None:
            return queryset
        _, low, high = bucket
        now = timezone.now()
        queryset = queryset.filter(erp_status_changed_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(erp_status_changed_at__gt=now - timedelta(days=high))
        return queryset
