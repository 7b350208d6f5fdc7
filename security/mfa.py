"""The second factor: who needs one, and every change to a person's devices.

Approvers, case managers, internal auditors and administrators sign in with a password *and*
a time-based one-time code (TOTP, RFC 6238) from an authenticator app, through django-otp's
TOTP and static-token devices. A person who needs a second factor and has not passed it in
this session reaches no page but the second-factor pages (:mod:`security.middleware`).

Who needs one is read from the rights a person holds, not from group names, so a right given
directly, or a renamed group, is still covered: anyone who may approve a sanction, manage
cases, audit every case, or use the Django admin.

Each function here is the one way its change happens (the views call them); each appends a
security event to the system chain in the same transaction as the change.
"""

from __future__ import annotations

from binascii import unhexlify
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .events import request_address, security_event_record

# The rights that make an account privileged (violations/migrations/0002_roles.py):
# approvers at every level, case managers, internal auditors.
PRIVILEGED_PERMISSIONS = (
    "violations.approve_compliance_level",
    "violations.approve_department_level",
    "violations.approve_senior_level",
    "violations.manage_cases",
    "violations.audit_cases",
)
RECOVERY_CODES = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
# The session's note that the identity provider vouched for a second factor (security.oidc).
IDP_MFA_SESSION_KEY = "security_idp_second_factor"

# The demo's one documented TOTP secret (README, "Demo logins"). ``seed_demo`` gives it to the
# demo's privileged users only with DEBUG on, and :func:`second_factor_verify` refuses it
# whenever DEBUG is off: a secret printed in a README never opens a production session.
DEMO_TOTP_SECRET_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_TOTP_KEY_HEX = "48656c6c6f21deadbeef48656c6c6f21deadbeef"


def second_factor_required(user) -> bool:
    """Whether this account may act only after a second factor in the same session."""
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(user.has_perm(p) for p in PRIVILEGED_PERMISSIONS)


def session_verified(request) -> bool:
    """Whether this session has passed a second factor: a device of ours (django-otp), or an
    identity provider trusted to have asked for one (``OIDC_TRUSTED_AMR``)."""
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return bool(request.session.get(IDP_MFA_SESSION_KEY))


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_demo_device(device) -> bool:
    return isinstance(device, TOTPDevice) and device.key.lower() == DEMO_TOTP_KEY_HEX


def _ref(user) -> dict:
    return {"user_id": user.pk, "username": user.get_username()}


# --- enrolment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as an otpauth:// URL (the QR code) and as
    base32 text for typing in."""

    device: TOTPDevice
    config_url: str
    secret: str


def enrolment_start(*, user) -> Enrolment:
    """The person's unconfirmed authenticator, made now if they have none. Nothing counts as
    a second factor until :func:`enrolment_confirm` has seen a code from it."""
    from base64 import b32encode

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    secret = b32encode(unhexlify(device.key)).decode()
    return Enrolment(device=device, config_url=device.config_url, secret=secret)


def enrolment_confirm(*, request, token: str) -> list[str] | None:
    """Confirm the person's pending authenticator with a code it shows. On success the
    device counts, this session is verified with it, fresh recovery codes replace any old
    ones and are returned (to be shown once); on a wrong code, None and nothing changes but
    the device's throttle."""
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])  # "second_factor.enrolled" (receivers)
        codes = _recovery_codes_replace(user)
    otp_login(request, device)
    return codes


def recovery_codes_issue(*, request) -> list[str]:
    """New recovery codes for a verified person; the old ones stop working."""
    user = request.user
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        security_event_record(
            action="second_factor.recovery_codes_issued",
            actor=user,
            payload={**_ref(user), "ip_address": request_address(request)},
        )
    return codes


def _recovery_codes_replace(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    throttled: bool = False
    # Seconds until the next try is heard, when throttled.
    wait_seconds: int = 0


def second_factor_verify(*, request, token: str) -> Verification:
    """Check a six-digit code from the person's authenticator, or one of their recovery
    codes (used up by this). django-otp throttles each device: after a wrong code the next
    one is heard only after 1, 2, 4, ... seconds. Every failure is a security event."""
    user = request.user
    token = "".join(token.split())
    is_code = token.isdigit() and len(token) == 6
    with transaction.atomic():
        if is_code:
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("pk")
                .first()
            )
        else:
            device = (
                StaticDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("pk")
                .first()
            )
        if device is None:
            return _failed(request, kind="code" if is_code else "recovery", throttled=False)
        if is_demo_device(device) and not settings.DEBUG:
            # The README's demo secret is public: it never opens a production session.
            return _failed(request, kind="demo-secret", throttled=False)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = info.get("locked_until") if info else None
            return _failed(request, kind="throttled", throttled=True, until=wait)
        if not device.verify_token(token):
            return _failed(request, kind="code" if is_code else "recovery", throttled=False)
        if not is_code:
            security_event_record(
                action="second_factor.recovery_code_used",
                actor=user,
                payload={
                    **_ref(user),
                    "remaining": device.token_set.count(),
                    "ip_address": request_address(request),
                },
            )
    otp_login(request, device)
    return Verification(ok=True)


def _failed(request, *, kind: str, throttled: bool, until=None) -> Verification:
    from django.utils import timezone

    user = request.user
    security_event_record(
        action="second_factor.failed",
        actor=user,
        payload={**_ref(user), "kind": kind, "ip_address": request_address(request)},
    )
    wait = max(0, int((until - timezone.now()).total_seconds()) + 1) if until else 0
    return Verification(ok=False, throttled=throttled, wait_seconds=wait)


# --- removal ----------------------------------------------------------------------------------


def second_factor_remove(*, user) -> int:
    """Remove every device of ``user`` (a lost phone): they enrol again at their next
    sign-in. Each removal is a "second_factor.removed" event (receivers), whoever does it:
    the person from a verified session, or an administrator in the admin. Returns how many
    devices went."""
    with transaction.atomic():
        devices = [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]
        for device in devices:
            device.delete()
    return len(devices)


def forget_session_device(request) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(IDP_MFA_SESSION_KEY, None)


def current_code(device: TOTPDevice) -> str:
    """The code the device shows now (the demo's command and the tests; never a view)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"
