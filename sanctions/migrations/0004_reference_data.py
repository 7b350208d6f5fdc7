"""Reference data: the sanction catalogue, severity grades, the bank's violation categories,
the sanction matrix, and the appeal and lifecycle permissions for the roles.

Categories are created only if missing (by code), so an institution's own edits survive.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# code, name, grade, record months, executing department, parameters, approval level, approvers
KINDS = [
    ("warning", "Oral or written warning (口頭警告 / 書面警告)", 1, 6, "Line management with HR",
     ["form: oral | written"], "department", 1),
    ("criticism", "Notice of criticism (通報批評)", 2, 12, "Compliance",
     ["scope: department | business_line | institution"], "department", 1),
    ("suspension", "Suspension of business authority (暫停業務辦理權限)", 3, 12, "Business line operations",
     ["authorities", "start", "end"], "compliance", 1),
    ("deduction", "Deduction of bonus or performance pay (扣除獎金或績效)", 4, 12, "HR (payroll)",
     ["amount | percentage", "period"], "compliance", 1),
    ("demotion", "Demotion or transfer (降級或調崗)", 5, 24, "HR",
     ["change: demotion | transfer", "from", "to"], "senior", 1),
    ("termination", "Termination of the labour contract (解除勞動合同或聘用協議)", 6, 60, "HR with Legal",
     [], "senior", 2),
    ("judicial", "Referral to judicial authorities (移交司法機關處理)", 7, 60, "Legal & Compliance",
     ["authority", "date (at execution)", "reference (at execution)"], "senior", 2),
]

# severity: name, rank, default band (lightest, gravest, recommended)
SEVERITIES = {
    "minor": ("Minor (輕微)", 1, ("warning", "criticism", "warning")),
    "general": ("General (一般)", 2, ("warning", "deduction", "criticism")),
    "serious": ("Serious (嚴重)", 3, ("criticism", "demotion", "deduction")),
    "major": ("Major (重大)", 4, ("deduction", "judicial", "demotion")),
}

CATEGORIES = [
    ("SALES", "Sales misconduct and mis-selling (銷售違規)", [
        ("SALES.UNSUITABLE", "Unsuitable product recommendation (不適當銷售)"),
        ("SALES.MISREP", "Misrepresentation of risks, fees or terms (誤導性陳述)"),
        ("SALES.PRESSURE", "Pressure selling or tied selling (強制搭售)"),
    ]),
    ("SERVICE", "Customer service conduct (服務行為)", [
        ("SERVICE.CONDUCT", "Discourteous or improper conduct towards customers (服務態度)"),
        ("SERVICE.COMPLAINT", "Mishandled or suppressed complaint (投訴處理不當)"),
        ("SERVICE.REFUSAL", "Undue delay or refusal of service (推諉拒辦)"),
    ]),
    ("PRIVACY", "Customer information and privacy (客戶信息與隱私)", [
        ("PRIVACY.DISCLOSURE", "Disclosure of customer information (泄露客戶信息)"),
        ("PRIVACY.ACCESS", "Unauthorised access to customer records (違規查詢)"),
        ("PRIVACY.HANDLING", "Improper handling or retention of records (資料管理不當)"),
    ]),
    ("OPERATIONS", "Operational and procedural breaches (操作違規)", [
        ("OPERATIONS.KYC", "Customer due diligence / AML procedure breach (反洗錢及客戶盡職調查)"),
        ("OPERATIONS.AUTHORITY", "Exceeding authority or bypassing dual control (越權操作)"),
        ("OPERATIONS.PROCESS", "Deviation from operating procedures (違反操作規程)"),
    ]),
    ("INTEGRITY", "Integrity and fraud (誠信與舞弊)", [
        ("INTEGRITY.FRAUD", "Fraud, embezzlement or misappropriation (詐騙、挪用)"),
        ("INTEGRITY.CONFLICT", "Undisclosed conflict of interest (利益衝突)"),
        ("INTEGRITY.BENEFITS", "Improper gifts or benefits (收受不當利益)"),
        ("INTEGRITY.FORGERY", "Falsified records or signatures (偽造資料)"),
    ]),
]

# Category-specific cells; the other top-level categories use the severity's default band.
MATRIX = {
    "SERVICE": {
        "minor": ("warning", "criticism", "warning"),
        "general": ("warning", "suspension", "warning"),
        "serious": ("criticism", "deduction", "suspension"),
        "major": ("suspension", "termination", "deduction"),
    },
    "INTEGRITY": {
        "minor": ("criticism", "suspension", "criticism"),
        "general": ("criticism", "demotion", "deduction"),
        "serious": ("deduction", "termination", "demotion"),
        "major": ("demotion", "judicial", "termination"),
    },
}

ROLE_PERMISSIONS = {
    "Compliance officer": ["file_appeal"],
    "Case manager": ["file_appeal", "end_sanction"],
    "HR officer": ["file_appeal", "end_sanction"],
    "Senior management": ["decide_appeal"],
}


def forwards(apps, schema_editor):
    Kind = apps.get_model("sanctions", "SanctionKind")
    Grade = apps.get_model("sanctions", "SeverityGrade")
    Rule = apps.get_model("sanctions", "MatrixRule")
    Category = apps.get_model("violations", "ViolationCategory")
    kinds = {}
    for code, name, grade, months, dept, params, level, approvers in KINDS:
        kinds[code], _ = Kind.objects.get_or_create(code=code, defaults=dict(
            name=name, grade=grade, record_months=months, executing_department=dept,
            parameters=params, approval_level=level, approvers_required=approvers))
    grades = {}
    for code, (name, rank, (lo, hi, rec)) in SEVERITIES.items():
        grades[code], _ = Grade.objects.get_or_create(code=code, defaults=dict(
            name=name, rank=rank, default_lightest=kinds[lo], default_gravest=kinds[hi],
            default_recommended=kinds[rec]))
    for code, name, children in CATEGORIES:
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name})
        for child_code, child_name in children:
            Category.objects.get_or_create(code=child_code, defaults={"name": child_name, "parent": parent})
        cells = MATRIX.get(code, {s: band for s, (_n, _r, band) in SEVERITIES.items()})
        for sev, (lo, hi, rec) in cells.items():
            Rule.objects.get_or_create(category=parent, severity=grades[sev], defaults=dict(
                lightest=kinds[lo], gravest=kinds[hi], recommended=kinds[rec]))

    app_config = apps.get_app_config("sanctions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(Permission.objects.filter(content_type__app_label="sanctions", codename__in=codenames))
        if len(perms) != len(codenames):
            raise RuntimeError(f"permissions missing for {role}")
        group.permissions.add(*perms)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="sanctions", codename__in=codenames))
    apps.get_model("sanctions", "MatrixRule").objects.all().delete()
    apps.get_model("sanctions", "SeverityGrade").objects.all().delete()
    apps.get_model("sanctions", "SanctionKind").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0003_catalogue_matrix_defence_appeal"),
        ("violations", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
