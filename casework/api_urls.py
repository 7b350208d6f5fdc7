from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("cases", api.CaseViewSet, basename="case")
router.register("tasks", api.TaskViewSet, basename="task")

urlpatterns = [
    path(
        "tasks/<int:task_pk>/verify/",
        api.VerifyViewSet.as_view({"post": "create"}),
        name="task-verify",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
