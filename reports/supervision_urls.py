from django.urls import path
from django.views.generic import RedirectView

from . import supervision_views as views

app_name = "supervision"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("export/<slug:key>.csv", views.TableCSVView.as_view(), name="csv"),
    path("export.xlsx", views.WorkbookView.as_view(), name="xlsx"),
    path("export.pdf", views.PDFView.as_view(), name="pdf"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    # The bulletin is a publication now (reports/bulletins): this address leads to it.
    path("bulletin/", RedirectView.as_view(pattern_name="bulletins:list"), name="bulletin"),
]
