"""Nothing but the second-factor pages for a privileged person who has not passed one.

After django-otp's ``OTPMiddleware`` (which reads the session's verified device): a signed-in
person who needs a second factor (:func:`security.mfa.second_factor_required`) and has not
passed one in this session is sent to enrol (no confirmed authenticator yet) or to enter a
code; the API answers 403 with a sentence instead. What stays open: the second-factor pages
themselves, signing out, the language switch, and static files.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from . import mfa

OPEN_PREFIXES = ("/accounts/second-factor/", "/accounts/logout/", "/oidc/", "/i18n/", "/static/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and mfa.second_factor_required(user)
            and not mfa.session_verified(request)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "This account needs a second factor: sign in on the website and "
                        "enter the code from your authenticator app."
                    )
                },
                status=403,
            )
        enrolled = mfa.has_second_factor(request.user)
        target = reverse("second_factor_verify" if enrolled else "second_factor_setup")
        wanted = request.get_full_path()
        if (
            request.method == "GET"
            and url_has_allowed_host_and_scheme(
                wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            and wanted != settings.LOGIN_REDIRECT_URL
        ):
            target += "?" + urlencode({"next": wanted})
        return redirect(target)
