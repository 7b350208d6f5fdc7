"""The small organisation a case is walked through: two departments, a category, two subjects
and one login per role.

The tests, the benchmarks and the crash test build it with :func:`build_world`; the demo
makes its logins with :func:`add_login` and builds its larger organisation around them. It
lives in the demo app because the demo may import every layer, and tests, benchmarks and
scripts may import the demo (but nothing outside tests/ should import test code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from violations.models import Department, Employee, ViolationCategory
from violations.services.reference import reference_genesis

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# World field (and username) -> the role group it holds (groups: violations/migrations/0002_roles.py).
ROLES: dict[str, str | None] = {
    "reporter": "Reporter",
    "officer": "Compliance officer",
    "manager": "Case manager",
    "investigator": "Investigator",
    "investigator2": "Investigator",
    "depthead": "Department head",
    "senior": "Senior management",
    "hr": "HR officer",
    "owner": "Remediation owner",
    "reviewer": "Effectiveness reviewer",
    "auditor": "Internal auditor",
    "outsider": None,  # a login with no part in any case
}

# Fixed natural keys, so that load_world() finds the same objects in another process.
DEPT, OTHER_DEPT, CATEGORY = "RB", "OPS", "MIS-SELL"
HEAD, SUBJECT, SUBJECT2 = "W0001", "W0002", "W0003"


@dataclass
class World:
    dept: Department  # headed by the depthead's employee record
    other_dept: Department
    category: ViolationCategory
    subject: Employee  # in dept, reporting to its head
    subject2: Employee  # in dept, no line manager
    reporter: User
    officer: User
    manager: User
    investigator: User
    investigator2: User
    depthead: User
    senior: User
    hr: User
    owner: User
    reviewer: User
    auditor: User
    outsider: User


def add_login(
    username: str,
    role: str | None,
    *,
    password: str | None,
    email_domain: str = "bank.example",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A user holding ``role`` (a group name, or None for none); ``password=None`` makes a
    login nobody can sign in with."""
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=f"{username}@{email_domain}",
        first_name=first_name,
        last_name=last_name,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


@transaction.atomic
def build_world(*, password: str | None) -> World:
    """Create the world in a database that has none (it refuses to make a second one: the
    usernames and codes are unique). Passwords are hashed with the configured hasher."""
    # Names in every language given by column, whatever language is active.
    dept = Department.objects.create(
        code=DEPT, name_en="Retail Banking", name_zh_hant="零售銀行部", name_zh_hans="零售银行部"
    )
    other_dept = Department.objects.create(
        code=OTHER_DEPT, name_en="Operations", name_zh_hant="營運部", name_zh_hans="运营部"
    )
    category = ViolationCategory.objects.create(
        code=CATEGORY, name_en="Mis-selling", name_zh_hant="不當銷售", name_zh_hans="不当销售"
    )
    users = {name: add_login(name, role, password=password) for name, role in ROLES.items()}
    head = Employee.objects.create(
        staff_number=HEAD,
        name="Head of Retail",
        department=dept,
        position="Head of department",
        user=users["depthead"],
    )
    dept.head = head
    dept.save(update_fields=["head"])
    world = World(
        dept=dept,
        other_dept=other_dept,
        category=category,
        subject=Employee.objects.create(
            staff_number=SUBJECT,
            name="Chan Tai Man",
            department=dept,
            position="Relationship manager",
            line_manager=head,
        ),
        subject2=Employee.objects.create(
            staff_number=SUBJECT2,
            name="Lee Siu Ming",
            department=dept,
            position="Relationship manager",
        ),
        **users,
    )
    # The seed's reference data is vouched for by the ledger as a migration's is.
    reference_genesis(
        rows=[dept, other_dept, category, head, world.subject, world.subject2],
        reason="demo world",
    )
    return world


def load_world() -> World:
    """The world :func:`build_world` made, read again (in a worker process, say)."""
    users = get_user_model().objects
    return World(
        dept=Department.objects.get(code=DEPT),
        other_dept=Department.objects.get(code=OTHER_DEPT),
        category=ViolationCategory.objects.get(code=CATEGORY),
        subject=Employee.objects.get(staff_number=SUBJECT),
        subject2=Employee.objects.get(staff_number=SUBJECT2),
        **{name: users.get(username=name) for name in ROLES},
    )


def get_or_build_world(*, password: str | None) -> World:
    """The world already in the database (a scratch database used a second time), else a new one."""
    if Department.objects.filter(code=DEPT).exists():
        return load_world()
    return build_world(password=password)
