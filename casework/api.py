"""REST API for cases and tasks (DRF). Every write goes through the same services as the UI.

Tasks follow the shape of Camunda 7's task API: list what I hold (``candidate=held``) or may
claim (``candidate=me``), read one with its form as JSON Schema, claim, release, complete.
A step is completed through its task page's own form and ``perform`` (:mod:`.api_pages`),
so the API makes exactly the page's checks. Case actions (acknowledge, evidence, interviews,
record reviews, team changes, declarations, appeals, cancelling) likewise run their page.

Errors: a hidden case, or a task on one, answers exactly as a missing one (404, the same
text); malformed ids, NUL characters and bodies no form can mean are 400; an oversize body
is 413; a refusal by a service is 403 (not allowed) or 409 (the case moved on).
"""

from __future__ import annotations

import functools

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import exception_handler
from viewflow.workflow.models import Task

from security.api_auth import API_AUTHENTICATION, API_PERMISSIONS, API_THROTTLES, require_step
from violations import limits, policy, selectors
from violations.exceptions import Conflict, ServiceError
from violations.models import Case, Department, Employee, Source, ViolationCategory

from . import services
from .api_pages import PageRefused, form_schema, open_page, page_form, submit
from .eligibility import eligible_queue
from .engine import OPEN_STATUSES, node, refuse_if_closed
from .pagination import Pages
from .selectors import next_steps, open_case_tasks
from .steps import Step

# The largest id a database key holds; a longer number is no id at all.
MAX_ID = 2**63 - 1
NON_BLANK = RegexValidator(r"\S")  # more than spaces (text is stripped before it is checked)


def id_parameter(name: str = "id") -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        OpenApiParameter.PATH,
        description="A whole number; anything else is a 400.",
    )


class ServiceRefused(APIException):
    def __init__(self, error: ServiceError):
        self.status_code = error.status_code
        super().__init__(detail={"detail": str(error.message), "code": type(error).__name__})


class Refused(APIException):
    """A page's form or service said no: its status and its words."""

    def __init__(self, refusal: PageRefused):
        self.status_code = refusal.status
        super().__init__(detail=refusal.body)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def api_exception_handler(exc, context):
    """DRF's handler, plus the request errors Django raises while reading a body: an
    oversize body is a 413 and too many fields a 400, both in JSON like every answer."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is too large."))
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(_("The request has too many fields."))
    elif isinstance(exc, (OverflowError, UnicodeDecodeError)):
        exc = exceptions.ParseError(_("A date or number is out of range."))
    elif isinstance(exc, PageRefused):
        exc = Refused(exc)
    return exception_handler(exc, context)


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


class ApiView:
    """What every API view shares: Basic, token or session authentication (an
    unauthenticated call is a 401 that says how to authenticate), a token's scope (each view
    names its operations in ``api_operations``; security.tokens.SCOPES lists which a token
    may call), the rate limits, JSON errors."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = API_PERMISSIONS
    throttle_classes = API_THROTTLES
    api_operations: str | dict[str, str] | None = None

    def get_exception_handler(self):
        return api_exception_handler


