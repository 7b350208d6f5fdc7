"""Authenticators for tests: a confirmed TOTP device and the code it shows now, computed by
django-otp's own TOTP (no hand-made one-time codes)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from security import mfa


def authenticator_for(user) -> TOTPDevice:
    device = mfa.confirmed_totp(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    return device


def code_now(device: TOTPDevice) -> str:
    return mfa.current_code(device)
