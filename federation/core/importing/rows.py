"""The data rows under a sheet's header, as `SourceRow`s: each cell cleaned by its column's
widget, the rows that are not data (a template's example, totals, footers, hidden rows) left
out and listed, and each cell's error kept on its row and column as the clerk sees them."""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from federation.core.importing.cells import (
    CellError,
    ExcelDateWidget,
    MaskedCell,
    error_value,
    is_blank,
    normalize_header,
)
from federation.core.importing.headers import Header
from federation.core.importing.reading import ImportFileError, Table
from federation.core.importing.report import ImportReport, RowError

# The raw cells of this many rows are kept, for the preview's sample of the first rows.
KEEP_CELLS = 1000
_UNSEEN = object()
# The headers of a column that numbers the rows (a roster reads no such column).
NUMBERING = {"序号", "序", "编号", "no", "no."}
_TOTAL = re.compile(r"^(合计|小计|总计|共计|汇总)[:：]?$")
# What township forms put under the data: a signature block, 以下空白, a note.
_FOOTER = re.compile(
    r"^(填表人|填报人|制表人|统计人|经办人|审核人|审批人|负责人|联系人|联系电话|填表日期|填报日期|制表日期|"
    r"填报单位|填表单位|单位盖章|以下空白|以下无内容|此页空白|注|备注|说明|附注)"
)


@dataclass
class SourceRow:
    number: int  # as Excel shows it
    values: dict  # attribute -> cleaned value; blank cells are absent
    cells: list  # the row as read, for the preview sample
    layout: list  # (position, header as written, Column) of the columns read; shared by all rows
    columns: dict  # attribute -> header as written, for error messages; shared by all rows
    failed: bool = False  # a cell of the row has an error already
    sheet: str = ""  # its sheet, when the file's rows come from more than one
    order: int = 0  # its place among all the file's rows

    @property
    def where(self) -> int | str:
        """The row as the clerk finds it: 5, or “太坝村” 5 when rows come from several sheets."""
        return f"“{self.sheet}” {self.number}" if self.sheet else self.number


def found_attribute(found: dict, attribute: str) -> str | None:
    return attribute if any(column.attribute == attribute for column in found.values()) else None


def skipped_row(cells: list, numbering: int | None = None) -> str:
    """Why a row is not data: a template's example row, a 合计 row or a footer under the
    data, or a row holding only its pre-typed 序号 (in column `numbering`)."""
    filled = [(position, cell) for position, cell in enumerate(cells) if not is_blank(cell)]
    first = filled[0][1] if filled else None
    if isinstance(first, str):
        text = normalize_header(first)
        if _TOTAL.match(text):
            return _("total row")
        if _FOOTER.match(text):
            return _("footer")
    if len(filled) == 1 and filled[0][0] == numbering and isinstance(first, int | float | str):
        return _("serial number only")
    for cell in cells:
        # The template's mark, or a cell saying just 示例; never a note that merely begins so.
        if isinstance(cell, str) and "示例" in cell:
            text = normalize_header(cell)
            if text.startswith("示例行") or text in ("示例", "(示例)"):
                return _("example row")
    return ""


@dataclass
class Reading:
    """One file's reading, across its sheets: what the roster gives it (its report, its list
    of errors, whether hidden rows are read, a progress callback) and what it gathers."""

    report: ImportReport
    errors: list[RowError]
    several: bool = False  # rows come from more than one sheet: each error names its sheet
    include_hidden: bool = False
    # Called with (rows checked, rows) while the cells are cleaned: a background job's progress bar.
    progress: Callable[[int, int], None] | None = None
    rows: list[SourceRow] = field(default_factory=list)
    hidden: list = field(default_factory=list)  # where the hidden rows left out are
    masked: dict = field(default_factory=dict)  # the rows with a masked cell, in order

    def finish(self) -> list[SourceRow]:
        """The rows read; the hidden rows left out and the masked cells are said once, for the file."""
        if self.hidden:
            hidden = self.hidden
            self.report.notices.append(
                _(
                    "%(count)d hidden rows (hidden, or filtered out) were not imported: rows %(rows)s. "
                    "To import them, unhide them, or tick “Import hidden rows and columns”."
                )
                % {"count": len(hidden), "rows": "、".join(map(str, hidden[:20])) + ("…" if len(hidden) > 20 else "")}
            )
        if self.masked:
            # One word for the file, not a thousand rows that each say the same.
            self.errors.insert(0, RowError(None, "", _masked_message(len(self.masked), next(iter(self.masked)))))
        if not self.rows:
            if self.report.ignored_rows:
                raise ImportFileError(_("The file has only example or total rows, no data rows."))
            raise ImportFileError(_("The file has a header row but no data rows."))
        return self.rows


def _masked_message(count: int, first) -> str:
    return _(
        "The ID numbers or phones in %(count)d rows are masked (as in a list exported by a "
        "user who may not see them whole), starting at row %(first)s: such a list cannot be "
        "imported. Import a file with the whole ID numbers and phones."
    ) % {"count": count, "first": first}


