"""Cells: what a roster's columns accept, each cleaned by its widget into a value or a
Chinese error that names no row or column (the caller knows where the cell is)."""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from federation.identity import IdNumber, mask_id_number, mask_phone, normalize_text, parse_id_number
from federation.identity import normalize_phone as _normalize_phone


class CellError(ValueError):
    """A cell's value is wrong; the message is in Chinese and names no row or column."""


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊:：]+", "", text).lower()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integral(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class TextWidget(widgets.Widget):
    def __init__(self, squeeze: bool = False, max_length: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.squeeze = squeeze
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = _integral(value) if isinstance(value, float) else str(value)
        text = re.sub(r"\s+", "" if self.squeeze else " ", text.replace("\u3000", " ")).strip()
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("At most %(limit)d characters.") % {"limit": self.max_length})
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IdNumberWidget(widgets.Widget):
    masker = staticmethod(mask_id_number)

    def clean(self, value, row=None, **kwargs) -> IdNumber | None:
        if is_blank(value):
            return None
        if isinstance(value, int | float):
            raise CellError(
                _(
                    "The ID number was stored by Excel as a number and has lost its last digits. "
                    "Format the column as text and type the numbers again."
                )
            )
        try:
            return parse_id_number(value)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "number", value) or ""


class PhoneWidget(widgets.Widget):
    masker = staticmethod(mask_phone)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = _integral(value) if isinstance(value, float) else str(value)
        try:
            return _normalize_phone(text)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


class ExcelDateWidget(widgets.Widget):
    """Real dates, Excel serials, 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float):
            number = int(value)
            if 19000101 <= number <= 29991231:
                return self._ymd(str(number))
            if number == 60:
                raise CellError(_("Excel's serial 60 is the non-existent 29 February 1900."))
            if 0 < number < 2958466:
                return _EXCEL_EPOCH + timedelta(days=number + (1 if number < 60 else 0))
            raise CellError(_("“%(value)s” is not a date.") % {"value": value})
        text = normalize_text(value) if not re.search(r"[年月日]", str(value)) else str(value).strip()
        match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if match:
            return self._ymd("".join(part.zfill(2) for part in match.groups()), original=value)
        month = _MONTH_TEXT.match(text)
        if month:  # 出生年月 columns often give only a month: take its first day
            return self._ymd(month.group(1) + month.group(2).zfill(2) + "01", original=value)
        raise CellError(_("“%(value)s” is not a date; write it like 2024-03-01 or 2024年3月1日.") % {"value": value})

    def _ymd(self, digits: str, original=None):
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": original or digits}) from None

    def render(self, value, obj=None, **kwargs):
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
        found = self.lookup().get(normalize_header(value))
        if found is None:
            allowed = "、".join(str(label) for _value, label in self.choices)
            raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class VillageWidget(widgets.Widget):
    """A village by name, with or without its 村 / 社区 suffix, within the user's scope."""

    def clean(self, value, row=None, villages=None, **kwargs):
        if is_blank(value):
            return None
        village = villages.get(village_key(value)) if villages is not None else None
        if village is None:
            # Same words for a village that does not exist and one outside the scope.
            raise CellError(_("The village “%(value)s” is not one of your villages.") % {"value": value})
        return village

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


def village_key(name: object) -> str:
    key = normalize_header(name)
    for suffix in ("社区", "村委会", "村"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class Column(fields.Field):
    """A roster column: an import-export Field with the header spellings users write."""

    def __init__(self, attribute, column_name, widget, *, aliases: Iterable[str] = (), required=False, **kwargs):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget, **kwargs)
        self.aliases = tuple(aliases)
        self.required = required

    def spellings(self) -> set[str]:
        return {normalize_header(self.column_name), *(normalize_header(alias) for alias in self.aliases)}
