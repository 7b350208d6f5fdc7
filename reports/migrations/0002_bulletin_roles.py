"""Who drafts, approves and reads case bulletins: permissions granted to the roles' groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Every role reads published bulletins (they are written for staff education); compliance
# officers and case managers draft; case managers approve and publish.
ROLE_PERMISSIONS = {
    "Reporter": ["read_bulletin"],
    "Compliance officer": ["read_bulletin", "draft_bulletin"],
    "Case manager": ["read_bulletin", "draft_bulletin", "approve_bulletin"],
    "Investigator": ["read_bulletin"],
    "Department head": ["read_bulletin"],
    "Senior management": ["read_bulletin"],
    "HR officer": ["read_bulletin"],
    "Remediation owner": ["read_bulletin"],
    "Effectiveness reviewer": ["read_bulletin"],
    "Internal auditor": ["read_bulletin"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(
            Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
        )
        if len(perms) != len(codenames):
            raise RuntimeError(f"permissions missing for {role}")
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="reports", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_case_bulletins"),
        ("violations", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
