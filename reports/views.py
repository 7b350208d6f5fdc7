"""Downloads: the case-file PDF, the signed bundle, and the institution's public key."""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View

from violations.exceptions import NotAllowed, ServiceError
from violations.models import Case
from violations.policy import can_view_case

from . import services, signing
from .bundle import BundleError
from .casefile import Profile
from .labels import normalise_language


def _exportable_case(user, reference: str) -> Case:
    case = Case.objects.filter(reference=reference).first()
    if case is None or not can_view_case(user, case):
        raise Http404(_("No such case."))  # same answer whether it exists or not
    if not services.can_export(user, case):
        raise NotAllowed(_("Only internal auditors and case managers export case files."))
    return case


def _choice(request, name: str, default: str, allowed) -> str:
    value = request.GET.get(name) or default
    if value not in allowed:
        raise Http404(_("Unknown option."))
    return value


def _language(request) -> str:
    try:
        return normalise_language(request.GET.get("lang") or translation.get_language())
    except ValueError:
        raise Http404(_("Unknown language.")) from None


def _refused(request, case: Case, error: Exception) -> HttpResponse:
    """An export refused (the case does not verify, a file is gone, a race): the reason,
    and nothing exported."""
    return render(
        request,
        "accountability/refused.html",
        {"title": _("Export refused"), "message": str(error), "case": case},
        status=getattr(error, "status_code", 409),
    )


class CaseFilePdfView(LoginRequiredMixin, View):
    def get(self, request, reference):
        case = _exportable_case(request.user, reference)
        profile = _choice(request, "profile", Profile.INTERNAL, {p.value for p in Profile})
        lang = _language(request)
        recipient = (request.GET.get("recipient") or "").strip()[:200]
        try:
            pdf = services.casefile_export(
                case=case, actor=request.user, profile=profile, lang=lang, recipient=recipient
            )
        except (ServiceError, BundleError) as error:
            return _refused(request, case, error)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{case.reference}-{profile}-{lang}.pdf"'
        )
        return response


class BundleView(LoginRequiredMixin, View):
    def get(self, request, reference):
        case = _exportable_case(request.user, reference)
        profile = _choice(request, "profile", Profile.REGULATOR, {p.value for p in Profile})
        lang = _language(request)
        recipient = (request.GET.get("recipient") or "").strip()[:200]
        try:
            signing.load_private_key()
        except signing.SigningKeyError:
            return HttpResponse(
                _("No signing key is configured; an administrator must create one."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        # Spooled to disk past 8 MB: evidence can be large and memory stays flat.
        # Not a with-block: the response streams the file and closes it when sent.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            services.bundle_export(
                case=case,
                actor=request.user,
                dest=spool,
                profile=profile,
                lang=lang,
                recipient=recipient,
            )
        except (ServiceError, BundleError) as error:
            spool.close()
            return _refused(request, case, error)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=f"{case.reference}-{profile}.zip",
            content_type="application/zip",
        )


class PublicKeyView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            pem = signing.public_pem()
        except signing.SigningKeyError:
            return HttpResponse(
                _("No signing key is configured yet."),
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(pem, content_type="application/x-pem-file")
        response["Content-Disposition"] = 'attachment; filename="case-bundle-public-key.pem"'
        return response
