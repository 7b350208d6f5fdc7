from django.urls import path

from . import views

app_name = "violations"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("mine/", views.MyReportsView.as_view(), name="my_reports"),
    path("declarations/", views.DeclarationsView.as_view(), name="my_declarations"),
    path("<str:reference>/acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("<str:reference>/evidence/", views.EvidenceAddView.as_view(), name="evidence_add"),
    path(
        "<str:reference>/evidence/<int:pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path(
        "<str:reference>/evidence/<int:pk>/supersede/",
        views.EvidenceSupersedeView.as_view(),
        name="evidence_supersede",
    ),
    path("<str:reference>/interviews/", views.InterviewAddView.as_view(), name="interview_add"),
    path(
        "<str:reference>/record-reviews/",
        views.RecordReviewAddView.as_view(),
        name="record_review_add",
    ),
    path(
        "<str:reference>/reporter/unmask/", views.UnmaskRequestView.as_view(), name="unmask_request"
    ),
    path(
        "<str:reference>/reporter/decide/", views.UnmaskDecideView.as_view(), name="unmask_decide"
    ),
    path(
        "<str:reference>/reporter/reveal/",
        views.IdentityRevealView.as_view(),
        name="identity_reveal",
    ),
]