def parse_id(value) -> int:
    """A path id as a number, or a 400 (never a 500 from the database)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        raise serializers.ValidationError({"id": [_("Not an id: give a whole number.")]})
    return int(text)


def visible_case(user, reference: str) -> Case:
    """The case, if the caller may see it; otherwise the same 404 as for no case at all."""
    if "\x00" in reference or len(reference) > 100:
        raise Http404
    case = Case.objects.filter(reference=reference).first()
    if case is None or not policy.can_view_case(user, case):
        raise Http404
    return case


# DRF's model serializer with each integer column's bounds taken from its type, the same on
# every database. Django asks the database: SQLite answers 64 bits for every integer column,
# PostgreSQL 16 for a small one, so the schema (and what a body may carry) would depend on
# where it runs. (A comment, not a docstring: the schema would show a docstring on every
# serializer.)
class ModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
        if bounds is not None and "max_value" in kwargs:  # a bound the database gave
            kwargs["min_value"] = max(bounds[0], kwargs.get("min_value", bounds[0]))
            kwargs["max_value"] = bounds[1]
        return field_class, kwargs


# --- cases ---------------------------------------------------------------------------------


class CaseListSerializer(ModelSerializer):
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


class OpenTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.CharField(allow_null=True)


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

    @extend_schema_field(OpenTaskSerializer(many=True))
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
    title = serializers.CharField(max_length=200, validators=[NON_BLANK])
    description = serializers.CharField(max_length=limits.LONG_TEXT, validators=[NON_BLANK])
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


class ReportReceiptSerializer(serializers.Serializer):
    """What the reporter learns of the case they reported (as on "my reports")."""

    reference = serializers.CharField()
    stage = serializers.CharField()
    acknowledge_due_at = serializers.DateTimeField(allow_null=True)


class CaseListPagination(Pages):
    """The page's count asked as the case list page asks it (selectors.case_list_count)."""

    def paginate_queryset(self, queryset, request, view=None):
        count = selectors.case_list_count(
            request.user, stage=request.query_params.get("stage"), q=request.query_params.get("q")
        )
        self.django_paginator_class = functools.partial(selectors.CountedPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


CASE_LIST_PARAMETERS = [
    OpenApiParameter("stage", str, description="Only cases at this stage."),
    OpenApiParameter("q", str, description="Words in the reference or title."),
]


class CaseViewSet(ApiView, viewsets.GenericViewSet):
    """Cases the caller may see (need-to-know applies); reporting starts the process."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    pagination_class = CaseListPagination
    serializer_class = CaseListSerializer
    api_operations = {"list": "case.list", "retrieve": "case.read", "create": "case.report"}

    def get_queryset(self):
        return selectors.case_list(
            self.request.user,
            stage=self.request.query_params.get("stage"),
            q=self.request.query_params.get("q"),
        )

    @extend_schema(parameters=CASE_LIST_PARAMETERS)
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CaseListSerializer(page, many=True).data)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request, reference=None):
        return Response(CaseDetailSerializer(visible_case(request.user, reference)).data)

    @extend_schema(request=CaseReportSerializer, responses={201: ReportReceiptSerializer})
    def create(self, request):
        data = CaseReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = call_service(services.case_report, actor=request.user, **data.validated_data)
        return Response(ReportReceiptSerializer(case).data, status=status.HTTP_201_CREATED)


# --- tasks ---------------------------------------------------------------------------------


class TaskSerializer(ModelSerializer):
    step = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    due = serializers.SerializerMethodField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Task
        fields = ["id", "step", "title", "case", "status", "owner", "created", "due"]

    def get_step(self, task) -> str:
        return task.flow_task.name

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title)

    def get_case(self, task) -> str | None:
        case = getattr(task.process, "case", None)
        return case.reference if case else None

    @extend_schema_field(
        serializers.DateTimeField(
            allow_null=True, help_text="When the case's present stage is due (the step's deadline)."
        )
    )
    def get_due(self, task):
        """When the case's present stage is due (the step's deadline)."""
        case = getattr(task.process, "case", None)
        due = case.stage_due_at if case else None
        return serializers.DateTimeField().to_representation(due) if due else None


class TaskDetailSerializer(TaskSerializer):
    form = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "form"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "The step's form as JSON Schema (the fields of the task page, "
            "with the choices the caller may see); null unless the caller holds the task or "
            "may claim it.",
            "additionalProperties": True,
        }
    )
    def get_form(self, task):
        return self.context.get("form")


class TaskFilterSerializer(serializers.Serializer):
    candidate = serializers.ChoiceField(
        choices=["held", "me"],
        default="held",
        help_text="held: the tasks the caller holds; me: the tasks the caller may claim.",
    )
    step = serializers.ChoiceField(choices=[s.value for s in Step], required=False)
    case = serializers.CharField(max_length=100, required=False, validators=[NON_BLANK])
    due_before = serializers.DateTimeField(
        required=False, help_text="Only tasks whose case's stage is due before this time."
    )


class NextStepSerializer(serializers.Serializer):
    title = serializers.CharField()
    holder = serializers.CharField(allow_null=True)


class TaskCompletedSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    step = serializers.CharField()
    case = serializers.CharField()
    stage = serializers.CharField(
        allow_null=True, help_text="The case's stage now; null if the caller no longer sees it."
    )
    next_steps = NextStepSerializer(many=True)
    message = serializers.CharField()


def page_of(task: Task):
    """The task page's view class (the flow node's view)."""
    return task.flow_task._view.view_class


def _step_completion():
    from .api_steps import STEP_SERIALIZERS  # the flow imports the task pages

    return PolymorphicProxySerializer(
        component_name="StepCompletion",
        serializers=STEP_SERIALIZERS,
        resource_type_field_name="step",
    )


class TaskViewSet(ApiView, viewsets.GenericViewSet):
    """Tasks: the caller's and those the caller may claim; claim, release, complete."""

    serializer_class = TaskSerializer
    lookup_value_regex = "[^/]+"  # a malformed id reaches parse_id: a 400, not a 404 page
    api_operations = {
        "list": "task.list",
        "retrieve": "task.read",
        "claim": "task.claim",
        "release": "task.release",
        "complete": "task.complete",
    }
    # Only for the schema (it types the {id} path parameter); get_queryset answers requests.
    queryset = Task.objects.none()

    def get_queryset(self):
        empty = [k for k, v in self.request.query_params.items() if k != "page" and not v]
        if empty:
            raise serializers.ValidationError({k: [_("Give a value.")] for k in empty})
        filters = TaskFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        user = self.request.user
        if f["candidate"] == "me":
            from .flows import CaseFlow  # the flow imports the task pages

            qs = eligible_queue(CaseFlow, user).filter(process__case__in=policy.visible_cases(user))
        else:
            qs = Task.objects.filter(owner=user, status__in=OPEN_STATUSES)
        qs = qs.filter(flow_task_type="HUMAN")
        if "step" in f:
            qs = qs.filter(flow_task=node(f["step"]))
        if "case" in f:
            qs = qs.filter(process__case__reference=f["case"])
        if "due_before" in f:
            qs = qs.filter(process__case__stage_due_at__lt=f["due_before"])
        return qs.select_related("process__case", "owner").order_by("created", "pk")

    @extend_schema(parameters=[TaskFilterSerializer])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    def _task(self, pk) -> Task:
        task = (
            Task.objects.filter(pk=parse_id(pk), flow_task_type="HUMAN")
            .select_related("process__case", "owner")
            .first()
        )
        case = getattr(task.process, "case", None) if task else None
        # The holder of a task it has just completed still learns that it is done (409),
        # rather than that it does not exist.
        if case is None or not (
            task.owner_id == self.request.user.pk or policy.can_view_case(self.request.user, case)
        ):
            raise Http404
        require_step(self.request, task.flow_task.name)
        return task

    def _readable(self, task, *, write: bool = True) -> Case:
        """The task's case, if the caller may work on it; a lead named by the flow who has
        not declared is told to declare first (the page sends them to their declarations)."""
        case = task.process.case
        if write and task.status not in OPEN_STATUSES:
            call_service(refuse_if_closed, task=task)  # 409: done, and by whom
        if not policy.can_view_case(self.request.user, case):
            if case.team.filter(
                user=self.request.user, active=True, declared_at__isnull=True
            ).exists():
                raise exceptions.PermissionDenied(
                    _(
                        "Declare whether you have a conflict of interest "
                        "before working on this case."
                    )
                )
            raise Http404
        return case

    def _reply(self, task) -> Response:
        task = Task.objects.select_related("process__case", "owner").get(pk=task.pk)
        return Response(TaskSerializer(task).data)

    @extend_schema(responses=TaskDetailSerializer, parameters=[id_parameter()])
    def retrieve(self, request, pk=None):
        task = self._task(pk)
        case = self._readable(task, write=False)
        form = None
        if task.status in OPEN_STATUSES and (
            task.owner_id == request.user.pk
            or (task.owner_id is None and services.task_eligible(request.user, task))
        ):
            page = open_page(page_of(task), request, case=case, task=task)
            form = form_schema(page_form(page))
        return Response(TaskDetailSerializer(task, context={"form": form}).data)

    @extend_schema(request=None, responses=TaskSerializer, parameters=[id_parameter()])
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        task = call_service(services.task_claim, task=self._task(pk), actor=request.user)
        return self._reply(task)

    @extend_schema(request=None, responses=TaskSerializer, parameters=[id_parameter()])
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        task = call_service(services.task_unassign, task=self._task(pk), actor=request.user)
        return self._reply(task)

    @extend_schema(
        request={
            "application/json": _step_completion(),
            "multipart/form-data": _step_completion(),
        },
        responses=TaskCompletedSerializer,
        parameters=[id_parameter()],
        description="Complete the task with its step's form: `step` names the step (it must "
        "be the task's), the other fields are the form's (see `form` in the task). The caller "
        "must hold the task (claim it first). Files (a corrective action's proof) come as "
        "multipart/form-data.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def complete(self, request, pk=None):
        task = self._task(pk)
        case = self._readable(task)
        if task.owner_id != request.user.pk:
            raise ServiceRefused(
                Conflict(
                    _("Claim this task before completing it.")
                    if task.owner_id is None
                    else _("This task is assigned to someone else.")
                )
            )
        data, files = body_of(request)
        step = data.get("step")
        if step != task.flow_task.name:
            raise serializers.ValidationError(
                {"step": [_("This task is the %(step)s step.") % {"step": task.flow_task.name}]}
            )
        data = _without(data, "step")
        page = open_page(page_of(task), request, case=case, task=task)
        submit(page, data, files)
        case.refresh_from_db()
        visible = policy.can_view_case(request.user, case)
        return Response(
            TaskCompletedSerializer(
                {
                    "task": task.pk,
                    "step": task.flow_task.name,
                    "case": case.reference,
                    "stage": case.stage if visible else None,
                    "next_steps": [
                        {
                            "title": str(s.title),
                            "holder": s.holder.get_username() if s.holder else None,
                        }
                        for s in next_steps(case)
                    ],
                    "message": str(page.success_message),
                }
            ).data
        )


def body_of(request):
    """The request's fields and files: a JSON object, or a multipart or urlencoded form."""
    if request.content_type.startswith(("multipart/form-data", "application/x-www-form")):
        return request.POST, request.FILES
    data = request.data
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {"non_field_errors": [_("The body must be a JSON object.")]}
        )
    return data, None


