"""Load deterministic demo data: an organisation, one login per role, ~28 cases."""

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.world import add_login
from violations.models import Case, Department, Employee
from violations.services.reference import reference_genesis

PASSWORD = "demo"

# code, English, Traditional Chinese, Simplified Chinese, parent
DEPARTMENTS = [
    ("HO", "Head Office", "總行", "总行", None),
    ("RB", "Retail Banking", "零售銀行部", "零售银行部", "HO"),
    ("RB-CEN", "Central Branch", "中環分行", "中环分行", "RB"),
    ("RB-KLN", "Kowloon Branch", "九龍分行", "九龙分行", "RB"),
    ("WM", "Wealth Management", "財富管理部", "财富管理部", "HO"),
    ("CARD", "Card Services", "信用卡服務部", "信用卡服务部", "HO"),
    ("OPS", "Operations", "營運部", "运营部", "HO"),
    ("CMP", "Compliance", "合規部", "合规部", "HO"),
    ("HR", "Human Resources", "人力資源部", "人力资源部", "HO"),
    ("IT", "Information Technology", "資訊科技部", "信息技术部", "HO"),
]

# The violation categories are the catalogue's own (sanctions/migrations/0004_reference_data),
# named in every language by sanctions/migrations/0007: the demo adds none of its own.

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
            made = self.organisation(rng)
            # The ledger vouches for the demo's organisation as for a migration's data.
            reference_genesis(rows=made, reason="demo seed")
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
        self.second_factors()

    def second_factors(self):
        """The privileged demo users need a second factor (security/mfa.py). With DEBUG on
        (``make demo``) they share one authenticator whose secret is printed in the README,
        so anyone can try the demo; ``manage.py demo_code`` shows the current code. With
        DEBUG off they enrol their own at first sign-in, and the README's secret is refused
        anyway (security.mfa.second_factor_verify)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from security import mfa

        privileged = [
            u for u in get_user_model().objects.order_by("pk") if mfa.second_factor_required(u)
        ]
        if not settings.DEBUG:
            names = ", ".join(u.username for u in privileged)
            self.stdout.write(
                f"Second factor: {names} set up an authenticator app at their first sign-in."
            )
            return
        for user in privileged:
            TOTPDevice.objects.create(
                user=user, name="demo authenticator", key=mfa.DEMO_TOTP_KEY_HEX, confirmed=True
            )
        self.stdout.write(
            f"Second factor (demo only): {', '.join(u.username for u in privileged)} use the "
            f"authenticator secret {mfa.DEMO_TOTP_SECRET_BASE32}; "
            "`python manage.py demo_code` prints the current code."
        )

    def organisation(self, rng) -> list:
        """Departments, logins and staff, each made once: a second run (``--force``) finds
        them by code and username and adds nothing. Returns the rows it made."""
        User = get_user_model()
        depts = {}
        made: list = []
        for code, en, zh_hant, zh_hans, parent in DEPARTMENTS:
            depts[code], created = Department.objects.get_or_create(
                code=code,
                defaults={
                    "name_en": en,
                    "name_zh_hant": zh_hant,
                    "name_zh_hans": zh_hans,
                    "parent": depts.get(parent),
                },
            )
            if created:
                made.append(depts[code])
        if User.objects.filter(username="officer").exists():
            return made
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
        made += people.values()
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
            made.append(emp)
        return made
