"""What an import tells the clerk: the counts, each error with the row and column as she
finds them in Excel, the rows and columns left out, and a sample of the rows as read."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from federation.core.exporting import can_see_identity


@dataclass
class RowError:
    row: int | None
    column: str
    message: str
    sheet: str = ""  # named when the file's rows come from more than one sheet

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.sheet:
            return _("Sheet “%(sheet)s”, %(where)s") % {
                "sheet": self.sheet,
                "where": str(RowError(self.row, self.column, self.message)),
            }
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    resource: str
    file_name: str = ""
    sha256: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    sheet: str = ""
    ignored_rows: list[tuple[int | str, str]] = field(default_factory=list)  # (row, why): examples, totals, footers
    # What the clerk must know about the file as a whole: the sheets read and not read, the
    # hidden rows and columns left out, masked ID numbers.
    notices: list[str] = field(default_factory=list)
    maskers: dict = field(default_factory=dict)  # header -> how to mask it (ID numbers, phones)
    sample: list[dict] = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        return _("%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d errors") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }

    def shown_sample(self, user) -> list[dict]:
        """The sample rows as the preview shows them to `user`: ID numbers and phones masked
        as every list masks them."""
        maskers = {} if can_see_identity(user) else self.maskers
        return [
            {
                "row": item["row"],
                "status": item["status"],
                "cells": {header: shown_cell(value, maskers.get(header)) for header, value in item["cells"].items()},
            }
            for item in self.sample
        ]

    def error_lines(self) -> list[list]:
        """The lines of the error file (row, column, problem): every error, where the page
        shows the first few hundred."""
        return [[error.row or "", error.column, error.message] for error in self.errors]


def shown_cell(value, masker=None):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return masker(str(value)) if masker else value
