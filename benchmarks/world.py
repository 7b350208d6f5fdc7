"""The organisation every measured case happens in: departments, people and their roles."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from violations.models import Department, Employee, ViolationCategory


def build_world():
    User = get_user_model()

    def user(name, *roles):
        u = User.objects.create_user(username=name, password="pw", email=f"{name}@bank.example")
        u.groups.add(*Group.objects.filter(name__in=roles))
        return u

    dept = Department.objects.create(code="RB", name="Retail Banking")
    other = Department.objects.create(code="OPS", name="Operations")
    depthead = user("depthead", "Department head")
    head_emp = Employee.objects.create(staff_number="H0001", name="Head of Retail",
                                       department=dept, user=depthead)
    dept.head = head_emp
    dept.save()
    return SimpleNamespace(
        dept=dept, other_dept=other,
        category=ViolationCategory.objects.create(code="MIS-SELL", name="Mis-selling"),
        subject=Employee.objects.create(staff_number="S0001", name="Chan Tai Man",
                                        department=dept, line_manager=head_emp),
        subject2=Employee.objects.create(staff_number="S0002", name="Lee Siu Ming", department=dept),
        reporter=user("reporter", "Reporter"), officer=user("officer", "Compliance officer"),
        manager=user("manager", "Case manager"), investigator=user("investigator", "Investigator"),
        investigator2=user("investigator2", "Investigator"), depthead=depthead,
        senior=user("senior", "Senior management"), hr=user("hr", "HR officer"),
        owner=user("owner", "Remediation owner"), reviewer=user("reviewer", "Effectiveness reviewer"),
        auditor=user("auditor", "Internal auditor"), outsider=user("outsider"),
    )


def world_pks(world) -> dict:
    """The world as primary keys, to hand to a worker process."""
    kinds = {}
    for name, obj in vars(world).items():
        kind = ("dept" if isinstance(obj, Department) else "emp" if isinstance(obj, Employee)
                else "cat" if isinstance(obj, ViolationCategory) else "user")
        kinds[name] = (kind, obj.pk)
    return kinds


def load_world(pks: dict):
    """The world again from :func:`world_pks`, in a worker process."""
    User = get_user_model()
    out = {}
    for name, (model, pk) in pks.items():
        out[name] = {"user": User, "dept": Department, "emp": Employee,
                     "cat": ViolationCategory}[model].objects.get(pk=pk)
    return SimpleNamespace(**out)
