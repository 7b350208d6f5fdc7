"""The SQL multiplier of benchmarks/scale.py gives cases whose pages open, unique references
and counters that go on from them (PostgreSQL only: it is written with generate_series)."""

import pytest
from django.db import connection
from django.urls import reverse

from benchmarks.scale import seed_cases_sql
from tests.ledger.tamper import run_verify
from violations import audit
from violations.models import Case, ReferenceCounter

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("seed_cases_sql needs PostgreSQL; the PostgreSQL run of the suite covers it")


def test_multiplied_cases_open_and_the_ledger_still_verifies(postgresql_only, world, walk, client):
    reported = walk.report()  # a case made through the services: a ledger chain to verify
    seed_cases_sql(world, 50, template=20, open_work=5)

    assert Case.objects.count() == 50
    year = reported.reference[3:7]
    multiplied = Case.objects.exclude(reference__startswith=f"VC-{year}-")
    assert multiplied.count() == 50 - 20
    assert len(set(Case.objects.values_list("reference", flat=True))) == 50
    assert all(c.stage == "closed" and c.closed_at for c in multiplied)
    old = multiplied.order_by("reported_at").first()
    assert old.reported_at.year == int(year) - 1
    assert old.process.status == "DONE"
    assert old.process.task_set.count() == 2
    assert old.subjects.exists()
    assert old.history.count() == 1
    counter = ReferenceCounter.objects.get(year=int(year) - 1)
    assert counter.last == 30  # the next case of that year would not reuse a reference

    client.force_login(world.auditor)
    page = client.get(reverse("casework:case_detail", args=[old.reference]))
    assert page.status_code == 200
    assert old.reference in page.content.decode()

    # Seeded cases, the ORM seeder's and the multiplied ones, are made without services: they
    # are outside the ledger, and verify_audit names each of them, and nothing else; the case
    # made through the services still verifies.
    seeded = Case.objects.exclude(pk=reported.pk)
    no_chain = {f"case {c.reference}: has no audit chain (its events were removed)" for c in seeded}
    unvouched = {
        f"violations.case #{c.pk}: no audit event vouches for this row "
        "(written behind the application's back)"
        for c in seeded
    }
    found = {str(p) for p in audit.verify().problems}
    assert no_chain <= found
    assert found - no_chain <= unvouched
    code, _out, err = run_verify("--case", reported.reference)
    assert code == 0, err
    # Growing an existing database adds to it, references continuing where they stopped.
    seed_cases_sql(world, 60, template=20, open_work=5)
    assert len(set(Case.objects.values_list("reference", flat=True))) == 60
