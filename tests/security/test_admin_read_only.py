"""The admin shows every audited table read-only; reference data edited there goes through the
audited service."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from viewflow.workflow.models import Process, Task

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from sanctions.models import MatrixRule
from violations.audit import case_record_models, history_model

# Written in the admin only through the reference-data services (each save and delete an
# audited configuration change); everything else audited is read-only there.
REFERENCE_MODELS = {
    "violations.department",
    "violations.employee",
    "violations.violationcategory",
    "sanctions.sanctionkind",
    "sanctions.severitygrade",
    "sanctions.matrixrule",
    "deadlines.workingcalendar",
    "deadlines.institutionday",
    "deadlines.deadlinerule",
    "violations.retentionrule",  # issue 20: years kept after close, per category
}


def audited_models():
    models = set(case_record_models())
    models |= {m for m in apps.get_models() if history_model(m) is not None}
    models |= set(apps.get_app_config("ledger").get_models())
    models |= {Process, Task, AccessLog, AccessFailureLog}
    return models


@pytest.fixture
def root_request(db):
    root = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    request = RequestFactory().get("/admin/")
    request.user = root
    return request


def test_every_audited_table_in_the_admin_is_read_only_or_goes_through_a_service(root_request):
    registered = [m for m in audited_models() if admin.site.is_registered(m)]
    assert len(registered) >= 18
    for model in registered:
        model_admin = admin.site.get_model_admin(model)
        label = model._meta.label_lower
        if label in REFERENCE_MODELS:
            cls = type(model_admin)
            assert cls.save_model is not admin.ModelAdmin.save_model, label
            if model_admin.has_delete_permission(root_request):
                assert cls.delete_model is not admin.ModelAdmin.delete_model, label
                assert cls.delete_queryset is not admin.ModelAdmin.delete_queryset, label
            continue
        assert not model_admin.has_add_permission(root_request), label
        assert not model_admin.has_change_permission(root_request), label
        assert not model_admin.has_delete_permission(root_request), label
    assert {m._meta.label_lower for m in registered} >= REFERENCE_MODELS


def test_a_matrix_rule_changed_in_the_admin_is_a_configuration_event(world):
    root = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    rule = MatrixRule.objects.select_related("recommended", "gravest").first()
    client = Client()
    client.force_login(root)
    url = f"/admin/sanctions/matrixrule/{rule.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {f: ("" if form[f].value() is None else form[f].value()) for f in form.fields}
    data["recommended"] = rule.gravest_id
    response = client.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(chain__key=SYSTEM_CHAIN, action="config.changed").latest(
        "seq"
    )
    assert event.actor == root
    assert event.payload["model"] == "sanctions.matrixrule"
    assert event.payload["fields"] == ["recommended"]
    assert MatrixRule.objects.get(pk=rule.pk).recommended_id == rule.gravest_id
