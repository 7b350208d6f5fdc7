"""What someone was told (the in-app notification), how they want to be told (preferences)
and what is still to go out by e-mail (the outbox)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In a daily digest")


class Notification(models.Model):
    """One thing a person was told. Shown in the notification centre when it has a recipient
    with a login; ``address`` alone (a customer, a reporter through the confidential channel)
    means e-mail only."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(_("e-mail address"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=60)
    # The case by its reference, not a foreign key: this app sits below the domain apps.
    case_reference = models.CharField(_("case"), max_length=20, blank=True, db_index=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    # Scoped to the recipient ("<recipient>:<key>"): the same event told twice is told once.
    dedupe_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # E-mail: none (in the app only), immediate (an outbox row now) or a digest that the
    # digest job sends at ``digest_due_at``, recording which message carried it.
    email = models.CharField(_("e-mail"), max_length=10, blank=True)
    digest_due_at = models.DateTimeField(_("digest due"), null=True, blank=True)
    digest_message = models.ForeignKey(
        "notifications.OutboxMessage",
        verbose_name=_("digest message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The header's unread count and the centre's list.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "created_at"], name="notification_recipient"),
            models.Index(
                fields=["digest_due_at"],
                condition=Q(email="digest", digest_message__isnull=True),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.address}"


class Preference(models.Model):
    """How a person wants to be told: the language of their e-mail, and which kinds of
    notification wait for the daily digest instead of going out at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    digest_kinds = models.JSONField(_("kinds in the daily digest"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class OutboxMessage(models.Model):
    """An e-mail to send, written in the same transaction as the change that caused it.
    Rendered in the recipient's language when the dispatcher sends it."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("e-mail address"), max_length=254)
    # Fixed when written for an address without a login; otherwise the recipient's
    # preference when sent.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=40, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The dispatcher's claim reads only what is still to be sent.
            models.Index(
                fields=["available_at", "id"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.address}"

    @property
    def is_digest(self) -> bool:
        return self.notification_id is None


class WebhookSubscriber(models.Model):
    """Another system told of case events by signed POSTs. Its ``scope`` (a row of
    ``notifications.webhooks.SCOPES``) decides which events it may hear of, of which cases,
    and which fields their payloads carry; ``events`` picks among those. The secret is kept
    in clear because each signature is computed with it; the admin shows it once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    scope = models.CharField(_("scope"), max_length=30)
    events = models.JSONField(_("events"), default=list)
    # The service account whose reports a scope limited to "its own cases" hears of.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .webhooks import SCOPES

        scope = SCOPES.get(self.scope)
        if scope is None:
            raise ValidationError({"scope": _("Choose a scope.")})
        chosen = set(self.events or [])
        if not chosen:
            raise ValidationError({"events": _("Choose at least one event.")})
        if not chosen <= set(scope.events):
            raise ValidationError({"events": _("This scope does not allow some of these events.")})
        if scope.own_cases and self.account_id is None:
            raise ValidationError(
                {"account": _("This scope hears of the cases its service account reported.")}
            )


class WebhookDelivery(models.Model):
    """One case event to POST to one subscriber, written in the transaction of the change
    (like the e-mail outbox). Sent in order per case and subscriber by the webhook
    dispatcher."""

    subscriber = models.ForeignKey(
        WebhookSubscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"), unique=True)
    event = models.CharField(_("event"), max_length=40)
    case_reference = models.CharField(_("case"), max_length=20)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=40, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["subscriber", "case_reference", "id"],
                condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="webhook_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.case_reference} → {self.subscriber_id}"
