from django.urls import path

from . import views

app_name = "sanctions"

urlpatterns = [
    path("employees/<str:staff_number>/", views.RecordView.as_view(), name="record"),
    path("sanction/<int:pk>/end/", views.EndSanctionView.as_view(), name="end"),
]
