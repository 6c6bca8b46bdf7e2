"""`{% connection_rows link as rows %}`: the two connections of a company link for its admin page (CONN-2).

Only statuses, names and dates: never a token (REL-7).
"""

from django import template

from integration.models import Connection
from integration.services.connect import redirect_uri

register = template.Library()


@register.simple_tag
def connection_rows(link) -> list[dict]:
    conns = {c.provider: c for c in Connection.objects.filter(link=link)}
    rows = []
    for provider, paired in ((Connection.Provider.XERO, link.xero_tenant_name or link.xero_tenant_id),
                             (Connection.Provider.PROCORE, link.procore_company_name or link.procore_company_id)):
        conn = conns.get(provider)
        if conn and conn.needs_reconnect:
            status = Connection.Status.NEEDS_RECONNECT
        else:
            status = conn.status if conn and conn.access_token else Connection.Status.DISCONNECTED
        rows.append({
            "provider": provider.value, "label": provider.label, "status": status,
            "message": conn.reconnect_reason if conn else "",
            "service_account": bool(conn and conn.auth_type == Connection.AuthType.CLIENT_CREDENTIALS),
            "expires_at": conn.expires_at if conn and status == Connection.Status.CONNECTED else None,
            "connected_by": conn.connected_by if conn else None,
            "paired": paired or "", "redirect_uri": redirect_uri(provider),
        })
    return rows
