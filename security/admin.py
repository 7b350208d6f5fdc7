"""django-axes's login records in the admin, read-only; service accounts and their API
tokens, made, rotated and revoked through security.tokens.

A failed login or a lockout is evidence; its record is not edited or deleted by hand. The one
write left is deleting a running lockout (an ``AccessAttempt``) to let someone sign in again,
and that lands on the system chain as ``login.lockout_lifted`` (``security.receivers``).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import tokens
from .models import ApiToken, ServiceAccount


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _NoDelete(_ReadOnly):
    def has_delete_permission(self, request, obj=None):
        return False


class LockoutAdmin(_ReadOnly, AccessAttemptAdmin):
    pass


class LoginLogAdmin(_NoDelete, AccessLogAdmin):
    pass


class LoginFailureLogAdmin(_NoDelete, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, LockoutAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)


# --- service accounts and their API tokens (security.tokens) ----------------------------------


class _SuperuserOnly:
    """Service accounts and tokens are an administrator's: nobody else sees or changes them."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAccountForm(forms.ModelForm):
    username = forms.CharField(label=_("username"), max_length=150)

    class Meta:
        model = ServiceAccount
        fields = ["description"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        User = get_user_model()
        try:
            User(username=username).clean_fields(exclude=["password"])
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("username", [])) from None
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("An account with this name exists already."))
        return username


@admin.register(ServiceAccount)
class ServiceAccountAdmin(_SuperuserOnly, admin.ModelAdmin):
    form = ServiceAccountForm
    list_display = ["user", "description", "created_by", "created_at"]
    readonly_fields = ["user", "description", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return ["username", "description"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        account = tokens.service_account_create(
            username=form.cleaned_data["username"],
            description=form.cleaned_data["description"],
            actor=request.user,
        )
        obj.pk, obj.user = account.pk, account.user


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=tokens.SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ["account", "name", "scopes", "expires_at", "rate"]

    def clean_expires_at(self):
        moment = self.cleaned_data.get("expires_at")
        if moment is not None and moment <= timezone.now():
            raise ValidationError(_("Give a time in the future."))
        return moment

    def clean_rate(self):
        rate = self.cleaned_data.get("rate", "")
        if rate and not tokens.valid_rate(rate):
            raise ValidationError(tokens.RATE_HELP)
        return rate


def _show_once(request, token, plaintext):
    messages.warning(
        request,
        gettext(
            "The token %(name)s is %(token)s — copy it now: it is not stored and will not be "
            "shown again."
        )
        % {"name": token.name, "token": plaintext},
    )


@admin.register(ApiToken)
class ApiTokenAdmin(_SuperuserOnly, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "prefix",
        "account",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["account"]
    actions = ["rotate", "revoke"]
    shown = [
        "account",
        "name",
        "prefix",
        "scopes",
        "rate",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "replaced_by",
    ]

    def get_fields(self, request, obj=None):
        return ["account", "name", "scopes", "expires_at", "rate"] if obj is None else self.shown

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.shown

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        token, plaintext = tokens.api_token_create(
            account=data["account"],
            name=data["name"],
            scopes=data["scopes"],
            expires_at=data.get("expires_at"),
            rate=data.get("rate", ""),
            actor=request.user,
        )
        obj.pk = token.pk
        _show_once(request, token, plaintext)

    @admin.action(description=_("Rotate: a new secret; the old one works on for a short while"))
    def rotate(self, request, queryset):
        for token in queryset.select_related("account__user"):
            try:
                new, plaintext = tokens.api_token_rotate(token=token, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request, f"{token}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
                continue
            _show_once(request, new, plaintext)

    @admin.action(description=_("Revoke: refuse the token from now on"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("account__user"):
            tokens.api_token_revoke(token=token, actor=request.user)
        messages.success(request, gettext("The selected tokens are revoked."))
