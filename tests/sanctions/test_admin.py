"""Editing the catalogue in the admin is a configuration change on the system chain."""

from django.contrib.auth import get_user_model
from django.test import Client

from ledger.models import AuditEvent
from sanctions.models import SanctionKind
from violations import audit


def test_catalogue_edit_in_the_admin_is_recorded_with_the_changed_field(world):
    admin = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    kind = SanctionKind.objects.get(code="warning")
    before = kind.record_months
    client = Client()
    client.force_login(admin)
    url = f"/admin/sanctions/sanctionkind/{kind.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {f: ("" if form[f].value() is None else form[f].value()) for f in form.fields}
    data["record_months"] = kind.record_months + 6
    data = {k: v for k, v in data.items() if not isinstance(v, list) or v}
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    kind.refresh_from_db()
    event = AuditEvent.objects.filter(chain__key=audit.chain_key(), action="config.changed").latest(
        "pk"
    )
    assert event.actor == admin
    assert event.payload["model"] == "sanctions.sanctionkind"
    assert "record_months" in event.payload["fields"]
    assert kind.record_months == before + 6
    assert kind.history.latest().history_user == admin
