"""Finding a sheet's header row under any title rows, and mapping its columns to the
roster's by every spelling a column accepts; choosing the sheets a file's rows are read from."""

import re
from collections.abc import Callable, Iterable, Sequence

from django.utils.translation import gettext as _

from federation.core.importing.cells import Column, is_blank, normalize_header
from federation.core.importing.reading import HEADER_SEARCH_ROWS, ImportFileError, Table
from federation.core.importing.report import ImportReport

# A header found: its row's index in the table, its columns by position, every header as
# written (blanks squeezed out), and the headers the roster does not read.
Header = tuple[int, dict[int, Column], list[str], list[str]]


def find_header(table: Table, columns: list[Column], hidden: set, optional_when_known: Callable[[str], bool]) -> Header:
    """The row among the first HEADER_SEARCH_ROWS naming most of the roster's `columns`.
    A two-level header is read as one: a column named only in the row above (序号, 姓名 over
    an empty cell, not merged down) counts. Columns at `hidden` positions are left out. A
    column named twice, or a required one missing (unless `optional_when_known`), is the
    file's error."""
    spellings = {spelling: column for column in columns for spelling in column.spellings()}
    required = [column for column in columns if column.required]
    best = _best_row(table.rows[:HEADER_SEARCH_ROWS], spellings, hidden)
    if best is None:
        raise ImportFileError(
            _("No header row was found in the first %(rows)d rows. The roster needs the columns: %(columns)s.")
            % {"rows": HEADER_SEARCH_ROWS, "columns": "、".join(c.column_name for c in required)}
        )
    index, found, cells = best
    header = [re.sub(r"\s+", "", str(cell or "")) for cell in cells]
    seen = _positions_once(found, header)
    missing = [
        column.column_name
        for column in required
        if column.attribute not in seen and not optional_when_known(column.attribute)
    ]
    if missing:
        raise _lacking(table.first_row + index, missing, header, hidden)
    ignored = [
        header[position]
        for position in range(len(header))
        if header[position] and position not in found and position not in hidden
    ]
    return index, found, header, ignored


def _best_row(rows: Sequence[list], spellings: dict[str, Column], hidden: set):
    """(index, columns by position, cells) of the row naming the most columns, the first of
    equals; None when no row names any. Each blank cell takes the header above it."""
    best = None
    above = []
    for index, row in enumerate(rows):
        combined = [
            above[position]
            if is_blank(cell) and position < len(above) and normalize_header(above[position]) in spellings
            else cell
            for position, cell in enumerate(row)
        ]
        found = {
            position: spellings[normalize_header(cell)]
            for position, cell in enumerate(combined)
            if position not in hidden and normalize_header(cell) in spellings
        }
        if found and (best is None or len(found) > len(best[1])):
            best = (index, found, combined)
        above = row
    return best


def _positions_once(found: dict[int, Column], header: list[str]) -> dict[str, int]:
    """Each attribute's position; two columns meaning the same are refused."""
    seen = {}
    for position, column in found.items():
        if column.attribute in seen:
            raise ImportFileError(
                _("The columns “%(first)s” and “%(second)s” both mean %(name)s; keep only one.")
                % {"first": header[seen[column.attribute]], "second": header[position], "name": column.column_name}
            )
        seen[column.attribute] = position
    return seen


def _lacking(row: int, missing: list[str], header: list[str], hidden: set) -> ImportFileError:
    """The header row lacks required columns: it says which, and which hidden columns were not
    read (the missing one may be among them). It carries `missing` for `choose_tables`."""
    hidden_named = [header[position] for position in sorted(hidden) if position < len(header) and header[position]]
    message = _("Row %(row)d is the header row, but it lacks the columns: %(columns)s.") % {
        "row": row,
        "columns": "、".join(missing),
    }
    if hidden_named:
        message += " " + _(
            "The hidden columns %(columns)s were not read; unhide them, or tick “Import hidden rows and columns”."
        ) % {"columns": "、".join(hidden_named)}
    error = ImportFileError(message)
    error.missing = missing
    return error


def choose_tables(
    tables: Iterable[Table], find: Callable[[Table], Header], report: ImportReport
) -> list[tuple[Table, Header]]:
    """The visible sheets to read, each with its header (`find`): the first that has a header
    row (village workbooks often open with a 说明 cover sheet), and every later one whose
    header has the same columns (one sheet per village). The sheets not read are named in the
    report."""
    chosen, not_read, first_error = [], [], None
    for table in tables:
        try:
            found = find(table)
        except ImportFileError as error:
            first_error = first_error or error
            if table.sheet and any(not is_blank(cell) for row in table.rows for cell in row):
                missing = getattr(error, "missing", None)
                why = _("lacks %(columns)s") % {"columns": "、".join(missing)} if missing else _("no header row")
                not_read.append((table.sheet, why))
            continue
        attributes = {column.attribute for column in found[1].values()}
        if not chosen or attributes == {column.attribute for column in chosen[0][1][1].values()}:
            chosen.append((table, found))
        else:
            not_read.append((table.sheet, _("its columns differ")))
    if not chosen:
        raise _none_chosen(not_read, first_error)
    if len(chosen) > 1:
        report.notices.append(
            _("Rows were read from %(count)d sheets: %(sheets)s.")
            % {"count": len(chosen), "sheets": "、".join(f"“{table.sheet}”" for table, _found in chosen)}
        )
    if not_read:
        report.notices.append(
            _("Sheets not read: %(sheets)s.") % {"sheets": "、".join(f"“{name}”（{why}）" for name, why in not_read)}
        )
    return chosen


def _none_chosen(not_read: list[tuple[str, str]], first_error: ImportFileError | None) -> ImportFileError:
    """Why no sheet is read: the file is empty, or the first sheet's error, naming the sheets
    when there are several."""
    if first_error is None:
        return ImportFileError(_("The file is empty."))
    names = [name for name, _why in not_read]
    if len(names) > 1:
        return ImportFileError(
            _("None of the sheets %(sheets)s has a header row. %(error)s")
            % {"sheets": "、".join(f"“{name}”" for name in names), "error": first_error}
        )
    return first_error


def note_header(report: ImportReport, table: Table, header: Header, *, several: bool, include_hidden: bool) -> None:
    """The report names the first sheet's header: its row, the columns read and not read, how
    each is masked, the hidden columns left out; the later sheets add their names."""
    index, found, cells, ignored = header
    if report.header_row:
        if several:
            report.sheet = "、".join(filter(None, [report.sheet, table.sheet]))
        return
    report.sheet = table.sheet
    report.header_row = table.first_row + index
    report.headers = [cells[position] for position in sorted(found)]
    report.ignored_columns = ignored
    report.maskers = {
        cells[position]: column.widget.masker for position, column in found.items() if hasattr(column.widget, "masker")
    }
    hidden_columns = sorted(table.hidden_columns)
    if hidden_columns and not include_hidden:
        named = [cells[p] for p in hidden_columns if p < len(cells) and cells[p]]
        if named:
            report.notices.append(_("Hidden columns not read: %(columns)s.") % {"columns": "、".join(named)})
