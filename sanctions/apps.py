from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = _("Sanctions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .webhooks import register

        register()
