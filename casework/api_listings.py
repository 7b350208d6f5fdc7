"""Reads by API: a case's records as its page shows them, a reporter's own reports, and the
sanctions HR executes.

The records of a case (findings, proposals with their decisions, defence, corrective actions
with their proof, effectiveness reviews) answer only to those who may see the case, with
the page's rule (``visible_case``): a hidden case answers exactly as a missing one. Each
serializer names its fields; people appear as the page shows them (a user by login, a staff
member by staff number and name), nothing more.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from viewflow.workflow.models import Task

from remediation.models import CorrectiveAction, EffectivenessReview
from sanctions.models import (
    ApprovalDecision,
    DefenceRecord,
    ProposalStatus,
    ProposedSanction,
    SanctionProposal,
    SanctionStatus,
)
from violations import policy, selectors
from violations.models import Case, Finding

from .api import ApiView, ModelSerializer, visible_case
from .engine import OPEN_STATUSES, node
from .steps import Step

Login = serializers.SlugRelatedField(slug_field="username", read_only=True)


class EmployeeSerializer(serializers.Serializer):
    staff_number = serializers.CharField()
    name = serializers.CharField()


class ResponsibleSerializer(serializers.Serializer):
    employee = EmployeeSerializer()
    responsibility = serializers.CharField()


class FindingSerializer(ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsible = ResponsibleSerializer(many=True, read_only=True)
    found_by = Login

    class Meta:
        model = Finding
        fields = [
            "round",
            "established",
            "category",
            "nature",
            "severity",
            "responsible",
            "customer_loss",
            "legal_matter",
            "facts_clear",
            "evidence_conclusive",
            "characterization_accurate",
            "handling_appropriate",
            "found_by",
            "found_at",
        ]


class ProposedSanctionSerializer(ModelSerializer):
    employee = EmployeeSerializer(read_only=True)

    class Meta:
        model = ProposedSanction
        fields = [
            "id",
            "employee",
            "sanction_type",
            "detail",
            "amount",
            "period_start",
            "period_end",
            "status",
            "effective_date",
            "executed_at",
        ]


class DecisionSerializer(ModelSerializer):
    approver = Login

    class Meta:
        model = ApprovalDecision
        fields = ["approver", "level", "decision", "reason", "decided_at"]


class ProposalSerializer(ModelSerializer):
    proposed_by = Login
    items = ProposedSanctionSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = SanctionProposal
        fields = [
            "round",
            "status",
            "required_level",
            "approvals_required",
            "justification",
            "proposed_by",
            "proposed_at",
            "items",
            "decisions",
        ]


class DefenceSerializer(ModelSerializer):
    proposal = serializers.IntegerField(source="proposal.round", help_text="The proposal round.")
    employee = EmployeeSerializer(read_only=True)
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = DefenceRecord
        fields = [
            "proposal",
            "employee",
            "notified_at",
            "notice",
            "due_at",
            "status",
            "statement",
            "received_at",
            "recorded_by",
        ]


class ProofSerializer(serializers.Serializer):
    evidence = serializers.IntegerField(source="pk")
    file_name = serializers.CharField(source="original_name")
    sha256 = serializers.CharField()


class CorrectiveActionSerializer(ModelSerializer):
    owner = Login
    root_causes = serializers.SerializerMethodField()
    proof = ProofSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "round",
            "kind",
            "description",
            "root_causes",
            "owner",
            "due_date",
            "status",
            "proof",
            "proof_link",
            "completion_note",
            "completed_at",
            "cancel_reason",
            "cancelled_at",
        ]

    def get_root_causes(self, action) -> list[str]:
        return [c.description for c in action.root_causes.all()]


class EffectivenessReviewSerializer(ModelSerializer):
    reviewer = Login

    class Meta:
        model = EffectivenessReview
        fields = [
            "round",
            "verdict",
            "timeliness",
            "pertinence",
            "effectiveness",
            "reasons",
            "reviewer",
            "reviewed_at",
        ]


class CaseRecords(ApiView, GenericAPIView):
    """``GET``: one kind of record of a case the caller may see, in the page's order."""

    pagination_class = None
    records: str  # what the view lists, for its queryset

    def rows(self, case):
        raise NotImplementedError

    def get(self, request, reference):
        case = visible_case(request.user, reference)
        return Response(self.get_serializer(self.rows(case), many=True).data)


def listing(name, serializer, operation, summary, rows):
    @extend_schema(responses=serializer(many=True), summary=summary)
    def get(self, request, reference):
        return CaseRecords.get(self, request, reference)

    return type(
        name,
        (CaseRecords,),
        {
            "serializer_class": serializer,
            "api_operations": operation,
            "rows": lambda self, case: rows(case),
            "get": get,
            "__doc__": summary,
        },
    )


