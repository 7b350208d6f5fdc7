from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = _("Remediation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from violations.policy import register_task_rule

        from .policy import action_task_rule, review_task_rule

        register_task_rule("complete_action", action_task_rule)
        register_task_rule("review", review_task_rule)
