from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "violations"
    verbose_name = _("Violations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import audit, policy
        from .history import build_history_managers_once
        from .models import (
            Case,
            Department,
            Employee,
            ReporterIdentity,
            ResponsiblePerson,
            TeamMember,
        )

        build_history_managers_once()

        # A step keeps each user's standing on its case for its later checks (one read);
        # any write to a row a standing is made of drops what was kept.
        for model in (TeamMember, ReporterIdentity, ResponsiblePerson, Employee, Department):
            for when, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(policy.forget_standings, sender=model,
                               dispatch_uid=f"standing-{when}-{model.__name__}")
        m2m_changed.connect(policy.forget_standings, sender=Case.subjects.through,
                            dispatch_uid="standing-subjects")
        # Within a step the audit trail reads a row's many-to-many links once; any change
        # of a case record's links drops what it read. (Only our own apps' links: a
        # receiver on viewflow's task links would cost each of its inserts a read.)
        from django.apps import apps

        for model in apps.get_models():
            if model._meta.app_label not in ("violations", "sanctions", "remediation"):
                continue
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(audit.forget_links, sender=field.remote_field.through,
                                    dispatch_uid=f"audit-links-{model._meta.label}-{field.name}")
