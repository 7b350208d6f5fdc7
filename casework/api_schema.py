"""The published OpenAPI document of ``/api/v1/`` (checked in as ``docs/openapi.yaml``).

Only v1 is documented. Every operation lists the errors every operation can answer, with
the one body they share; ``scripts/openapi_schema.py`` writes the document, and a test fails
when the checked-in copy differs from what the code generates.
"""

from __future__ import annotations

from drf_spectacular.authentication import BasicScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class StrictBasicScheme(BasicScheme):
    """The API's HTTP Basic (``security.api_auth.StrictBasicAuthentication``) is HTTP Basic."""

    target_class = "security.api_auth.StrictBasicAuthentication"


class TokenScheme(OpenApiAuthenticationExtension):
    """A service account's token (``security.api_auth.TokenAuthentication``)."""

    target_class = "security.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service account's API token (`acct_…`), made in the admin; "
            "its scopes bound the operations it may call.",
        }


ERROR = {
    "type": "object",
    "description": "A refusal: what went wrong, in the caller's language.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "The kind of refusal, where one is named."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Bad input: each field's problems (`non_field_errors` for the whole "
    "body, `detail` for a body that could not be read), nothing saved.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}
ERRORS = {
    "400": ("ValidationError", "Bad input; nothing was saved."),
    "401": (
        "Error",
        "Not authenticated (Basic, token or session); an unknown, expired or revoked token "
        "has one answer.",
    ),
    "403": (
        "Error",
        "Authenticated, but this role or person may not do this, or the token's scope does "
        "not include this operation.",
    ),
    "404": (
        "Error",
        "No such case or task, or one the caller may not see: the same answer for both.",
    ),
    "409": ("Error", "The case moved on (a task already completed or taken); nothing saved."),
    "413": ("Error", "The body is larger than the site accepts."),
    "429": ("Error", "Too many requests: wait and try again."),
}


def only_v1(endpoints, **kwargs):
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


def with_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, (component, description) in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result


SETTINGS = {
    "TITLE": "Accountability API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The case process by API: cases, tasks in the shape of Camunda 7's task API, and "
        "the records of a case. Every write runs the same form and service as the page. "
        "Authenticate with HTTP Basic, a service account's token (`Authorization: Bearer …`, "
        "bounded by its scopes) or a session. A case the caller may not see answers exactly "
        "as a missing one."
    ),
    "PREPROCESSING_HOOKS": ["casework.api_schema.only_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casework.api_schema.with_errors",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SORT_OPERATION_PARAMETERS": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseOutcomeEnum": "violations.models.Outcome",
        "VerificationOutcomeEnum": ["proceed", "dismiss", "duplicate"],
        "SeverityEnum": "violations.models.Severity",
        "YesNoEnum": ["yes", "no"],
        # --- apitokens (issue 17): the record listings' states ---
        "ProposalStatusEnum": "sanctions.models.ProposalStatus",
        "SanctionStatusEnum": "sanctions.models.SanctionStatus",
        "DefenceStatusEnum": "sanctions.models.DefenceStatus",
        "ApprovalLevelEnum": "sanctions.models.ApprovalLevel",
        "ActionStatusEnum": "remediation.models.ActionStatus",
        "SanctionFilterStatusEnum": ["approved", "executed"],
        "StatusEnum": "viewflow.workflow.status.STATUS",  # a task's
    },
}


def document() -> bytes:
    """The OpenAPI document of v1 as YAML, as ``/api/v1/schema/`` serves it."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer
    from drf_spectacular.settings import patched_settings

    with patched_settings(SETTINGS):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={})
