"""The roles of the two systems that call the API (security.tokens.SCOPES): a service
account joins its scope's group when it is given a token of that scope."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Complaint system": ["report_case"],
    "HR system": ["execute_sanction"],
}


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("violations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(
            Permission.objects.filter(
                content_type__app_label="violations", codename__in=codenames
            )
        )
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"permissions missing for {role}: {sorted(missing)}")
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0002_service_accounts_api_tokens"),
        ("violations", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
