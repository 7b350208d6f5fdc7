from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("public-key.pem", views.PublicKeyView.as_view(), name="public_key"),
    path(
        "cases/<str:reference>/casefile.pdf", views.CaseFilePdfView.as_view(), name="casefile_pdf"
    ),
    path("cases/<str:reference>/bundle.zip", views.BundleView.as_view(), name="bundle"),
]
