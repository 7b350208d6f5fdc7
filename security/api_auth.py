"""How the API authenticates (casework's API and reports' downloads alike).

HTTP Basic serves only accounts that need no second factor. A privileged account
(:func:`security.mfa.second_factor_required`) proves itself with a password *and* a code;
Basic carries only the password, so for such an account it is refused (401) and the API is
used from a session that has passed its second factor.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from . import mfa


class StrictBasicAuthentication(BasicAuthentication):
    """HTTP Basic; credentials of any other scheme are refused (401) rather than ignored in
    favour of a session cookie that happens to travel with them, and so are privileged
    accounts, which need their second factor."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header and not header.lower().startswith("basic "):
            raise exceptions.AuthenticationFailed(_("Only HTTP Basic credentials are accepted."))
        return super().authenticate(request)

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if mfa.second_factor_required(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "This account needs a second factor: password-only API access is refused. "
                    "Use a signed-in session that has passed its second factor."
                )
            )
        return user, auth
