"""How the API authenticates (casework's API and reports' downloads alike)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication


class StrictBasicAuthentication(BasicAuthentication):
    """HTTP Basic; and credentials of any other scheme are refused (401) rather than
    ignored in favour of a session cookie that happens to travel with them."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header and not header.lower().startswith("basic "):
            raise exceptions.AuthenticationFailed(_("Only HTTP Basic credentials are accepted."))
        return super().authenticate(request)
