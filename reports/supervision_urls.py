from django.urls import path
from django.views.generic import RedirectView

from . import supervision_views

app_name = "supervision"

urlpatterns = [
    path("", supervision_views.DashboardView.as_view(), name="dashboard"),
    # The bulletin is a publication now (reports/bulletins): this address leads to it.
    path("bulletin/", RedirectView.as_view(pattern_name="bulletins:list"), name="bulletin"),
]
