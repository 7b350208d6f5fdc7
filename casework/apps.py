from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """The process: the flow's graph, the task pages, the case page and the step API."""

    name = "casework"
    verbose_name = _("Case work")
    default_auto_field = "django.db.models.BigAutoField"
