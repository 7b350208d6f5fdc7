from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import webhooks
from .models import Notification, OutboxMessage, Preference, WebhookDelivery, WebhookSubscriber


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: delivery is the dispatcher's record."""

    list_display = ["pk", "address", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = ["sent_at", "failed_at"]
    search_fields = ["address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "recipient", "kind", "case_reference", "created_at", "read_at", "email"]
    list_filter = ["kind", "email"]
    search_fields = ["case_reference", "recipient__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """Read-only: a person sets their own on the preferences page."""

    list_display = ["user", "language"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookSubscriberForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    scope = forms.ChoiceField(label=_("scope"), choices=webhooks.scope_choices)
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=lambda: list(webhooks.EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the events the scope allows are accepted."),
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["name", "url", "scope", "events", "account", "active"]


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    """The secret is shown once, when it is made (on creation or rotation)."""

    form = WebhookSubscriberForm
    list_display = ["name", "url", "scope", "active", "created_at", "secret_rotated_at"]
    list_filter = ["scope", "active"]
    search_fields = ["name", "url"]
    raw_id_fields = ["account"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if change:
            webhooks.webhook_subscriber_change(subscriber=obj, actor=request.user)
            return
        subscriber, secret = webhooks.webhook_subscriber_create(
            name=obj.name,
            url=obj.url,
            scope=obj.scope,
            events=obj.events,
            account=obj.account,
            active=obj.active,
            actor=request.user,
        )
        obj.pk, obj.secret, obj.created_at = subscriber.pk, secret, subscriber.created_at
        self._show_secret(request, obj, secret)

    def has_delete_permission(self, request, obj=None):
        # Its deliveries are the record of what was sent: a subscriber is deactivated instead.
        return False

    @admin.action(
        description=_("Rotate the signing secret of the selected subscribers"),
        permissions=["change"],
    )
    def rotate_secret(self, request, queryset):
        for subscriber in queryset:
            self._show_secret(
                request,
                subscriber,
                webhooks.webhook_secret_rotate(subscriber=subscriber, actor=request.user),
            )

    def _show_secret(self, request, subscriber, secret):
        messages.warning(
            request,
            _(
                "Signing secret of %(name)s: %(secret)s — copy it to the receiver now; "
                "it is not shown again."
            )
            % {"name": subscriber.name, "secret": secret},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: delivery is the dispatcher's record."""

    list_display = [
        "pk",
        "subscriber",
        "event",
        "case_reference",
        "status",
        "attempts",
        "response_code",
        "available_at",
        "last_error",
    ]
    list_filter = ["subscriber", "event", "delivered_at", "failed_at"]
    search_fields = ["case_reference", "event_id"]
    list_select_related = ["subscriber"]
    actions = ["resend"]

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.delivered_at:
            return _("delivered")
        if obj.failed_at:
            return _("given up")
        return _("waiting")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.change_webhooksubscriber")

    @admin.action(
        description=_("Send the selected given-up deliveries again"), permissions=["resend"]
    )
    def resend(self, request, queryset):
        count = webhooks.webhook_resend(deliveries=list(queryset), actor=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d delivery will be sent again.",
                    "%(count)d deliveries will be sent again.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.warning(request, gettext("Only given-up deliveries can be sent again."))
