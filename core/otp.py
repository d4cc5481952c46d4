"""Two-factor authentication services: TOTP set-up, code verification, backup codes.

Devices are django-otp's (`TOTPDevice` for the authenticator app, `StaticDevice` for the
single-use backup codes); the session records the device that verified the user.
"""

from __future__ import annotations

import base64
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .reauth import authentication_mark
from .security import SESSION_HAS_DEVICE

TOTP_DEVICE_NAME = "Application d'authentification"
BACKUP_DEVICE_NAME = "Codes de secours"


def totp_new_key() -> str:
    """A fresh 20-byte secret, hex-encoded (django-otp's storage format)."""
    return random_hex(20)


def totp_b32(key_hex: str) -> str:
    """The secret as the authenticator app wants it typed (base32, no padding)."""
    return base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")


def totp_config_url(*, user, key_hex: str) -> str:
    """The otpauth:// address the QR code carries (issuer and account shown in the app)."""
    device = TOTPDevice(user=user, key=key_hex, name=TOTP_DEVICE_NAME)
    return device.config_url


def qr_svg(data: str) -> str:
    """The QR code as inline SVG markup, rendered on the server (no script, no CDN)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: embedded in HTML


def totp_confirm(*, user, key_hex: str, code: str) -> TOTPDevice | None:
    """Save the authenticator app if `code` matches the secret shown at set-up (±30 s)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    if not totp.verify(int(code), tolerance=1):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(
            user=user,
            name=TOTP_DEVICE_NAME,
            key=key_hex,
            confirmed=True,
            last_t=totp.t(),
            drift=0,
        )


def backup_codes_create(*, user) -> list[str]:
    """A new set of single-use backup codes (the previous set stops working)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalize(code: str) -> str:
    return (code or "").strip().replace(" ", "").lower()


def _devices_for_code(user, code: str, *, for_verify: bool = False):
    """A 6-digit code is for the app, anything else is a backup code: a backup code does not
    count as a wrong app code (which would make the next app code wait)."""
    is_app_code = code.isdigit() and len(code) == 6
    for device in devices_for_user(user, for_verify=for_verify):
        if isinstance(device, StaticDevice) != is_app_code:
            yield device


def otp_verify(*, user, code: str):
    """The confirmed device (app or backup code) that accepts `code`, or None.

    Each device throttles its own failures (django-otp), and a TOTP code or a backup code
    cannot be used twice.
    """
    code = _normalize(code)
    if not code:
        return None
    with transaction.atomic():
        for device in _devices_for_code(user, code, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def otp_throttled(user, code: str) -> bool:
    """Is verification of this kind of code paused after wrong ones (django-otp's delay)?"""
    return any(
        not device.verify_is_allowed()[0]
        for device in _devices_for_code(user, _normalize(code))
        if hasattr(device, "verify_is_allowed")
    )


def otp_has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def otp_mark_verified(request, device) -> None:
    """Record in the session that this device verified the user."""
    django_otp.login(request, device)
    request.session[SESSION_HAS_DEVICE] = True


def otp_disable(*, user) -> None:
    """Remove the authenticator app and the backup codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def otp_on_login(sender, request, user, **kwargs) -> None:
    """The password was just typed (re-authentication clock); does the user have a device?"""
    if request is None or not hasattr(request, "session"):
        return
    authentication_mark(request)
    request.session[SESSION_HAS_DEVICE] = otp_has_device(user)
