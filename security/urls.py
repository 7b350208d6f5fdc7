from django.urls import path

from . import views

urlpatterns = [
    path("", views.manage, name="second_factor_manage"),
    path("setup/", views.setup, name="second_factor_setup"),
    path("verify/", views.verify, name="second_factor_verify"),
]
