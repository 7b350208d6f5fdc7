"""HTTP Basic for the API, for accounts that need no second factor.

A privileged account (:func:`security.mfa.second_factor_required`) proves itself with a
password *and* a code; Basic carries only the password, so for such an account it is refused
(401) and the API is used from a session that has passed its second factor.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from . import mfa


class BasicAuthenticationWithoutSecondFactor(BasicAuthentication):
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


class BasicWithoutSecondFactorScheme(BasicScheme):
    """The same HTTP Basic scheme in the OpenAPI schema."""

    target_class = "security.api_auth.BasicAuthenticationWithoutSecondFactor"
