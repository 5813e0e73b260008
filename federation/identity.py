"""Citizen ID numbers (GB 11643-1999), phone numbers and how they are masked."""

import re
import time
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
# What Excel shows for a long number it has already rounded: 6.21228E+17, 6.2122819800101e17.
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F", the Person.Sex values
    upgraded: bool  # True when it came in as a 15-digit legacy number


def normalize_text(value: object) -> str:
    """Fold full-width characters, drop every kind of space, upper-case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


_today = [0.0, None]


def _localdate() -> date:
    """Today in the project's time zone, looked up at most once a second (imports parse
    100,000 numbers in a row)."""
    now = time.monotonic()
    if _today[1] is None or now - _today[0] > 1:
        _today[0], _today[1] = now, timezone.localdate()
    return _today[1]


def _birth_date(digits: str, number: str) -> date:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            _("The ID number %(number)s contains an impossible birth date."),
            code="id_birth_date",
            params={"number": number},
        ) from None
    if born > _localdate():
        raise ValidationError(
            _("The ID number %(number)s has a birth date in the future."),
            code="id_future",
            params={"number": number},
        )
    return born


def parse_id_number(value: object) -> IdNumber:
    """Validate an ID number and return it normalised with its birth date and sex.

    Raises ValidationError with a Chinese message that says what is wrong.
    """
    if isinstance(value, float):
        value = repr(value)
    number = normalize_text(value)
    if _SCIENTIFIC.match(number) or number.endswith(".0"):
        raise ValidationError(
            _(
                "The ID number %(number)s was stored by Excel as a number and has lost "
                "digits. Format the column as text and type the number again."
            ),
            code="id_numeric",
            params={"number": number},
        )
    upgraded = False
    if _ID15.match(number):
        first17 = number[:6] + "19" + number[6:15]
        number = first17 + check_character(first17)
        upgraded = True
    elif not _ID18.match(number):
        raise ValidationError(
            _("The ID number %(number)s must have 18 characters: 17 digits and a digit or X."),
            code="id_format",
            params={"number": number},
        )
    born = _birth_date(number[6:14], number)
    if check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of the ID number %(number)s is wrong; please check the number."),
            code="id_checksum",
            params={"number": number},
        )
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumber(number=number, birth_date=born, sex=sex, upgraded=upgraded)


def validate_id_number(value: object) -> None:
    parse_id_number(value)


def normalize_phone(value: object) -> str:
    """Return a mobile as 11 digits or a landline as area-local, or raise ValidationError."""
    text = normalize_text(value)
    if text.endswith(".0"):  # a phone read from a numeric Excel cell
        text = text[:-2]
    text = text.replace("(", "").replace(")", "")
    if _MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    landline = _LANDLINE.match(text)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    raise ValidationError(
        _(
            "The phone number %(phone)s is neither an 11-digit mobile number nor a "
            "landline with its area code (e.g. 0939-1234567)."
        ),
        code="phone_format",
        params={"phone": text},
    )


def validate_phone(value: object) -> None:
    normalize_phone(value)


def mask_id_number(number: str) -> str:
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if "-" in phone:
        area, local = phone.split("-", 1)
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February that does not exist):
    someone born on or before it is at least `years` old on `day`."""
    year = day.year - years
    return date(year, day.month, min(day.day, monthrange(year, day.month)[1]))