class SheetRows:
    """One sheet's data rows, read into its file's `Reading`: the columns its header maps, as
    every row uses them, and the steps of a row (left out, cleaned, checked, kept)."""

    def __init__(self, table: Table, header: Header, reading: Reading, blank_keeps: Collection[str]):
        index, found, cells, _ignored = header
        self.data_rows = table.rows[index + 1 :]
        if len(reading.rows) + len(self.data_rows) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": settings.IMPORT_MAX_ROWS}
            )
        self.reading, self.found, self.header = reading, found, cells
        self.sheet = table.sheet if reading.several else ""
        self.first_row = table.first_row + index + 1
        self.blanks = table.formula_blanks
        self.skip_hidden = set() if reading.include_hidden else table.hidden_rows
        self.positions = sorted(found.items())
        self.layout = [(position, cells[position], column) for position, column in self.positions]
        self.columns = {column.attribute: cells[position] for position, column in self.positions}
        self.required = [
            (position, column)
            for position, column in self.positions
            if column.required and column.attribute not in blank_keeps
        ]
        self.numbering = next(
            (p for p, text in enumerate(cells) if p not in found and normalize_header(text) in NUMBERING), None
        )
        self.dated = [
            position
            for position, column in self.positions
            if isinstance(column.widget, ExcelDateWidget) and not column.widget.month
        ]
        self.person = found_attribute(found, "id_number")
        # Rosters repeat themselves (villages, groups, heads' ID numbers): clean each
        # distinct value of a column once.
        self.memo = {position: {} for position, _column in self.positions}
        self.villages = None
        self.example, self.example_columns = {}, frozenset()

    def read(self, villages, example: dict, example_columns: Collection[str]) -> None:
        """Read the rows, the cells cleaned with `villages`; a row holding `example` (in no
        other column than `example_columns`) is the template's example, not data."""
        self.villages, self.example, self.example_columns = villages, example, example_columns
        rows, progress = self.reading.rows, self.reading.progress
        for offset, cells in enumerate(self.data_rows):
            if progress is not None and offset % 200 == 0:
                progress(len(rows) + offset, len(rows) + len(self.data_rows))
            self.read_row(self.first_row + offset, cells)
        if progress is not None:
            progress(len(rows), len(rows))

    def read_row(self, number: int, cells: list) -> None:
        """Leave the row out (blank, hidden, not data), or clean, check and keep it."""
        if all(is_blank(cell) for cell in cells) and not any((number, p) in self.blanks for p, _c in self.positions):
            return
        reading, sheet = self.reading, self.sheet
        where = f"“{sheet}” {number}" if sheet else number
        if number in self.skip_hidden:
            reading.hidden.append(where)
            return
        skipped = skipped_row(cells, self.numbering)
        if skipped:
            reading.report.ignored_rows.append((where, skipped))
            return
        values, failed = self.values(number, cells, where)
        if not failed and self.is_example(values):
            # A template's example row without its mark (templates of any version carry
            # the same example person): skipped and listed, never a record.
            reading.report.ignored_rows.append((where, _("example row")))
            return
        failed = self.check_dates(number, values) or failed
        failed = self.check_required(number, cells, values) or failed
        rows = reading.rows
        rows.append(
            SourceRow(
                number=number,
                # The raw cells serve only the preview's sample of the first rows; keeping
                # every row's would keep the whole sheet in memory through the write.
                cells=cells if len(rows) < KEEP_CELLS else [],
                values=values,
                layout=self.layout,
                columns=self.columns,
                failed=failed,
                sheet=sheet,
                order=len(rows),
            )
        )

    def values(self, number: int, cells: list, where) -> tuple[dict, bool]:
        """The row's cleaned values by attribute, and whether a cell failed (its error kept)."""
        values = {}
        failed = False
        width = len(cells)
        blanks, memo = self.blanks, self.memo
        for position, column in self.positions:
            if blanks and (number, position) in blanks:
                message = _("The cell holds a formula without a value; recalculate and save the file in Excel.")
                self.error(number, position, message)
                failed = True
                continue
            cell = cells[position] if position < width else None
            if cell is None or cell == "":
                continue
            seen = memo[position]
            cleaned = seen.get(cell, _UNSEEN)  # cells from the readers are all hashable
            if cleaned is _UNSEEN:
                cleaned = seen[cell] = self.clean(column, cell)
            if isinstance(cleaned, MaskedCell):
                self.reading.masked[where] = True  # said once, for the file (Reading.finish)
                failed = True
            elif isinstance(cleaned, CellError):
                self.error(number, position, str(cleaned))
                failed = True
            elif cleaned is not None:
                values[column.attribute] = cleaned
        return values, failed

    def clean(self, column, cell):
        """The cell's value, or its CellError: an error value (#N/A) is one."""
        shown = error_value(cell)
        try:
            if shown:
                raise CellError(shown)
            return column.widget.clean(cell, villages=self.villages)
        except CellError as error:
            return error

    def is_example(self, values: dict) -> bool:
        example = self.example
        return bool(
            example
            and values.keys() <= self.example_columns
            and all(values.get(name) == value for name, value in example.items())
        )

    def check_dates(self, number: int, values: dict) -> bool:
        """No date of the person's before her birth; return whether one is."""
        if self.person is None or self.person not in values:
            return False
        born = values[self.person].birth_date
        failed = False
        for position in self.dated:
            day = values.get(self.found[position].attribute)
            if day is not None and day < born:
                message = _("%(date)s is before the person was born (%(born)s).") % {
                    "date": day.isoformat(),
                    "born": born.isoformat(),
                }
                self.error(number, position, message)
                failed = True
        return failed

    def check_required(self, number: int, cells: list, values: dict) -> bool:
        """Each required cell filled (a formula's blank is said already); return whether one is not."""
        failed = False
        width = len(cells)
        blanks = self.blanks
        for position, column in self.required:
            if column.attribute not in values and not (blanks and (number, position) in blanks):
                cell = cells[position] if position < width else None
                if is_blank(cell):
                    self.error(number, position, _("%(column)s is required.") % {"column": self.header[position]})
                    failed = True
        return failed

    def error(self, number: int, position: int, message: str) -> None:
        self.reading.errors.append(RowError(number, self.header[position], message, self.sheet))
