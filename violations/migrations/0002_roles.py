"""Roles as groups with permissions. Later permission changes get their own migration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Reporter": ["report_case"],
    "Compliance officer": [
        "report_case", "verify_case", "propose_sanction", "record_customer_feedback",
        "notify_regulator", "plan_remediation",
    ],
    "Case manager": [
        "report_case", "verify_case", "form_team", "propose_sanction", "approve_compliance_level",
        "record_customer_feedback", "notify_regulator", "plan_remediation", "view_all_cases",
        "manage_cases",
    ],
    "Investigator": ["report_case", "investigate_case", "find_facts"],
    "Department head": ["report_case", "approve_department_level"],
    "Senior management": ["report_case", "approve_senior_level", "view_all_cases"],
    "HR officer": ["report_case", "execute_sanction"],
    "Remediation owner": ["report_case", "complete_action"],
    "Effectiveness reviewer": ["report_case", "review_effectiveness"],
    "Internal auditor": ["audit_cases"],
}


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("violations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(Permission.objects.filter(content_type__app_label="violations", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"permissions missing for {role}: {sorted(missing)}")
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("violations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
