"""REST API for cases and tasks (DRF). Every write goes through the same services as the UI."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from viewflow.workflow.models import Task

from violations import limits, policy, selectors
from violations.exceptions import ServiceError
from violations.models import Case, Department, Employee, Source, ViolationCategory

from . import services
from .engine import OPEN_STATUSES
from .selectors import open_case_tasks


class ServiceRefused(APIException):
    def __init__(self, error: ServiceError):
        self.status_code = error.status_code
        super().__init__(detail={"detail": str(error.message), "code": type(error).__name__})


def call_service(fn, **kwargs):
    """Map service refusals to HTTP: validation 400, not allowed 403, conflicts 409."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as error:
        detail = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {"non_field_errors": error.messages}
        )
        raise serializers.ValidationError(
            {k: [str(m) for m in v] for k, v in detail.items()}
        ) from None
    except ServiceError as error:
        raise ServiceRefused(error) from None


class CaseListSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "title",
            "source",
            "category",
            "department",
            "stage",
            "outcome",
            "severity",
            "reported_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "stage_due_at",
            "closed_at",
        ]


class CaseDetailSerializer(CaseListSerializer):
    subjects = serializers.SlugRelatedField(slug_field="staff_number", many=True, read_only=True)
    open_tasks = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "description",
            "occurred_at",
            "subjects",
            "customer_involved",
            "is_anonymous",
            "open_tasks",
        ]

    def get_open_tasks(self, case) -> list[dict]:
        return [
            {
                "id": t.pk,
                "step": t.flow_task.name,
                "title": str(t.flow_task.task_title),
                "owner": t.owner.get_username() if t.owner_id else None,
            }
            for t in open_case_tasks(case)
        ]


class CaseReportSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=ViolationCategory.objects.filter(active=True)
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=limits.LONG_TEXT,
    )
    occurred_at = serializers.DateTimeField()
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    subjects = serializers.SlugRelatedField(
        slug_field="staff_number", many=True, queryset=Employee.objects.all()
    )
    customer_involved = serializers.BooleanField(default=False)
    customer_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    customer_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    customer_contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    is_anonymous = serializers.BooleanField(default=False)


class CaseListPagination(PageNumberPagination):
    """The page's count asked as the case list page asks it (selectors.case_list_count)."""

    def paginate_queryset(self, queryset, request, view=None):
        count = selectors.case_list_count(
            request.user, stage=request.query_params.get("stage"), q=request.query_params.get("q")
        )
        self.django_paginator_class = functools.partial(selectors.CountedPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


class CaseViewSet(viewsets.GenericViewSet):
    """Cases the caller may see (need-to-know applies); reporting starts the process."""

    lookup_field = "reference"
    pagination_class = CaseListPagination
    serializer_class = CaseListSerializer

    def get_queryset(self):
        return selectors.case_list(
            self.request.user,
            stage=self.request.query_params.get("stage"),
            q=self.request.query_params.get("q"),
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CaseListSerializer(page, many=True).data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request, reference=None):
        case = Case.objects.filter(reference=reference).first()
        if case is None or not policy.can_view_case(request.user, case):
            raise Http404
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseReportSerializer, responses={201: CaseListSerializer})
    def create(self, request):
        data = CaseReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = call_service(services.case_report, actor=request.user, **data.validated_data)
        return Response(
            {
                "reference": case.reference,
                "stage": case.stage,
                "acknowledge_due_at": case.acknowledge_due_at,
            },
            status=status.HTTP_201_CREATED,
        )


class TaskSerializer(serializers.ModelSerializer):
    step = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "step", "case", "status", "owner", "created"]

    def get_step(self, task) -> str:
        return task.flow_task.name

    def get_case(self, task) -> str | None:
        case = getattr(task.process, "case", None)
        return case.reference if case else None


class TaskViewSet(viewsets.GenericViewSet):
    """The caller's open tasks; claim and release them."""

    serializer_class = TaskSerializer
    # Only for the schema (it types the {id} path parameter); get_queryset answers requests.
    queryset = Task.objects.none()

    def get_queryset(self):
        return (
            Task.objects.filter(
                owner=self.request.user, status__in=OPEN_STATUSES, flow_task_type="HUMAN"
            )
            .select_related("process__case", "owner")
            .order_by("created")
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    def _task(self, pk):
        task = Task.objects.filter(pk=pk, flow_task_type="HUMAN").select_related("process").first()
        case = getattr(task.process, "case", None) if task else None
        # The holder of a task it has just completed still learns that it is done (409),
        # rather than that it does not exist.
        if case is None or not (
            task.owner_id == self.request.user.pk or policy.can_view_case(self.request.user, case)
        ):
            raise Http404
        return task

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        task = call_service(services.task_claim, task=self._task(pk), actor=request.user)
        return Response(
            TaskSerializer(
                Task.objects.select_related("process__case", "owner").get(pk=task.pk)
            ).data
        )

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        task = call_service(services.task_unassign, task=self._task(pk), actor=request.user)
        return Response(
            TaskSerializer(
                Task.objects.select_related("process__case", "owner").get(pk=task.pk)
            ).data
        )


class VerificationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["proceed", "dismiss", "duplicate"])
    reason = serializers.CharField(
        max_length=limits.TEXT, required=False, allow_blank=True, default=""
    )
    first_evidence = serializers.CharField(
        max_length=limits.LONG_TEXT, required=False, allow_blank=True, default=""
    )
    duplicate_of = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=Case.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class VerifyViewSet(viewsets.GenericViewSet):
    serializer_class = VerificationSerializer

    @extend_schema(request=VerificationSerializer, responses={200: CaseListSerializer})
    def create(self, request, task_pk=None):
        task = TaskViewSet(request=request)._task(task_pk)
        data = VerificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(
            services.verification_complete, task=task, actor=request.user, **data.validated_data
        )
        return Response(CaseListSerializer(Case.objects.get(process_id=task.process_id)).data)
