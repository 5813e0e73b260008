"""Cells: what a roster's columns accept, each cleaned by its widget into a value or a
Chinese error that names no row or column (the caller knows where the cell is)."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from federation.core.fields import refuse_control_characters
from federation.core.identity import IdNumber, cached_today, mask_id_number, mask_phone, normalize_text, parse_id_number
from federation.core.identity import normalize_phone as _normalize_phone
from federation.core.importing.villages import VillageError, village_key  # noqa: F401 - part of the API


class CellError(ValueError):
    """A cell's value is wrong; the message is in Chinese and names no row or column."""


class MaskedCell(CellError):
    """The cell holds a masked ID number or phone (621228********1234, 138****0001), as a
    masked export shows it."""


# What a spreadsheet shows in a cell whose formula failed. The readers give these cells as
# the text shown (calamine alone would give an empty cell), and a CSV holds the same text.
ERROR_VALUES = {
    "#N/A": gettext_lazy("the formula found nothing to look up (a VLOOKUP whose value is not in its table)"),
    "#REF!": gettext_lazy("the formula refers to cells that were deleted"),
    "#VALUE!": gettext_lazy("the formula was given a value of the wrong kind (text where a number is needed)"),
    "#DIV/0!": gettext_lazy("the formula divides by zero or by an empty cell"),
    "#NAME?": gettext_lazy("the formula uses a name or function the program does not know"),
    "#NUM!": gettext_lazy("the formula's number is invalid"),
    "#NULL!": gettext_lazy("the formula refers to ranges that do not meet"),
    "#SPILL!": gettext_lazy("the formula's results have no room"),
    "#CALC!": gettext_lazy("the formula could not be calculated"),
    "#GETTING_DATA": gettext_lazy("the formula's data was still loading when the file was saved"),
}


def error_value(cell: object) -> str | None:
    """The Chinese words for an error value (#N/A…) in a cell, or None for any other cell."""
    if isinstance(cell, str) and cell.startswith("#"):
        meaning = ERROR_VALUES.get(cell.strip().upper())
        if meaning:
            return _("The cell shows %(value)s: %(meaning)s. Correct the formula or type the value.") % {
                "value": cell.strip(),
                "meaning": meaning,
            }
    return None


