"""`/connect/...`: the connect flows (CONN-2). Included from config/urls.py."""

from django.urls import path

from . import connect

app_name = "connect"

urlpatterns = [
    path("xero/callback", connect.callback, {"provider": "xero"}, name="xero_callback"),
    path("procore/callback", connect.callback, {"provider": "procore"}, name="procore_callback"),
    path("<int:link_id>/xero/organisation", connect.xero_organisation, name="xero_organisation"),
    path("<int:link_id>/procore/company", connect.procore_company, name="procore_company"),
    path("<int:link_id>/procore/service-account", connect.procore_service_account, name="procore_service_account"),
    path("<int:link_id>/<str:provider>/start", connect.start, name="start"),
    path("<int:link_id>/<str:provider>/reconnect", connect.reconnect, name="reconnect"),
    path("<int:link_id>/<str:provider>/check", connect.check, name="check"),
    path("<int:link_id>/<str:provider>/disconnect", connect.disconnect, name="disconnect"),
]
