from django.urls import path

from . import supervision_views

app_name = "supervision"

urlpatterns = [
    path("", supervision_views.DashboardView.as_view(), name="dashboard"),
    path("bulletin/", supervision_views.BulletinView.as_view(), name="bulletin"),
]
