"""Load deterministic demo data: an organisation, one login per role, ~28 cases."""

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.world import add_login
from violations.models import Case, Department, Employee, ViolationCategory

PASSWORD = "demo"

DEPARTMENTS = [
    ("HO", "Head Office", None),
    ("RB", "Retail Banking", "HO"),
    ("RB-CEN", "Central Branch", "RB"),
    ("RB-KLN", "Kowloon Branch", "RB"),
    ("WM", "Wealth Management", "HO"),
    ("CARD", "Card Services", "HO"),
    ("OPS", "Operations", "HO"),
    ("CMP", "Compliance", "HO"),
    ("HR", "Human Resources", "HO"),
    ("IT", "Information Technology", "HO"),
]

CATEGORIES = [
    ("SALES", "Sales misconduct", None),
    ("SALES-MIS", "Mis-selling of investment products", "SALES"),
    ("SALES-PRESS", "High-pressure sales", "SALES"),
    ("SERV", "Customer service conduct", None),
    ("SERV-RUDE", "Discourteous service", "SERV"),
    ("SERV-DELAY", "Unreasonable delay", "SERV"),
    ("INFO", "Information and privacy", None),
    ("INFO-LEAK", "Disclosure of customer data", "INFO"),
    ("OPS", "Operational and procedural", None),
    ("OPS-KYC", "KYC procedure not followed", "OPS"),
    ("FRAUD", "Integrity and fraud", None),
    ("FRAUD-FORGE", "Forged signature", "FRAUD"),
]

# username, role group, full name, department, position
LOGINS = [
    ("reporter", "Reporter", "Ada Reporter", "RB-CEN", "Teller"),
    ("officer", "Compliance officer", "Oscar Officer 區志明", "CMP", "Compliance officer"),
    ("manager", "Case manager", "Mandy Manager 馬曼玲", "CMP", "Head of Compliance"),
    ("investigator", "Investigator", "Ivan Investigator 葉偉文", "CMP", "Senior investigator"),
    ("investigator2", "Investigator", "Irene Investigator 伍詠儀", "CMP", "Investigator"),
    ("depthead", "Department head", "Derek Head 鄧家豪", "RB-CEN", "Branch manager"),
    ("senior", "Senior management", "Sara Senior 蕭秀雲", "HO", "Chief Operating Officer"),
    ("senior2", "Senior management", "Samuel Senior 石志強", "HO", "Chief Risk Officer"),
    ("hr", "HR officer", "Hannah HR 何慧敏", "HR", "HR business partner"),
    ("owner", "Remediation owner", "Owen Owner 王國華", "OPS", "Process owner"),
    (
        "reviewer",
        "Effectiveness reviewer",
        "Rita Reviewer 李麗華",
        "HO",
        "Internal control reviewer",
    ),
    ("auditor", "Internal auditor", "Alan Auditor 歐陽俊", "HO", "Internal auditor"),
]

SURNAMES = [
    "Chan",
    "Wong",
    "Lee",
    "Cheung",
    "Lau",
    "Ng",
    "Ho",
    "Leung",
    "Tam",
    "Yip",
    "Kwok",
    "Lam",
]
GIVEN = [
    "Ka Yan",
    "Wing Sze",
    "Chi Keung",
    "Mei Ling",
    "Tsz Hin",
    "Hoi Yan",
    "Man Kit",
    "Siu Fung",
    "Pui Shan",
    "Kin Wai",
    "Yuk Lan",
    "Chun Ho",
]


class Command(BaseCommand):
    help = "Load deterministic demo data (refuses to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if cases already exist (adds more cases).",
        )

    def handle(self, *args, force=False, **options):
        User = get_user_model()
        if User.objects.filter(username="officer").exists() and not force:
            self.stdout.write(
                "Demo data is already loaded. Log in at http://127.0.0.1:8000 "
                f"with any demo username and the password '{PASSWORD}'."
            )
            return
        if Case.objects.exists() and not force:
            raise CommandError(
                "The database already holds cases; refusing to mix demo data in "
                "(use --force to add them anyway)."
            )
        # Notices would go to the console during loading; keep them in memory instead.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        rng = random.Random(2026)
        with transaction.atomic():
            self.organisation(rng)
        from demo.scenarios import build_cases

        # Loaded cases are dated in the past; a short review delay keeps every event there.
        overrides = settings.ACCOUNTABILITY.setdefault("DEADLINE_OVERRIDES", {})
        delay = overrides.get("review_delay")
        overrides["review_delay"] = dt.timedelta(days=14)
        try:
            counts = build_cases(self.stdout)
        finally:
            if delay is None:
                overrides.pop("review_delay")
            else:
                overrides["review_delay"] = delay
        self.stdout.write(self.style.SUCCESS(f"Loaded {counts} demo cases."))
        names = ", ".join(u for u, *_ in LOGINS)
        self.stdout.write(f"Demo logins (password '{PASSWORD}'): {names}, admin (superuser)")

    def organisation(self, rng):
        User = get_user_model()
        depts = {}
        for code, name, parent in DEPARTMENTS:
            depts[code] = Department.objects.create(code=code, name=name, parent=depts.get(parent))
        cats = {}
        for code, name, parent in CATEGORIES:
            cats[code], _ = ViolationCategory.objects.get_or_create(
                code=code, defaults={"name": name, "parent": cats.get(parent)}
            )
        n = 0
        people = {}
        for username, group, full, dept, position in LOGINS:
            first, _, last = full.partition(" ")
            user = add_login(
                username,
                group,
                password=PASSWORD,
                email_domain="demo-bank.example",
                first_name=first,
                last_name=last,
            )
            n += 1
            people[username] = Employee.objects.create(
                staff_number=f"E{n:04d}",
                name=full,
                department=depts[dept],
                position=position,
                user=user,
            )
        admin = User.objects.create_superuser("admin", "admin@demo-bank.example", PASSWORD)
        admin.groups.add(Group.objects.get(name="Case manager"))
        depts["RB-CEN"].head = people["depthead"]
        depts["RB-CEN"].save()
        depts["CMP"].head = people["manager"]
        depts["CMP"].save()
        staff_depts = ["RB-CEN", "RB-CEN", "RB-KLN", "WM", "CARD", "OPS"]
        heads = {}
        while n < 42:
            n += 1
            dept = staff_depts[n % len(staff_depts)]
            emp = Employee.objects.create(
                staff_number=f"E{n:04d}",
                name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                department=depts[dept],
                position=rng.choice(
                    ["Relationship manager", "Teller", "Customer service officer", "Team leader"]
                ),
                line_manager=heads.get(dept) or (people["depthead"] if dept == "RB-CEN" else None),
            )
            heads.setdefault(dept, emp)
