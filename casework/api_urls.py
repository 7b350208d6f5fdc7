"""The API's addresses: ``/api/v1/`` (documented at ``/api/v1/schema/``) and ``/api/``.

``/api/`` keeps answering every caller written before versioning, unchanged: the same views
as v1 (a superset of the seven operations it had), plus the earlier ``verify`` operation,
all left out of the published schema. Redirecting it instead would turn every POST into a
redirect few clients follow with their credentials. It is deprecated: new callers use v1.
"""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import api, api_listings, api_records, api_schema

app_name = "api"


def _router(*, documented: bool) -> SimpleRouter:
    router = SimpleRouter()
    for prefix, viewset, basename in (
        ("cases", api.CaseViewSet, "case"),
        ("tasks", api.TaskViewSet, "task"),
    ):
        if not documented:
            viewset = type(viewset.__name__, (viewset,), {"schema": None})
        router.register(prefix, viewset, basename=basename)
    return router


def _records(*, documented: bool):
    return [
        path(
            route,
            (view if documented else type(view.__name__, (view,), {"schema": None})).as_view(),
            name=name,
        )
        for route, view, name in [*api_records.ROUTES, *api_listings.ROUTES]
    ]


def not_found(request, *args, **kwargs):
    """Any other address under the API: a JSON 404 like every API answer."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


schema_view = SpectacularAPIView.as_view(
    custom_settings=api_schema.SETTINGS,
    authentication_classes=api.ApiView.authentication_classes,
)

v1 = [
    path("schema/", schema_view, name="schema"),
    *_records(documented=True),
    *_router(documented=True).urls,
]

legacy = [
    path(
        "tasks/<str:task_pk>/verify/",
        type("VerifyViewSet", (api.VerifyViewSet,), {"schema": None}).as_view({"post": "create"}),
        name="task-verify",
    ),
    path("schema/", schema_view, name="schema"),
    *_records(documented=False),
    *_router(documented=False).urls,
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("", include((legacy, "legacy"))),
    re_path(r"", not_found),
]
