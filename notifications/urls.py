from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("read/", views.MarkReadView.as_view(), name="mark_read"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="open"),
    path("preferences/", views.PreferenceView.as_view(), name="preferences"),
]
