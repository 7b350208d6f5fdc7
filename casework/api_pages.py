"""The API's way through a page's form: the same form, the same service, the same checks.

Every write the API offers on a case or a task is a page of the site (a task page of
:mod:`casework.views.steps`, an action of the case page). Rather than restate each page's
fields and rules, the API instantiates the page's own view class, lets it build its form for
the case and task (its ``get_form_kwargs``), binds the form to the request's JSON or
multipart body, and calls the page's ``perform`` — the one call into the services. A change
to a page's form (a new field, a new choice) changes the API with it.

The form is also described to callers as a JSON Schema (``form_schema``): its fields, which
are required, and the choices this caller may see, as the page would show them.
"""

from __future__ import annotations

import datetime as dt
import decimal
from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from violations.exceptions import ServiceError

from .views.steps import people_by_name

# A JSON value a form field can take: a scalar, or a list of scalars for a multiple choice.
SCALARS = (str, int, float, bool, decimal.Decimal)


class PageRefused(Exception):
    """The page's service refused (``error``) or its form did not validate (``errors``)."""

    def __init__(self, *, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def form_data(data: Any) -> MultiValueDict:
    """A JSON object (or a parsed multipart QueryDict) as the form data a page receives.

    Every value becomes the string a browser would send; a list becomes a multi-valued field;
    ``null`` is a field left empty; a nested object is refused.
    """
    if hasattr(data, "getlist"):  # multipart or urlencoded: already what a form reads
        return data
    if not isinstance(data, dict):
        raise PageRefused(
            status=400, body={"non_field_errors": [_("The body must be a JSON object.")]}
        )
    out = MultiValueDict()
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        strings = []
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                strings.append("true" if item else "false")
            elif isinstance(item, SCALARS):
                strings.append(str(item))
            else:
                raise PageRefused(
                    status=400,
                    body={key: [_("Give a value or a list of values, not an object.")]},
                )
        out.setlist(str(key), strings)
    return out


def open_page(view_class, request, *, case=None, task=None, **url_kwargs):
    """The page ``view_class`` set up for ``request`` on ``case`` (and ``task``), as its own
    ``dispatch`` would have set it up after its checks (the API makes those checks)."""
    page = view_class()
    page.setup(request._request, **url_kwargs)
    if task is not None:
        page.request.activation = SimpleNamespace(task=task)
    if case is not None:
        if isinstance(getattr(view_class, "case", None), property):
            page._case = case
        else:
            page.case = case
    return page


def page_form(page, *, data=None, files=None) -> forms.Form:
    """The page's form, unbound (``data`` None) or bound to the API's body."""
    kwargs = page.get_form_kwargs()
    kwargs.pop("data", None)
    kwargs.pop("files", None)
    if data is not None:
        kwargs["data"] = form_data(data)
        kwargs["files"] = files if files is not None else MultiValueDict()
    return people_by_name(page.get_form_class()(**kwargs))


def submit(page, data, files):
    """Validate the page's form with ``data`` and call the page's ``perform``. Refusals
    come back as :class:`PageRefused` with the status the API answers. Fields the form does
    not have are ignored, as the page ignores them."""
    fields = page_form(page).fields
    if hasattr(data, "getlist"):
        data = data.copy()
        for key in [k for k in data if k not in fields]:
            del data[key]
    elif isinstance(data, dict):
        data = {k: v for k, v in data.items() if k in fields}
        # A list is a multi-valued field's value; for any other field the form would quietly
        # read the last item, so a list there is refused like any value of the wrong type.
        lists = [k for k, v in data.items() if isinstance(v, list) and not _multiple(fields[k])]
        if lists:
            raise PageRefused(
                status=400, body={k: [_("Give one value, not a list.")] for k in lists}
            )
        # The form reads every value as text, so a number or true/false where the schema asks
        # for text (or text where it asks for true/false) would pass unnoticed: refuse it.
        mistyped = [k for k, v in data.items() if not _typed(fields[k], v)]
        if mistyped:
            raise PageRefused(
                status=400, body={k: [_("This value has the wrong type.")] for k in mistyped}
            )
    form = page_form(page, data=data, files=files)
    if not form.is_valid():
        raise PageRefused(status=400, body=_errors(form.errors.get_json_data()))
    try:
        return page.perform(form)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise PageRefused(
                status=400,
                body={k: [str(m) for m in v] for k, v in error.message_dict.items()},
            ) from None
        raise PageRefused(status=400, body={"non_field_errors": error.messages}) from None
    except ServiceError as error:
        raise PageRefused(
            status=error.status_code,
            body={"detail": str(error.message), "code": type(error).__name__},
        ) from None


def _multiple(field: forms.Field) -> bool:
    """Whether the field takes several values (a multiple choice, several files)."""
    return isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)) or bool(
        getattr(field.widget, "allow_multiple_selected", False)
    )


