"""The second-factor pages: enrol an authenticator, enter a code, manage one's devices.

Each page calls one function of :mod:`security.mfa`; the rules live there.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import mfa
from .forms import CodeForm, RemoveForm


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol: scan the QR code (or type the key), then confirm with one code. The recovery
    codes are shown once, on the answer to that confirmation."""
    if mfa.has_second_factor(request.user):
        return redirect(
            "second_factor_manage" if mfa.session_verified(request) else "second_factor_verify"
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.enrolment_confirm(request=request, token=form.cleaned_data["token"])
        if codes is not None:
            return render(
                request,
                "security/recovery_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
        form.add_error("token", _("That code is not the one your app shows. Try the next one."))
    enrolment = mfa.enrolment_start(user=request.user)
    qr = segno.make(enrolment.config_url, error="m").svg_data_uri(scale=4, border=2)
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": enrolment.secret,
            "next": _next(request),
            "required": mfa.second_factor_required(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code after the password, once per session."""
    if not mfa.has_second_factor(request.user):
        return redirect("second_factor_setup")
    if mfa.session_verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.second_factor_verify(request=request, token=form.cleaned_data["token"])
        if result.ok:
            return redirect(_next(request))
        if result.throttled:
            form.add_error(
                "token",
                _("Too many wrong codes. Wait %(seconds)s seconds, then enter the current code.")
                % {"seconds": result.wait_seconds},
            )
        else:
            form.add_error("token", _("That code is not valid."))
    return render(request, "security/verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    """A verified person's second factor: new recovery codes, or remove it (a lost phone)."""
    if not mfa.session_verified(request):
        return redirect(
            "second_factor_verify" if mfa.has_second_factor(request.user) else "second_factor_setup"
        )
    remove_form = RemoveForm(user=request.user)
    if request.method == "POST" and request.POST.get("action") == "recovery":
        codes = mfa.recovery_codes_issue(request=request)
        return render(
            request,
            "security/recovery_codes.html",
            {"codes": codes, "next": settings.LOGIN_REDIRECT_URL, "enrolled": False},
        )
    if request.method == "POST" and request.POST.get("action") == "remove":
        remove_form = RemoveForm(request.POST, user=request.user)
        if remove_form.is_valid():
            mfa.second_factor_remove(user=request.user)
            mfa.forget_session_device(request)
            return redirect("second_factor_setup")
    device = mfa.confirmed_totp(request.user)
    return render(
        request,
        "security/manage.html",
        {
            "device": device,
            "remove_form": remove_form,
            "required": mfa.second_factor_required(request.user),
        },
    )
