from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from casework.flows import CaseFlow
from casework.views import workflow_pages
from casework.viewsets import CaseAppViewset
from config import media
from reports import api as reports_api

site = Site(
    title=_("Accountability"),
    viewsets=[
        Application(
            title=_("Case work"),
            icon="gavel",
            app_name="work",
            viewsets=[
                CaseAppViewset(
                    CaseFlow,
                    icon="assignment",
                    # Need-to-know on viewflow's own process pages.
                    process_list_view_class=workflow_pages.CaseProcessListView,
                    chart_view_class=workflow_pages.CaseChartView,
                )
            ],
        ),
    ],
)

urlpatterns = [
    path("", RedirectView.as_view(url="/cases/", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The reporting portal: no login, its own pages (docs/portal.md).
    path("speak-up/", include("portal.urls")),
    path("accounts/second-factor/", include("security.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),  # 404 unless configured (security/oidc.py)
    path("accounts/", AuthViewset().urls),
    path("admin/", admin.site.urls),
    path("cases/", include("violations.urls")),
    path("", include("casework.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("reports.auditor.urls")),
    # --- api (issue 17): the case file and the bundle by API (reports), then the rest ---
    path(
        "api/v1/cases/<str:reference>/casefile.pdf",
        reports_api.CaseFilePdf.as_view(),
        name="api-casefile-pdf",
    ),
    path(
        "api/v1/cases/<str:reference>/bundle.zip", reports_api.Bundle.as_view(), name="api-bundle"
    ),
    path("api/", include(("casework.api_urls", "api"))),
    path("supervision/", include("reports.supervision_urls")),
    path("bulletins/", include("reports.bulletins.urls")),
    path("remediation/", include("remediation.urls")),
    path("sanctions/", include("sanctions.urls")),
    path("notifications/", include("notifications.urls")),
    # --- production (issue 18): the only route under MEDIA_URL (avatars; see config/media.py)
    path("media/<path:name>", media.media, name="media"),
    # --- end production ---
    path("", site.urls),
]
