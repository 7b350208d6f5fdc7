from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The trust core: digests of rows, hash chains of events, their heads and verification.

    It knows nothing of cases: its input is "these rows changed, under this chain key, by
    this actor".
    """

    name = "ledger"
    verbose_name = _("Audit ledger")
    default_auto_field = "django.db.models.BigAutoField"
