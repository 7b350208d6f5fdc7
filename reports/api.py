"""The case file PDF and the signed bundle by API (``/api/v1/cases/{reference}/…``), with
the download pages' rules: only internal auditors and case managers who may see the case;
a case the caller may not see answers exactly as a missing one."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.fields import empty
from rest_framework.views import APIView

from security.api_auth import API_AUTHENTICATION, API_PERMISSIONS, API_THROTTLES
from violations.exceptions import ServiceError
from violations.models import Case
from violations.policy import can_view_case

from . import services, signing
from .bundle import BundleError
from .casefile import Profile
from .labels import LANGUAGES


class _QueryChoice(serializers.ChoiceField):
    """A choice in the query string: given empty (``?lang=``) it is refused as not one of
    the choices, not taken as left out the way DRF takes an empty form field."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)


class Options(serializers.Serializer):
    profile = _QueryChoice(choices=[p.value for p in Profile], required=False)
    lang = _QueryChoice(choices=list(LANGUAGES), required=False)
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True)


class _Export(APIView):
    # As casework.api.ApiView (reports may not import casework): Basic, a token, or the
    # session; no token scope lists the downloads.
    authentication_classes = API_AUTHENTICATION
    permission_classes = API_PERMISSIONS
    throttle_classes = API_THROTTLES
    default_profile: str

    def prepare(self, request, reference):
        if "\x00" in reference or len(reference) > 100:
            raise Http404
        case = Case.objects.filter(reference=reference).first()
        if case is None or not can_view_case(request.user, case):
            raise Http404  # the same answer whether the case exists or not
        if not services.can_export(request.user, case):
            raise exceptions.PermissionDenied(
                _("Only internal auditors and case managers export case files.")
            )
        options = Options(data=request.query_params)
        options.is_valid(raise_exception=True)
        o = options.validated_data
        return case, {
            "profile": o.get("profile", self.default_profile),
            "lang": o.get("lang", "en"),
            "recipient": o.get("recipient", "").strip(),
        }


def _refused(error) -> exceptions.APIException:
    refusal = exceptions.APIException(str(getattr(error, "message", error)))
    refusal.status_code = getattr(error, "status_code", 409)
    return refusal


class CaseFilePdf(_Export):
    default_profile = Profile.INTERNAL
    api_operations = "case.casefile"

    @extend_schema(
        parameters=[Options],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="The case file as PDF (internal auditors and case managers).",
    )
    def get(self, request, reference):
        case, options = self.prepare(request, reference)
        try:
            pdf = services.casefile_export(case=case, actor=request.user, **options)
        except (ServiceError, BundleError) as error:
            raise _refused(error) from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{case.reference}-{options["profile"]}-{options["lang"]}.pdf"'
        )
        return response


class Bundle(_Export):
    default_profile = Profile.REGULATOR
    api_operations = "case.bundle"

    @extend_schema(
        parameters=[Options],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            (503, "application/json"): OpenApiResponse(
                description="No signing key is configured; an administrator must create one."
            ),
        },
        summary="The signed case bundle (internal auditors and case managers).",
    )
    def get(self, request, reference):
        case, options = self.prepare(request, reference)
        try:
            signing.load_private_key()
        except signing.SigningKeyError:
            unavailable = exceptions.APIException(
                _("No signing key is configured; an administrator must create one.")
            )
            unavailable.status_code = 503
            raise unavailable from None
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            services.bundle_export(case=case, actor=request.user, dest=spool, **options)
        except (ServiceError, BundleError) as error:
            spool.close()
            raise _refused(error) from None
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=f"{case.reference}-{options['profile']}.zip",
            content_type="application/zip",
        )
