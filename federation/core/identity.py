"""Citizen ID numbers (GB 11643-1999), phone numbers and how they are masked."""

import functools
import operator
import re
import time
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ZERO_WEIGHT = ord("0") * sum(_WEIGHTS)  # what the code points add over the digits
_FLOAT_ZEROS = re.compile(r"\.0+$")
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15 = re.compile(r"^[0-9]{15}$")
# What a CSV holds for an ID number that Excel had already rounded in a number cell:
# 6.21228E+17, 6.2122819800101e+17, or 621228197005010000.0.
_NUMERIC = re.compile(r"^(\d(\.\d+)?E\+?\d+|\d+\.0+)$")
# Spaces of every kind and the invisible characters that copying from web pages, WeChat or
# Word leaves inside a number: soft hyphen, zero-width space/joiners, direction marks,
# word joiner, BOM. NFKC has already made U+00A0 and U+3000 plain spaces.
_INVISIBLE = re.compile(r"[\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")
# A phone is written with digits and these only; letters would be read by phonenumbers as
# a vanity number (1-800-FLOWERS).
_PHONE_CHARS = re.compile(r"^[\d+\-()]+$")
_MOBILE_DIGITS = re.compile(r"^1[0-9]{10}$")
_FIXED_LINE = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F", the Person.Sex values
    upgraded: bool  # True when it came in as a 15-digit legacy number


def normalize_text(value: object) -> str:
    """Fold full-width characters, drop every kind of space and invisible character, upper-case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _INVISIBLE.sub("", text).upper()


def check_character(first17: str) -> str:
    # Digits by their code points: int() on each character costs an import of 100,000
    # numbers a noticeable part of its time.
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _ZERO_WEIGHT
    return _CHECK_CHARS[total % 11]


_today = [0.0, None]


def cached_today() -> date:
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
    if born > cached_today():
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
    numeric = isinstance(value, int | float)
    number = normalize_text(repr(value) if numeric else value)
    # Even an integer from a number cell may be Excel's rounding (…000) that passes the
    # check character, so a number is refused whatever its digits.
    if numeric or _NUMERIC.match(number):
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
    """Return a mobile as 11 digits or a landline as <area code>-<local number>, or raise
    ValidationError. Google's phonenumbers knows China's area codes (024-20385104, not
    0242-0385104) and which mobile prefixes are allocated."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell: 13800000000.0
    text = _FLOAT_ZEROS.sub("", normalize_text(value))  # the same cell written to a CSV
    phone = _china_phone(text) if _PHONE_CHARS.match(text) else None
    if phone is None:
        raise ValidationError(
            _(
                "The phone number %(phone)s is not a valid mobile or landline number. Write a mobile "
                "number as 11 digits (e.g. 13812345678) and a landline with its area code "
                "(e.g. 0939-4123456)."
            ),
            code="phone_format",
            params={"phone": text},
        )
    return phone


@functools.lru_cache(maxsize=4096)
def _mobile_block(prefix: str) -> bool:
    """Whether the numbers of a 7-digit block (号段) are allocated mobiles. phonenumbers'
    Chinese mobile patterns look at no more than the first five digits, so one answer
    holds for the whole block, and an import of 100,000 phones asks a few hundred times."""
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(prefix + "0000"))
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == (
        phonenumbers.PhoneNumberType.MOBILE
    )


def _china_phone(text: str) -> str | None:
    if _MOBILE_DIGITS.match(text):
        # A mobile as usually typed.
        return text if _mobile_block(text[:7]) else None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    national = str(number.national_number)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return national
    area = phonenumbers.length_of_geographical_area_code(number)
    if kind in _FIXED_LINE and area:
        return f"0{national[:area]}-{national[area:]}"
    return None  # 400/800 service numbers and the like are nobody's phone


def validate_phone(value: object) -> None:
    normalize_phone(value)


def mask_id_number(number: str) -> str:
    """Keep the region code (the town's own, known to all) and hide the rest. Lists show the
    birth date and sex beside a number, so hiding only the 8 birth-date digits and showing the
    last four would put the whole number on the screen."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 6)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if "-" in phone:
        area, local = phone.split("-", 1)
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张*红: the first and last character kept, as villages post names; a two-character
    name keeps its surname (张*). The villagers know who it is; a stranger reading the
    notice board or a forwarded picture does not."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for a 29 February that does not exist):
    someone born on or before it is at least `years` old on `day`."""
    year = day.year - years
    return date(year, day.month, min(day.day, monthrange(year, day.month)[1]))
