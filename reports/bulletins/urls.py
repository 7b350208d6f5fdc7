from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.BulletinListView.as_view(), name="list"),
    path("new/", views.BulletinDraftView.as_view(), name="new"),
    path("<int:pk>/", views.BulletinDetailView.as_view(), name="detail"),
    path("<int:pk>/title/", views.TitleEditView.as_view(), name="title"),
    path("<int:pk>/entries/<int:entry_pk>/", views.EntryEditView.as_view(), name="entry"),
    path("<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("<int:pk>/bulletin.pdf", views.BulletinPdfView.as_view(), name="pdf"),
]
