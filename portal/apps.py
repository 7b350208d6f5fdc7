from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The reporting portal (``/speak-up/``): reports and the reporter's mailbox, no login."""

    name = "portal"
    verbose_name = _("Reporting portal")
    default_auto_field = "django.db.models.BigAutoField"