def _typed(field: forms.Field, value: Any) -> bool:
    """Whether a JSON value (or each item of a list) has the type the OpenAPI document gives
    the field (:func:`_serializer_field`); ``null`` is a field left empty. A field of
    several values takes a list of values (found by the fuzzer: a bare value for ``subjects``
    got in, then a list of nulls)."""
    if _multiple(field) and value is not None and not isinstance(value, list):
        return False
    if isinstance(value, list) and any(item is None for item in value):
        return False  # a list holds values; null is only the whole field left empty
    items = value if isinstance(value, list) else [value]
    documented = _serializer_field(field)
    if isinstance(documented, serializers.ListField):
        documented = documented.child
    if isinstance(documented, serializers.BooleanField):
        wanted: tuple = (bool,)
    elif isinstance(documented, (serializers.ChoiceField, serializers.CharField)):
        wanted = (str,)
    else:  # numbers, ids, dates: the form parses them and says what is wrong
        return True
    return all(item is None or isinstance(item, wanted) for item in items)


def _errors(json_errors: dict) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): [e["message"] for e in errs]
        for field, errs in json_errors.items()
    }


# --- the form as a JSON Schema ------------------------------------------------------------


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    return None


def _choices(field) -> list[dict]:
    out = []
    for value, label in field.choices:
        if isinstance(label, (list, tuple)):  # an option group
            out.extend({"const": str(v), "title": str(lbl)} for v, lbl in label)
            continue
        value = getattr(value, "value", value)  # ModelChoiceIteratorValue
        if value in ("", None):
            continue
        out.append({"const": str(value), "title": str(label)})
    return out


def field_schema(field: forms.Field) -> dict:  # noqa: C901 (one branch per field type)
    """One form field as JSON Schema, with what a caller needs to fill it in."""
    schema: dict[str, Any]
    if isinstance(field, forms.NullBooleanField):
        schema = {"type": ["boolean", "null"]}
    elif isinstance(field, forms.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
        schema = {"type": "array", "items": {"oneOf": _choices(field)}, "uniqueItems": True}
    elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        schema = {"type": "string", "oneOf": _choices(field)}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        schema = {"type": "string", "format": "decimal"}
    elif isinstance(field, forms.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.FileField):
        schema = {"type": "string", "format": "binary", "contentMediaType": "multipart/form-data"}
    elif isinstance(field, forms.URLField):
        schema = {"type": "string", "format": "uri"}
    else:
        schema = {"type": "string"}
    schema["title"] = str(field.label or "")
    if field.help_text:
        schema["description"] = str(field.help_text)
    for attr, key in (("max_length", "maxLength"), ("min_length", "minLength")):
        if getattr(field, attr, None) is not None:
            schema[key] = getattr(field, attr)
    for attr, key in (("min_value", "minimum"), ("max_value", "maximum")):
        if getattr(field, attr, None) is not None:
            schema[key] = _jsonable(getattr(field, attr))
    initial = _jsonable(field.initial() if callable(field.initial) else field.initial)
    if initial is not None and initial != "":
        schema["default"] = initial
    return schema


def form_schema(form: forms.Form) -> dict:
    """The whole form as a JSON Schema object (the body ``complete`` expects)."""
    return {
        "type": "object",
        "properties": {name: field_schema(field) for name, field in form.fields.items()},
        "required": [name for name, field in form.fields.items() if field.required],
    }


# --- the form as a DRF serializer, for the OpenAPI document -------------------------------


def _serializer_field(field: forms.Field) -> serializers.Field:
    # ``null`` is a field left empty (:func:`form_data`), so an optional field may be null.
    common = {
        "required": field.required,
        "allow_null": not field.required,
        "help_text": str(field.label or ""),
    }
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, (forms.ModelMultipleChoiceField,)):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.ChoiceField):
        choices = [v for v, _label in field.choices if v not in ("", None)]
        if choices:
            return serializers.ChoiceField(choices=choices, **common)
        return serializers.CharField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(max_digits=14, decimal_places=2, **common)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(**common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(**common)
    return serializers.CharField(
        max_length=getattr(field, "max_length", None),
        allow_blank=not field.required,
        # A required text needs more than spaces (the form strips them).
        validators=[RegexValidator(r"\S")] if field.required else [],
        **common,
    )


def form_serializer(name: str, form_class, *, extra: dict | None = None, doc: str = ""):
    """A serializer class for the OpenAPI document with the form class's declared fields
    (fields a form adds for the case at hand, one per person or item, are listed by
    ``GET /api/v1/tasks/{id}/`` and accepted beside these)."""
    fields = {n: _serializer_field(f) for n, f in form_class.base_fields.items()}
    fields.update(extra or {})
    return type(name, (serializers.Serializer,), {**fields, "__doc__": doc or None})