Findings = listing(
    "Findings",
    FindingSerializer,
    "case.findings",
    "The case's fact determinations, with the persons found responsible.",
    lambda case: (
        Finding.objects.filter(case=case)
        .select_related("category", "found_by")
        .prefetch_related("responsible__employee")
        .order_by("round")
    ),
)
Proposals = listing(
    "Proposals",
    ProposalSerializer,
    "case.proposals",
    "The case's sanction proposals, their sanctions and the approval decisions.",
    lambda case: (
        SanctionProposal.objects.filter(case=case)
        .select_related("proposed_by")
        .prefetch_related(
            Prefetch("items", ProposedSanction.objects.select_related("employee")),
            Prefetch("decisions", ApprovalDecision.objects.select_related("approver")),
        )
        .order_by("round")
    ),
)
Defence = listing(
    "Defence",
    DefenceSerializer,
    "case.defence",
    "The notices of proposed sanctions and the statements of defence received.",
    lambda case: (
        DefenceRecord.objects.filter(proposal__case=case)
        .select_related("proposal", "employee", "recorded_by")
        .order_by("proposal__round", "pk")
    ),
)
Actions = listing(
    "CorrectiveActions",
    CorrectiveActionSerializer,
    "case.actions",
    "The case's corrective actions, with the proof of those done.",
    lambda case: (
        CorrectiveAction.objects.filter(case=case)
        .select_related("owner", "proof")
        .prefetch_related("root_causes")
    ),
)
Reviews = listing(
    "EffectivenessReviews",
    EffectivenessReviewSerializer,
    "case.reviews",
    "The case's effectiveness reviews.",
    lambda case: (
        EffectivenessReview.objects.filter(case=case).select_related("reviewer").order_by("round")
    ),
)


# --- a reporter's own reports (the "my reports" page) ---------------------------------------


class MyReportSerializer(ModelSerializer):
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["reference", "title", "reported_at", "stage", "outcome", "closed_at"]

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="Once the case is closed; else null.")
    )
    def get_outcome(self, case):
        return case.outcome if case.closed_at else None


class MyReports(ApiView, ListAPIView):
    """What the caller reported: status and outcome, as on "my reports" (never the
    investigation itself). The complaint system reads the outcome of its reports here."""

    serializer_class = MyReportSerializer
    api_operations = "report.list"

    def get_queryset(self):
        return selectors.my_reports(self.request.user)

    # A list view, so the schema documents the page of reports it answers.
    @extend_schema(operation_id="reports_list", summary="The caller's own reports.")
    def get(self, request):
        return self.list(request)


class MyReport(ApiView, GenericAPIView):
    serializer_class = MyReportSerializer
    api_operations = "report.read"

    @extend_schema(summary="One of the caller's reports: its status and outcome.")
    def get(self, request, reference):
        if "\x00" in reference or len(reference) > 100:
            raise Http404
        case = selectors.my_reports(request.user).filter(reference=reference).first()
        if case is None:
            raise Http404
        return Response(MyReportSerializer(case).data)


# --- sanctions for HR ------------------------------------------------------------------------


class SanctionFilter(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[SanctionStatus.APPROVED.value, SanctionStatus.EXECUTED.value],
        required=False,
        help_text="approved: awaiting execution; executed: recorded as executed.",
    )


class HrSanctionSerializer(ProposedSanctionSerializer):
    case = serializers.CharField(source="proposal.case.reference")
    execution_note = serializers.CharField()
    task = serializers.SerializerMethodField()

    class Meta(ProposedSanctionSerializer.Meta):
        fields = [*ProposedSanctionSerializer.Meta.fields, "case", "execution_note", "task"]

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True,
            help_text="The open execution task of the case (complete it with "
            "`POST /tasks/{id}/complete/`), if there is one.",
        )
    )
    def get_task(self, sanction):
        return self.context["tasks"].get(sanction.proposal.case.process_id)


class HrSanctions(ApiView, ListAPIView):
    """Approved sanctions awaiting execution, and executed ones, for those who record
    executions (HR). Sanctions on cases the caller is a subject of or declared a conflict
    on are left out, as on a sanction's page."""

    serializer_class = HrSanctionSerializer
    api_operations = "sanction.list"

    def get_queryset(self):
        user = self.request.user
        if not policy.has(user, "execute_sanction"):
            raise exceptions.PermissionDenied(_("Only HR reads the sanctions to execute."))
        # An empty ?status= is refused, not read as "no filter" (as the task list does).
        empty = [k for k, v in self.request.query_params.items() if k != "page" and not v]
        if empty:
            raise serializers.ValidationError({k: [_("Give a value.")] for k in empty})
        filters = SanctionFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data.get("status")
        statuses = [wanted] if wanted else [SanctionStatus.APPROVED, SanctionStatus.EXECUTED]
        return (
            ProposedSanction.objects.filter(
                proposal__status=ProposalStatus.APPROVED, status__in=statuses
            )
            .exclude(proposal__case__in=Case.objects.filter(policy.cases_kept_from(user)))
            .select_related("employee", "proposal__case")
            .order_by("proposal__case__reported_at", "pk")
        )

    @extend_schema(
        parameters=[SanctionFilter],
        operation_id="sanctions_list",
        summary="Approved sanctions awaiting execution, and executed ones (HR).",
    )
    def get(self, request):
        return self.list(request)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        processes = {s.proposal.case.process_id for s in page}
        steps = [node(Step.EXECUTE_SANCTIONS.value), node(Step.EXECUTE_REVISED.value)]
        tasks = dict(
            Task.objects.filter(
                process_id__in=processes, flow_task__in=steps, status__in=OPEN_STATUSES
            ).values_list("process_id", "pk")
        )
        data = HrSanctionSerializer(page, many=True, context={"tasks": tasks}).data
        return self.get_paginated_response(data)


ROUTES = [
    ("cases/<str:reference>/findings/", Findings, "case-findings"),
    ("cases/<str:reference>/proposals/", Proposals, "case-proposals"),
    ("cases/<str:reference>/defence/", Defence, "case-defence"),
    ("cases/<str:reference>/corrective-actions/", Actions, "case-corrective-actions"),
    ("cases/<str:reference>/reviews/", Reviews, "case-reviews"),
    ("reports/", MyReports, "my-reports"),
    ("reports/<str:reference>/", MyReport, "my-report"),
    ("sanctions/", HrSanctions, "hr-sanctions"),
]
