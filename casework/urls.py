from django.urls import path

from .views import case, retention, steps

app_name = "casework"

urlpatterns = [
    path("cases/<str:reference>/", case.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<str:reference>/as-of/", case.CaseAsOfView.as_view(), name="case_as_of"),
    path("cases/<str:reference>/reassign/", case.ReassignView.as_view(), name="reassign"),
    path("cases/<str:reference>/cancel/", case.CaseCancelView.as_view(), name="case_cancel"),
    path(
        "cases/<str:reference>/reporter-messages/",
        case.ReporterMessageView.as_view(),
        name="reporter_message",
    ),
    path("cases/<str:reference>/team/", case.TeamChangeView.as_view(), name="team_change"),
    path("cases/<str:reference>/declare/", case.DeclareView.as_view(), name="declare"),
    path(
        "cases/<str:reference>/legal-hold/",
        retention.LegalHoldSetView.as_view(),
        name="legal_hold_set",
    ),
    path(
        "cases/<str:reference>/legal-hold/lift/",
        retention.LegalHoldLiftView.as_view(),
        name="legal_hold_lift",
    ),
    path("report/receipt/", steps.DeskReceiptView.as_view(), name="desk_receipt"),
    path("tasks/<int:pk>/done/", case.DoneTaskView.as_view(), name="done_task"),
    path("tasks/<int:pk>/claim/", steps.ClaimAndOpenView.as_view(), name="claim_and_open"),
    path(
        "sanctions/cases/<str:reference>/appeal/", case.AppealFileView.as_view(), name="appeal_file"
    ),
    path(
        "remediation/<str:reference>/actions/<int:pk>/cancel/",
        case.ActionCancelView.as_view(),
        name="action_cancel",
    ),
]
