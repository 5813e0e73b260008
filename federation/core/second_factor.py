"""The second factor (settings.SECOND_FACTOR): who is asked for a code from an authenticator app,
her phone's device (django-otp's TOTPDevice), its QR code, and a superuser's reset of it.

The pages are federation.core.views' second_factor_*; every other page is closed to an
unverified session by federation.core.middleware.SecondFactorMiddleware."""

import re
from base64 import b32encode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

from federation.core.exporting import FULL_IDENTITY_PERMISSION
from federation.core.models import SecondFactorReset


def needs_second_factor(user) -> bool:
    """Whether `user` must type a code after her password: with SECOND_FACTOR on, a superuser
    or a holder of the full-identity permission (hers or a role's)."""
    return bool(
        settings.SECOND_FACTOR
        and user.is_authenticated
        and (user.is_superuser or user.has_perm(FULL_IDENTITY_PERMISSION))
    )


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_start(*, user, site: str, by) -> TOTPDevice:
    """The unconfirmed device her set-up page shows: the same one until she confirms it, so
    that a page opened again shows the code she may have scanned already."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=f"{user.get_username()}@{site}"[:64], confirmed=False)
    return device


def second_factor_confirm(*, device: TOTPDevice, token: str, by) -> TOTPDevice | None:
    """Her new device, confirmed by a code it showed, or None for a wrong code. The code is
    used: django-otp keeps the time step of the last code accepted, and takes none older."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def second_factor_verify(*, device: TOTPDevice, token: str, by) -> TOTPDevice | None:
    """Her device if `token` is its code now and not one used already, else None. After a
    wrong code django-otp makes her wait a little longer each time (1, 2, 4 … seconds) before
    it checks another, from any address: the login throttle counts per address, this per phone."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return device if device.verify_token(token) else None


def second_factor_reset(*, user, reason: str, by) -> SecondFactorReset:
    """A superuser's reset of `user`'s authenticator (a lost phone): her devices are deleted,
    her sessions verified by them are no longer, and her next login sets up a new one."""
    if by is None or not by.is_superuser:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the authenticator is reset.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return SecondFactorReset.objects.create(user=by, account=user, username=user.get_username(), reason=reason)


def key_text(device: TOTPDevice) -> str:
    """The key in the letters an authenticator app asks for when typed by hand, in groups of
    four (ABCD EFGH …)."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(re.findall(".{1,4}", key))


def qr_svg(text: str) -> str:
    """`text` as a QR code in an inline <svg> (ReportLab's own widget: nothing to install and
    nothing from the network). One unit per module, so that the coordinates are whole numbers
    and the page stays small; the page's style gives it its size."""
    widget = QrCodeWidget(text, barLevel="M")
    widget.qr.make()
    size = widget.qr.getModuleCount() + 2 * widget.barBorder
    widget.barWidth = widget.barHeight = size
    drawing = Drawing(size, size)
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing)
    return svg[svg.index("<svg") :]  # without the XML declaration and DOCTYPE of a file
