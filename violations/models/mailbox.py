"""The reporter's mailbox: messages between the case team and the reporter, and the
receipt code with which a reporter without an account reaches them (``/speak-up/``).

A message is a case record like any other (history, one audit event on the case's chain).
A message from the reporter names nobody: its author is empty, and the audit actor is the
protected-reporter marker. The receipt code itself is never stored: only a slow hash of it
(``violations.services.mailbox.receipt_hash``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MessageDirection(models.TextChoices):
    TO_REPORTER = "to_reporter", _("To the reporter")
    FROM_REPORTER = "from_reporter", _("From the reporter")


class MessageKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")
    FEEDBACK_INTERIM = "feedback_interim", _("Interim feedback")
    FEEDBACK_FINAL = "feedback_final", _("Final feedback")
    OTHER = "other", _("Other message")


FEEDBACK_KINDS = (MessageKind.FEEDBACK_INTERIM, MessageKind.FEEDBACK_FINAL)
# What the case team writes from the case page, and what the reporter writes.
TEAM_KINDS = (MessageKind.QUESTION, *FEEDBACK_KINDS, MessageKind.OTHER)
REPORTER_KINDS = (MessageKind.ANSWER, MessageKind.OTHER)


class ReporterMessage(models.Model):
    case = models.ForeignKey(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reporter_messages",
    )
    direction = models.CharField(_("direction"), max_length=20, choices=MessageDirection.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    # Empty for the acknowledgement's standard words (shown in the reader's language).
    text = models.TextField(_("message"), blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    # The team member who wrote it; always empty for the reporter's own messages.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    attachments = models.ManyToManyField(
        "violations.Evidence", verbose_name=_("attachments"), blank=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=["attachments"])

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("message with the reporter")
        verbose_name_plural = _("messages with the reporter")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()} #{self.pk}"

    @property
    def from_reporter(self) -> bool:
        return self.direction == MessageDirection.FROM_REPORTER


class ReporterReceipt(models.Model):
    """The reporter's key to the mailbox of one case: only the code's hash is kept.

    ``lookup`` is Argon2id over the code with this installation's fixed salt, so a code is
    found with one indexed equality instead of hashing against every case (see
    ``violations.services.mailbox``).
    """

    case = models.OneToOneField(
        "violations.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reporter_receipt",
    )
    lookup = models.CharField(_("receipt code hash"), max_length=128, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # The complaint desk's member of staff who handed the code to a customer; empty when
    # the reporter took it from the portal.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt code")
        verbose_name_plural = _("receipt codes")

    def __str__(self) -> str:
        return f"{_('Receipt code')} #{self.pk}"
