"""Free text has limits where people and programs type it (a message at the form, a 400 at
the API, nothing saved), so no one can make a case too big to send; the case file still
renders whatever is stored (see test_pdf_flow)."""

import datetime as dt
import inspect

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

import remediation.forms
import sanctions.forms
import violations.forms
from casework.engine import open_task
from ledger.models import AuditEvent
from violations import limits
from violations.models import Case

MILLION = "x" * 1_000_000


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Chinese leaves its language active in the thread (LocaleMiddleware does
    not undo it); later tests in the same process expect the default."""
    yield
    translation.deactivate()


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_payload(world, **over):
    return {
        "source": "staff_report",
        "category": world.category.code,
        "title": "Mis-sold fund",
        "description": "Sold to a retiree",
        "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "department": world.dept.code,
        "subjects": [world.subject.staff_number],
        **over,
    }


def report_form(world, **over):
    return {
        "source": "staff_report",
        "category": world.category.pk,
        "title": "Mis-sold fund",
        "description": "Sold a fund to a retiree",
        "occurred_at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "department": world.dept.pk,
        "subjects": [world.subject.pk],
        **over,
    }


def test_the_api_refuses_a_million_character_description_and_saves_nothing(world):
    events = AuditEvent.objects.count()

    response = api_for(world.reporter).post(
        "/api/cases/", report_payload(world, description=MILLION), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "description": ["Ensure this field has no more than 20000 characters."]
    }
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_api_accepts_a_description_at_the_limit(world):
    text = "客" * limits.LONG_TEXT
    response = api_for(world.reporter).post(
        "/api/cases/", report_payload(world, description=text), format="json"
    )

    assert response.status_code == 201, response.content
    assert Case.objects.get().description == text


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("customer_name", 201),
        ("customer_reference", 101),
        ("customer_contact", 201),
    ],
)
def test_the_api_refuses_long_customer_fields(world, field, length):
    payload = report_payload(world, customer_involved=True, **{field: "9" * length})

    response = api_for(world.reporter).post("/api/cases/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Case.objects.count() == 0


def test_the_api_refuses_a_long_verification_reason_and_the_task_stays_open(walk, world):
    case = walk.report()
    task = open_task(case, "verify")
    api = api_for(world.officer)
    api.post(f"/api/tasks/{task.pk}/claim/")

    response = api.post(
        f"/api/tasks/{task.pk}/verify/",
        {"outcome": "dismiss", "reason": "r" * (limits.TEXT + 1)},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    task.refresh_from_db()
    assert task.status != "DONE"
    assert Case.objects.get(pk=case.pk).stage == case.stage


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Ensure this value has at most 20000 characters (it has 1000000)."),
        ("zh-hant", "請確認這個值至多包含 20000 個字 (目前為 1000000 個字)。"),
        ("zh-hans", "确保该变量包含不超过 20000 字符 (目前字符数 1000000)。"),
    ],
)
def test_the_report_form_refuses_a_million_character_description_in_the_users_language(
    world, lang, message
):
    client = Client()
    assert client.login(username=world.reporter.username, password="pw")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    events = AuditEvent.objects.count()

    response = client.post("/work/case/report/", report_form(world, description=MILLION))

    assert response.status_code == 200
    assert response.context["form"].errors == {"description": [message]}
    assert 'maxlength="20000"' in response.content.decode()
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == events


def _form_classes():
    for module in (violations.forms, sanctions.forms, remediation.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_free_text_field_of_every_form_has_a_limit():
    """Fields declared on the class; the fields a form adds per person or per item in its
    ``__init__`` carry the same limits (see the forms)."""
    unbounded = [
        f"{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if type(field) is forms.CharField and field.max_length is None
    ]
    assert unbounded == []
