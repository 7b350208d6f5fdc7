"""Shared fixtures: an organisation, one user per role, and helpers that walk a case."""

from dataclasses import dataclass

import pytest

from tests.violations.factories import (
    CategoryFactory,
    DepartmentFactory,
    EmployeeFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_auth(settings):
    """Argon2 is slow by design and every test makes a dozen users; login throttling needs a
    request that ``client.login`` does not pass. Tests of either turn them back on."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False


@dataclass
class World:
    dept: object
    other_dept: object
    category: object
    subject: object
    subject2: object
    reporter: object
    officer: object
    manager: object
    investigator: object
    investigator2: object
    depthead: object
    senior: object
    hr: object
    owner: object
    reviewer: object
    auditor: object
    outsider: object


@pytest.fixture
def world(db):
    return make_world()


def make_world() -> World:
    """The organisation and one user per role (module-scoped fixtures call it directly)."""
    dept = DepartmentFactory(code="RB", name="Retail Banking")
    other = DepartmentFactory(code="OPS", name="Operations")
    depthead = UserFactory(username="depthead", roles=["Department head"])
    head_emp = EmployeeFactory(department=dept, user=depthead, name="Head of Retail")
    dept.head = head_emp
    dept.save()
    return World(
        dept=dept,
        other_dept=other,
        category=CategoryFactory(code="MIS-SELL", name="Mis-selling"),
        subject=EmployeeFactory(department=dept, name="Chan Tai Man", line_manager=head_emp),
        subject2=EmployeeFactory(department=dept, name="Lee Siu Ming"),
        reporter=UserFactory(username="reporter", roles=["Reporter"]),
        officer=UserFactory(username="officer", roles=["Compliance officer"]),
        manager=UserFactory(username="manager", roles=["Case manager"]),
        investigator=UserFactory(username="investigator", roles=["Investigator"]),
        investigator2=UserFactory(username="investigator2", roles=["Investigator"]),
        depthead=depthead,
        senior=UserFactory(username="senior", roles=["Senior management"]),
        hr=UserFactory(username="hr", roles=["HR officer"]),
        owner=UserFactory(username="owner", roles=["Remediation owner"]),
        reviewer=UserFactory(username="reviewer", roles=["Effectiveness reviewer"]),
        auditor=UserFactory(username="auditor", roles=["Internal auditor"]),
        outsider=UserFactory(username="outsider", roles=[]),
    )


@pytest.fixture
def walk(world):
    from tests.walk import Walker

    return Walker(world)
