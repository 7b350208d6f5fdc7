"""Signal receivers that turn account, right and login changes into security events.

Django's ``post_save``/``m2m_changed`` are the only place every path that creates a user or
grants a right passes (the admin, a shell, a command, a single sign-on backend); that is why
this is a signal and not a service, unlike the domain's rules.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.models import HistoricalRecords

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent

from .events import LoginAttempt, request_address, request_user, security_event_record

# The account flags whose change is a change of rights.
WATCHED_FLAGS = ("is_active", "is_staff", "is_superuser")
# What else of an account, changed by someone else, would let them act as its holder.
WATCHED_IDENTITY = ("username", "password")
WATCHED = WATCHED_FLAGS + WATCHED_IDENTITY
USERNAME_LIMIT = 150  # what is stored of a typed username: never a whole pasted password file


def _user_ref(user) -> dict:
    return {"user_id": user.pk, "username": user.get_username()}


# --- accounts ---------------------------------------------------------------------------------


def _remember_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        instance._security_flags = None
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED):
        instance._security_flags = "unchanged"
        return
    # Only what this save writes: a field it leaves alone may be stale in memory.
    saved = [f for f in WATCHED if update_fields is None or f in update_fields]
    instance._security_flags = sender._default_manager.filter(pk=instance.pk).values(*saved).first()


def _account_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        instance._security_loaded_raw = True  # its many-to-many rows follow: see below
        return
    actor = request_user()
    if created:
        security_event_record(
            action="user.created",
            actor=actor,
            payload={**_user_ref(instance), **{f: getattr(instance, f) for f in WATCHED_FLAGS}},
        )
        return
    before = getattr(instance, "_security_flags", None)
    if not isinstance(before, dict):
        return
    if "is_active" in before and before["is_active"] != instance.is_active:
        security_event_record(
            action="user.reactivated" if instance.is_active else "user.deactivated",
            actor=actor,
            payload=_user_ref(instance),
        )
    changed = {
        f: {"from": before[f], "to": getattr(instance, f)}
        for f in ("is_staff", "is_superuser")
        if f in before and before[f] != getattr(instance, f)
    }
    if changed:
        security_event_record(
            action="user.flags_changed",
            actor=actor,
            payload={**_user_ref(instance), "changed": changed},
        )
    if "username" in before and before["username"] != instance.get_username():
        security_event_record(
            action="user.renamed",
            actor=actor,
            payload={**_user_ref(instance), "from": before["username"]},
        )
    if "password" in before and before["password"] != instance.password:
        # Never the hash: only that it changed, and by whom.
        security_event_record(
            action="user.password_changed", actor=actor, payload=_user_ref(instance)
        )


def _account_deleted(sender, instance, **kwargs):
    security_event_record(action="user.deleted", actor=request_user(), payload=_user_ref(instance))


def _group_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        instance._security_loaded_raw = True  # its many-to-many rows follow: see below
    elif created:
        security_event_record(
            action="group.created",
            actor=request_user(),
            payload={"group_id": instance.pk, "group": instance.name},
        )


def _group_deleted(sender, instance, **kwargs):
    security_event_record(
        action="group.deleted",
        actor=request_user(),
        payload={"group_id": instance.pk, "group": instance.name},
    )


# --- rights: group membership and permissions -------------------------------------------------


def _names(model, pks) -> list[str]:
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in rows)
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(model._default_manager.filter(pk__in=pks).values_list("username", flat=True))


def _rights_changed(action_name):
    """A receiver for one many-to-many relation; ``instance`` may be either side of it."""

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs):
        # Loading data (loaddata, the test runner's reload) saves a row raw, then sets its
        # many-to-many rows on the same instance: a restore, not a change of rights.
        if getattr(instance, "_security_loaded_raw", False):
            return
        if action == "pre_clear":
            # post_clear is told nothing of what was removed: read it before.
            related = getattr(instance, _m2m_accessor(sender, instance))
            instance._security_cleared = set(related.values_list("pk", flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_security_cleared", set())
        if not pk_set:
            return
        verb = "added" if action == "post_add" else "removed"
        security_event_record(
            action=action_name,
            actor=request_user(),
            payload={
                "on": _describe(instance),
                "kind": model._meta.label_lower,
                verb: _names(model, pk_set),
            },
        )

    return receiver


def _m2m_accessor(through, instance) -> str:
    user_model = get_user_model()
    if through is user_model.groups.through:
        return "groups" if isinstance(instance, user_model) else "user_set"
    if through is user_model.user_permissions.through:
        return "user_permissions" if isinstance(instance, user_model) else "user_set"
    return "permissions" if isinstance(instance, Group) else "group_set"


def _describe(instance) -> dict:
    if isinstance(instance, get_user_model()):
        return _user_ref(instance)
    if isinstance(instance, Group):
        return {"group_id": instance.pk, "group": instance.name}
    return {"permission": f"{instance.content_type.app_label}.{instance.codename}"}


# --- logins -----------------------------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs):
    security_event_record(
        action="login.succeeded",
        actor=user,
        payload={**_user_ref(user), "ip_address": request_address(request)},
    )


def _login_failed(sender, credentials, request=None, **kwargs):
    """Each failure until django-axes locks the pair out (at most its failure limit within its
    cool-off); attempts during a lockout are summed up by the lockout's own event."""
    if request is not None and getattr(request, "axes_locked_out", False):
        return
    username = str((credentials or {}).get("username") or "")[:USERNAME_LIMIT]
    address = request_address(request)
    security_event_record(
        action="login.failed",
        actor=LoginAttempt(username, address),
        payload={"username": username, "ip_address": address},
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """Once per lockout: django-axes signals again at every attempt while it lasts."""
    username = str(username or "")[:USERNAME_LIMIT]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    already = AuditEvent.objects.filter(
        chain__key=SYSTEM_CHAIN,
        action="login.locked_out",
        occurred_at__gte=since,
        payload__username=username,
        payload__ip_address=ip_address,
    ).exists()
    if not already:
        security_event_record(
            action="login.locked_out",
            actor=LoginAttempt(username, ip_address),
            payload={
                "username": username,
                "ip_address": ip_address,
                "failures": settings.AXES_FAILURE_LIMIT,
            },
        )


def _lockout_removed(sender, instance, **kwargs):
    """Someone lifted a lockout that was still running (the admin, ``axes_reset``). Expired
    attempts cleaned up by django-axes, and counts reset by a good login, are not lockouts."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    if instance.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return
    if instance.attempt_time + cooloff <= timezone.now():
        return
    security_event_record(
        action="login.lockout_lifted",
        actor=request_user(),
        payload={"username": instance.username, "ip_address": instance.ip_address},
    )


# --- second factor (issue 18) -------------------------------------------------------------------
# A device confirmed or removed by any path (the enrolment page, the admin, a shell) is a
# change of how an account proves who holds it.


def _device_ref(device) -> dict:
    return {
        **_user_ref(device.user),
        "device": device.persistent_id,
        "device_name": device.name,
        "address": request_address(getattr(HistoricalRecords.context, "request", None)),
    }


def _device_remember(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._security_was_confirmed = False
        return
    before = sender._default_manager.filter(pk=instance.pk).values("confirmed").first()
    instance._security_was_confirmed = bool(before and before["confirmed"])


def _device_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.confirmed or getattr(instance, "_security_was_confirmed", False):
        return
    security_event_record(
        action="second_factor.enrolled", actor=request_user(), payload=_device_ref(instance)
    )


def _device_deleted(sender, instance, **kwargs):
    security_event_record(
        action="second_factor.removed", actor=request_user(), payload=_device_ref(instance)
    )


def connect() -> None:
    user_model = get_user_model()
    uid = "security"
    pre_save.connect(_remember_flags, sender=user_model, dispatch_uid=uid)
    post_save.connect(_account_saved, sender=user_model, dispatch_uid=uid)
    post_delete.connect(_account_deleted, sender=user_model, dispatch_uid=uid)
    post_save.connect(_group_saved, sender=Group, dispatch_uid=uid)
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid=uid)
    for through, action in (
        (user_model.groups.through, "user.groups_changed"),
        (user_model.user_permissions.through, "user.permissions_changed"),
        (Group.permissions.through, "group.permissions_changed"),
    ):
        # A closure has no other reference: the signal must hold it strongly.
        m2m_changed.connect(
            _rights_changed(action), sender=through, weak=False, dispatch_uid=f"{uid}{action}"
        )
    user_logged_in.connect(_logged_in, dispatch_uid=uid)
    user_login_failed.connect(_login_failed, dispatch_uid=uid)
    user_locked_out.connect(_locked_out, dispatch_uid=uid)
    post_delete.connect(_lockout_removed, sender=AccessAttempt, dispatch_uid=uid)
    pre_save.connect(_device_remember, sender=TOTPDevice, dispatch_uid=uid)
    post_save.connect(_device_saved, sender=TOTPDevice, dispatch_uid=uid)
    for device_model in (TOTPDevice, StaticDevice):
        post_delete.connect(_device_deleted, sender=device_model, dispatch_uid=uid)
