"""The records of a case by API: each write is the case page's own action (its form, its
``perform``, its service), each read is what the case page shows.

A case the caller may not see answers 404 exactly as a missing one, before anything else.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from remediation import views as remediation_pages
from violations import policy
from violations import selectors as case_selectors
from violations.models import Case
from violations.views import cases as case_pages

from .api import ApiView, body_of, id_parameter, parse_id, visible_case
from .api_pages import form_serializer, open_page, submit
from .selectors import ACTION_LABELS
from .views import case as casework_pages


class RecordedSerializer(serializers.Serializer):
    case = serializers.CharField()
    id = serializers.IntegerField(allow_null=True, help_text="The record written, if one was.")
    message = serializers.CharField()


class CasePageAction(ApiView, GenericAPIView):
    """POST runs ``page_class`` (a form page of the case) on the case named in the path."""

    page_class: type
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = RecordedSerializer

    def case_for(self, request, reference) -> Case:
        return visible_case(request.user, reference)

    def allowed(self, request, case) -> None:
        """A check the page makes in its ``dispatch`` beyond seeing the case."""

    def post(self, request, reference, **kwargs):
        if "pk" in kwargs:
            kwargs["pk"] = parse_id(kwargs["pk"])
        case = self.case_for(request, reference)
        self.allowed(request, case)
        data, files = body_of(request)
        page = open_page(self.page_class, request, case=case, reference=reference, **kwargs)
        result = submit(page, data, files)
        return Response(
            RecordedSerializer(
                {
                    "case": case.reference,
                    "id": getattr(result, "pk", None),
                    "message": str(page.success_message),
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


def page_action(
    name: str,
    page_class,
    summary: str,
    *,
    operation: str,
    base=CasePageAction,
    multipart=False,
    with_id=False,
):
    body = form_serializer(f"{name}Body", page_class.form_class)
    request = {"multipart/form-data": body} if multipart else {"application/json": body}
    if not multipart:
        request["multipart/form-data"] = body

    parameters = [id_parameter()] if with_id else []

    @extend_schema(
        request=request,
        responses={201: RecordedSerializer},
        summary=summary,
        parameters=parameters,
    )
    def post(self, request, reference, **kwargs):
        return base.post(self, request, reference, **kwargs)

    return type(
        name,
        (base,),
        {"page_class": page_class, "post": post, "__doc__": summary, "api_operations": operation},
    )


class TeamAction(CasePageAction):
    def allowed(self, request, case):
        if not policy.has(request.user, "form_team"):
            raise exceptions.PermissionDenied


class DeclarationAction(CasePageAction):
    """A member declares before seeing the case: membership is the check, as on the page."""

    def case_for(self, request, reference):
        case = Case.objects.filter(reference=reference[:100].replace("\x00", "")).first()
        if case is None or not case.team.filter(user=request.user, active=True).exists():
            from django.http import Http404

            raise Http404
        return case


Acknowledge = page_action(
    "AcknowledgeAction",
    case_pages.AcknowledgeView,
    "Acknowledge the report to the reporter.",
    operation="case.acknowledge",
)
EvidenceAdd = page_action(
    "EvidenceAction",
    case_pages.EvidenceAddView,
    "Add an evidence file (stored with its SHA-256; the page's type and size checks).",
    multipart=True,
    operation="case.evidence",
)
InterviewAdd = page_action(
    "InterviewAction",
    case_pages.InterviewAddView,
    "Record an interview.",
    operation="case.interview",
)
RecordReviewAdd = page_action(
    "RecordReviewAction",
    case_pages.RecordReviewAddView,
    "Record a review of a record.",
    operation="case.record_review",
)
TeamChange = page_action(
    "TeamChangeAction",
    casework_pages.TeamChangeView,
    "Change the investigation team (who leaves, joins or leads, and why).",
    base=TeamAction,
    operation="case.team",
)
Declare = page_action(
    "DeclarationAction",
    casework_pages.DeclareView,
    "A team member's conflict-of-interest declaration.",
    base=DeclarationAction,
    operation="case.declare",
)
AppealFile = page_action(
    "AppealAction",
    casework_pages.AppealFileView,
    "File a sanctioned person's appeal while the appeal window is open.",
    operation="case.appeal",
)
CaseCancel = page_action(
    "CaseCancelAction",
    casework_pages.CaseCancelView,
    "Cancel the case, with a reason.",
    operation="case.cancel",
)
ActionCancel = page_action(
    "ActionCancelAction",
    casework_pages.ActionCancelView,
    "Cancel an open corrective action and its task, with a reason.",
    operation="case.action_cancel",
    with_id=True,
)
CustomerInformationRequest = page_action(
    "CustomerInformationRequestAction",
    remediation_pages.CustomerInformationRequestView,
    "Record that the customer was asked for information; the complaint clock pauses.",
    operation="case.customer_information_request",
)
CustomerInformationReceive = page_action(
    "CustomerInformationAnswerAction",
    remediation_pages.CustomerInformationReceiveView,
    "Record the customer's answer to an open request; the complaint clock runs again.",
    operation="case.customer_information_answer",
    with_id=True,
)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="event.occurred_at")
    action = serializers.CharField(source="event.action")
    label = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField(source="event.reason", allow_blank=True)


class Timeline(ApiView, GenericAPIView):
    """The case's timeline as the case page shows it (every audit event, in order)."""

    serializer_class = TimelineEntrySerializer
    pagination_class = None
    api_operations = "case.timeline"

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    def get(self, request, reference):
        case = visible_case(request.user, reference)
        entries = case_selectors.timeline(case, request.user, ACTION_LABELS)
        return Response(TimelineEntrySerializer(entries, many=True).data)


ROUTES = [
    ("cases/<str:reference>/acknowledge/", Acknowledge, "case-acknowledge"),
    ("cases/<str:reference>/evidence/", EvidenceAdd, "case-evidence"),
    ("cases/<str:reference>/interviews/", InterviewAdd, "case-interviews"),
    ("cases/<str:reference>/record-reviews/", RecordReviewAdd, "case-record-reviews"),
    ("cases/<str:reference>/team/", TeamChange, "case-team"),
    ("cases/<str:reference>/declaration/", Declare, "case-declaration"),
    ("cases/<str:reference>/appeals/", AppealFile, "case-appeals"),
    ("cases/<str:reference>/cancel/", CaseCancel, "case-cancel"),
    ("cases/<str:reference>/actions/<str:pk>/cancel/", ActionCancel, "case-action-cancel"),
    (
        "cases/<str:reference>/customer-information-requests/",
        CustomerInformationRequest,
        "case-customer-information-requests",
    ),
    (
        "cases/<str:reference>/customer-information-requests/<str:pk>/answer/",
        CustomerInformationReceive,
        "case-customer-information-answer",
    ),
    ("cases/<str:reference>/timeline/", Timeline, "case-timeline"),
]
