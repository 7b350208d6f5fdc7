"""The notification kinds of the reporter's mailbox, registered when the app is ready (the
dispatcher renders a waiting mail in the recipient's language and must know its kind)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register


def register_kinds() -> None:
    register(
        Kind(
            key="reporter.message",
            label=_("A reporter wrote in the mailbox"),
            subject=_("%(case)s: the reporter wrote"),
            body=_(
                "The reporter of %(case)s sent a message (%(kind)s) through the reporting "
                "portal. Read it on the case page:\n%(url)s"
            ),
            translate=("kind",),
        )
    )