# Compiled once: a roster's every cell goes through these.
_HEADER_NOISE = re.compile(r"[\s*＊:：]+")
_SPACES = re.compile(r"\s+")
_LOST = re.compile("[?？\ufffd]")
_CJK_DATE = re.compile(r"[年月日]")


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _HEADER_NOISE.sub("", text).lower()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integral(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# Zero-width characters pasted from web pages and WeChat would make 王建国 differ from itself.
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def cell_text(value: object) -> str:
    """A cell as text (a whole number without its ".0"), refused if it holds a control character
    (squeezing whitespace would hide it, and PostgreSQL refuses NUL at confirm)."""
    text = _integral(value) if isinstance(value, float) else str(value)
    if text.startswith("'"):
        # Excel's mark for "keep this as text", typed by clerks and kept by a CSV export.
        text = text[1:]
    try:
        refuse_control_characters(text)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return text


class TextWidget(widgets.Widget):
    def __init__(self, squeeze: bool = False, max_length: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.squeeze = squeeze
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = _ZERO_WIDTH.sub("", cell_text(value))
        text = _SPACES.sub("" if self.squeeze else " ", text.replace("\u3000", " ")).strip()
        if not text:
            return None
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("At most %(limit)d characters.") % {"limit": self.max_length})
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NameWidget(TextWidget):
    """A person's name. A GBK export (Excel's "CSV", WPS) writes ? for every character GBK
    lacks (䶮, 𠮷…), and a misread file shows �: the real character is gone from the file."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text and _LOST.search(text):
            raise CellError(
                _(
                    "The name “%(value)s” has characters the file lost (shown as ?): save the file "
                    "as .xlsx or as “CSV UTF-8” and type the name again."
                )
                % {"value": text}
            )
        return text


class IdNumberWidget(widgets.Widget):
    masker = staticmethod(mask_id_number)

    def clean(self, value, row=None, **kwargs) -> IdNumber | None:
        if is_blank(value):
            return None
        if isinstance(value, str) and "*" in value:
            raise MaskedCell(
                _("The ID number %(value)s is masked; a masked list cannot be imported.") % {"value": value.strip()}
            )
        try:
            return parse_id_number(cell_text(value) if isinstance(value, str) else value)
        except ValidationError as error:
            if error.code == "id_numeric":
                # One message for a number cell and for the CSV saved from it (6.21228E+17):
                # the digits shown would be Excel's rounding, not the person's number.
                raise CellError(
                    _(
                        "The ID number was stored by Excel as a number and has lost its last digits. "
                        "Format the column as text and type the numbers again."
                    )
                ) from None
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "number", value) or ""


class PhoneWidget(widgets.Widget):
    masker = staticmethod(mask_phone)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, str) and "*" in value:
            raise MaskedCell(
                _("The phone %(value)s is masked; a masked list cannot be imported.") % {"value": value.strip()}
            )
        try:
            return _normalize_phone(cell_text(value))
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


_EXCEL_EPOCH = date(1899, 12, 30)
# A date typed with the time another system appended (2026-03-11 0:00:00, 2026/3/12 0:00).
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*([-/.年])\s*(\d{1,2})\s*月?$")
_MONTH_COMPACT = re.compile(r"^(19\d\d|20\d\d)(0[1-9]|1[0-2])$")
_SERIAL = re.compile(r"^(\d{1,7})(\.\d+)?$")  # the fraction is a time of day
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Month:
    """A 出生年月 cell: a year and a month, no day."""

    year: int
    month: int
    # 1960.1 is January typed as 1960.1, or October typed as 1960.10 that a number cell
    # shortened (a CSV saved from it holds 1960.1 too): either month agrees.
    or_october: bool = False

    def agrees_with(self, day: date) -> bool:
        return day.year == self.year and (day.month == self.month or (self.or_october and day.month == 10))

    def render(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = render


class ExcelDateWidget(widgets.Widget):
    """Real dates, Excel serials (also as text from a CSV), 2024-03-01, 2024/3/1, 2024.3.1,
    2024年3月1日, 20240301, each with a time of day or not. With month=True (出生年月 only) a
    year and month — 1960.01, 1960年1月, 196001, 1960-01 — gives a Month; other columns refuse
    it, so a Month never reaches a DateField.

    Every date must be plausible for what it dates: not before `since` (the system's first
    year for the date of a record, 1900 for a birth or a date a state began) and not after
    today, or `ahead` days after it (a planned recheck). A number typed into a date cell
    (3.15 for 15 March, 2026 for a year, 260315) is refused, never read as Excel's day 3."""

    def __init__(self, month: bool = False, *, since: int | None = None, ahead: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.month = month
        self.since = since or (1900 if month else settings.FIRST_YEAR)
        self.ahead = ahead

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime):
            return self._plausible(value.date(), value)
        if isinstance(value, date):
            return self._plausible(value, value)
        # A number cell and the CSV saved from it (which holds what the cell showed) are read alike.
        text = _TIME.sub("", cell_text(value).strip())
        text = normalize_text(text) if not _CJK_DATE.search(text) else text
        if _YEAR.match(text):
            raise CellError(
                _("“%(value)s” is a year, not a date; write the whole date, like %(year)s-03-01.")
                % {"value": text, "year": text}
            )
        match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if match:
            return self._plausible(self._ymd("".join(part.zfill(2) for part in match.groups()), original=value), value)
        month = _MONTH_TEXT.match(text)
        if month:
            year, separator, number = month.groups()
            return self._month(value, int(year), int(number), or_october=separator == "." and number == "1")
        month = _MONTH_COMPACT.match(text)
        if month:
            return self._month(value, int(month.group(1)), int(month.group(2)))
        serial = _SERIAL.match(text)
        if serial:
            return self._plausible(self._serial(int(serial.group(1)), value), value, serial=True)
        raise CellError(_("“%(value)s” is not a date; write it like 2024-03-01 or 2024年3月1日.") % {"value": value})

    def _plausible(self, day: date, original, serial: bool = False) -> date:
        latest = cached_today() + timedelta(days=self.ahead)
        if date(self.since, 1, 1) <= day <= latest:
            return day
        if serial:
            raise CellError(
                _(
                    "“%(value)s” is a number, not a date (as an Excel date it would be %(date)s); "
                    "write the date like 2024-03-15."
                )
                % {"value": cell_text(original), "date": day.isoformat()}
            )
        if day > latest:
            raise CellError(_("%(date)s is in the future; check the year.") % {"date": day.isoformat()})
        raise CellError(
            _("%(date)s is before %(year)d; check the year.") % {"date": day.isoformat(), "year": self.since}
        )

    def _serial(self, number: int, original) -> date:
        if number == 60:
            raise CellError(_("Excel's serial 60 is the non-existent 29 February 1900."))
        if 0 < number < 2958466:
            return _EXCEL_EPOCH + timedelta(days=number + (1 if number < 60 else 0))
        raise CellError(_("“%(value)s” is not a date.") % {"value": original})

    def _month(self, original, year: int, month: int, or_october: bool = False) -> Month:
        if not 1 <= month <= 12:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": original})
        if not self.month:
            raise CellError(
                _("“%(value)s” gives only a year and a month; this column needs the whole date, like 2024-03-01.")
                % {"value": original}
            )
        today = cached_today()
        if not self.since <= year or (year, month) > (today.year, today.month):
            self._plausible(date(year, month, 1), original)
        return Month(year, month, or_october)

    def _ymd(self, digits: str, original=None):
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": original or digits}) from None

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, Month):
            return value.render()
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label, its code, or a known synonym."""

    def __init__(self, choices, synonyms: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self._lookup = None
        self.synonyms = synonyms or {}

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            table = {normalize_header(value): value for value, _label in self.choices}
            table.update({normalize_header(label): value for value, label in self.choices})
            table.update({normalize_header(word): value for word, value in self.synonyms.items()})
            self._lookup = table
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self.lookup().get(normalize_header(cell_text(value)))
        if found is None:
            allowed = "、".join(str(label) for _value, label in self.choices)
            raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class VillageWidget(widgets.Widget):
    """A village by its exact name, or without its 村 / 社区 suffix when that names only
    one (see federation.core.importing.villages), within the user's scope."""

    def clean(self, value, row=None, villages=None, **kwargs):
        if is_blank(value):
            return None
        if villages is None:
            raise CellError(_("The village “%(value)s” is not one of your villages.") % {"value": value})
        try:
            return villages.match(value)
        except VillageError as error:
            raise CellError(str(error)) from None

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


class Column(fields.Field):
    """A roster column: an import-export Field with the header spellings users write."""

    def __init__(self, attribute, column_name, widget, *, aliases: Iterable[str] = (), required=False, **kwargs):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget, **kwargs)
        self.aliases = tuple(aliases)
        self.required = required

    def spellings(self) -> set[str]:
        return {normalize_header(self.column_name), *(normalize_header(alias) for alias in self.aliases)}