def _without(data, key):
    if hasattr(data, "copy") and hasattr(data, "getlist"):
        data = data.copy()
        data.pop(key, None)
        return data
    return {k: v for k, v in data.items() if k != key}


# --- the earlier verify operation (kept under /api/ only) ------------------------------------


class VerificationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["proceed", "dismiss", "duplicate"])
    reason = serializers.CharField(
        max_length=limits.TEXT, required=False, allow_blank=True, default=""
    )
    first_evidence = serializers.CharField(
        max_length=limits.LONG_TEXT, required=False, allow_blank=True, default=""
    )
    # A reference, looked up below: a case that does not exist is refused in the words the
    # service uses for one the caller may not see, so the answer never tells them apart.
    duplicate_of = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True, default=None
    )


class VerifyViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = VerificationSerializer
    api_operations = {"create": "task.verify"}

    @extend_schema(request=VerificationSerializer, responses={200: CaseListSerializer})
    def create(self, request, task_pk=None):
        task = TaskViewSet(request=request)._task(task_pk)
        data = VerificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        reference = fields.pop("duplicate_of") or None
        duplicate = None
        if reference:
            # A reference that names no case goes to the service as an unsaved case, which
            # no one may name: it is refused with the other errors, in the same words as a
            # case the caller may not see.
            duplicate = Case.objects.filter(reference=reference).first() or Case()
        call_service(
            services.verification_complete,
            task=task,
            actor=request.user,
            duplicate_of=duplicate,
            **fields,
        )
        return Response(CaseListSerializer(Case.objects.get(process_id=task.process_id)).data)
