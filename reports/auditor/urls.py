from django.urls import path

from . import views

app_name = "auditor"

urlpatterns = [
    path("", views.DeskView.as_view(), name="desk"),
    path("config/", views.TrailView.as_view(page="config"), name="config"),
    path("people/", views.TrailView.as_view(page="people"), name="people"),
    path("security/", views.TrailView.as_view(page="security"), name="security"),
    path("export/", views.ExportView.as_view(), name="export"),
]
