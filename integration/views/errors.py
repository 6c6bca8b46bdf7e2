"""The refusal page (403): what the user tried, which role may do it, and a way back."""

from __future__ import annotations

from django.http import HttpResponseForbidden
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def permission_denied(request, exception=None):
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    reason = str(exception or "")
    body = loader.get_template("403.html").render({"exception": reason, "back": back}, request)
    return HttpResponseForbidden(body)
