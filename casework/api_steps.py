"""The body that completes each step, typed for the OpenAPI document.

Each is the step's task-page form (its declared fields) with ``step`` naming the step; the
fields a form adds for the case at hand — one per person, per sanction item, per cause or
action — are named in the task's ``form`` (``GET /api/v1/tasks/{id}/``) and accepted beside
these. The API validates a body with the page's form itself (:mod:`casework.api_pages`), so
these documents follow the forms and never judge a body on their own.
"""

from __future__ import annotations

from rest_framework import serializers

from .api_pages import form_serializer
from .flows import CaseFlow
from .steps import Step


def _name(step: Step) -> str:
    return "".join(part.capitalize() for part in step.value.split("_")) + "Completion"


def _serializer(step: Step):
    page = getattr(CaseFlow, step.value)._view.view_class
    node = getattr(CaseFlow, step.value)
    return form_serializer(
        _name(step),
        page.form_class,
        extra={
            "step": serializers.ChoiceField(choices=[step.value], help_text=str(node.task_title))
        },
        doc=f"Completes the {step.value} step ({node.task_title}).",
    )


STEP_SERIALIZERS = {step.value: _serializer(step) for step in Step}
