from django.contrib import admin
from django.urls import include, path

from integration.admin.views import urlpatterns as desk_urlpatterns
from integration.webhooks import procore_webhook, xero_webhook

# A refusal shows what was tried, who may do it and a way back, never a bare "403 Forbidden".
handler403 = "integration.views.errors.permission_denied"

urlpatterns = [
    # The approver's desk: the dashboard replaces the admin's index (admin:index resolves here first),
    # the reports live beside it; every view is wrapped by admin.site.admin_view.
    path("admin/", include((desk_urlpatterns(), "desk"))),
    path("admin/", admin.site.urls),
    # Connect flows (CONN-2): the OAuth redirect URIs are /connect/xero/callback and /connect/procore/callback.
    path("connect/", include("integration.views.urls")),
    # Webhooks (REL-4): register https://<host>/webhooks/xero in Xero and /webhooks/procore in Procore.
    path("webhooks/xero", xero_webhook, name="webhook-xero"),
    path("webhooks/procore", procore_webhook, name="webhook-procore"),
]
