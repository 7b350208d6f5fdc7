"""Single sign-on with OpenID Connect (mozilla-django-oidc), on only when configured.

The identity provider (IdP) is the institution's directory: it says who the person is
(``OIDC_USERNAME_CLAIM``, by default ``preferred_username``, names the account here; one is
made at the first sign-in) and which of its groups they belong to (``OIDC_GROUPS_CLAIM``).
``OIDC_GROUP_MAP`` maps IdP group names to this application's roles (its groups); at every
sign-in the person's mapped roles are set to exactly what the IdP says, so a role removed in
the directory is gone here at the next sign-in. Roles outside the map, and the admin flags
(staff, superuser), are never touched by the IdP. A person in none of the mapped groups is
not signed in.

The second factor: an IdP login counts as one only if the ID token's ``amr`` (authentication
methods references, RFC 8176) names a method in ``OIDC_TRUSTED_AMR`` (for example ``mfa`` or
``otp``), and only when the operator has set that list: by default a privileged person signed
in by the IdP still enters a code from their authenticator here (docs/deploy.md).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .mfa import IDP_MFA_SESSION_KEY

log = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def mapped_roles(claims: dict) -> set[str]:
    """This application's group names for the IdP groups in ``claims``."""
    mapping: dict[str, str] = settings.OIDC_GROUP_MAP
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    return {mapping[g] for g in groups if isinstance(g, str) and g in mapping}


def second_factor_by_idp(id_token_claims: dict) -> bool:
    trusted = set(settings.OIDC_TRUSTED_AMR)
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(trusted and trusted & set(amr))


class GroupsOIDCBackend(OIDCAuthenticationBackend):
    """Accounts named by the IdP's username claim, roles from its groups claim."""

    def filter_users_by_claims(self, claims):
        username = self.get_username(claims)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username__iexact=username)

    def get_username(self, claims):
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "")[:150]

    def verify_claims(self, claims):
        if not self.get_username(claims):
            log.warning("OIDC sign-in refused: no %s claim", settings.OIDC_USERNAME_CLAIM)
            return False
        if not mapped_roles(claims):
            log.warning("OIDC sign-in refused: %s is in no mapped group", self.get_username(claims))
            return False
        # A service account acts by token only (security.tokens): no sign-in, whoever claims it.
        if self.UserModel.objects.filter(
            username__iexact=self.get_username(claims), service_account__isnull=False
        ).exists():
            log.warning("OIDC sign-in refused: %s is a service account", self.get_username(claims))
            return False
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            # Read by the callback view once the session exists (login_success below).
            user.second_factor_by_idp = second_factor_by_idp(payload)
        return user

    def create_user(self, claims):
        with transaction.atomic():
            user = self.UserModel.objects.create_user(
                username=self.get_username(claims),
                email=claims.get("email", ""),
                first_name=claims.get("given_name", ""),
                last_name=claims.get("family_name", ""),
            )  # no usable password: this person signs in through the IdP
            self._set_roles(user, claims)
        return user

    def update_user(self, user, claims):
        with transaction.atomic():
            self._set_roles(user, claims)
        return user

    def _set_roles(self, user, claims) -> None:
        """The mapped roles become exactly the IdP's; each change is a security event
        (``user.groups_changed``, security.receivers)."""
        managed = set(settings.OIDC_GROUP_MAP.values())
        wanted = mapped_roles(claims)
        known = {g.name: g for g in Group.objects.filter(name__in=managed)}
        for name in wanted - set(known):
            log.warning("OIDC_GROUP_MAP names a group that does not exist: %s", name)
        held = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
        removed = [known[n] for n in held - wanted if n in known]
        added = [known[n] for n in wanted - held if n in known]
        if removed:
            user.groups.remove(*removed)
        if added:
            user.groups.add(*added)


class SignInView(OIDCAuthenticationRequestView):
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, "second_factor_by_idp", False):
            self.request.session[IDP_MFA_SESSION_KEY] = True
        return response
