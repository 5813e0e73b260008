"""Import of village rosters: one strict, fast path for every roster of every app.

A roster file (.xlsx, .xls or .csv) is read into a `Table` (reading), its header row is
found under any title rows (headers), each data row's cells are cleaned by their columns'
widgets (rows, cells), and the roster turns the rows into a plan (rosters): what to create,
what to update, what is unchanged, and every error with the row and column as the user sees
them in Excel (report). A plan with any error writes nothing. Writes are bulk inserts and
updates with history, or saves through the app's services, in one transaction (writing);
each import is recorded (records). Uploads wait between preview and confirm in a private
folder (uploads); each roster has a template to fill in (templates).

Rosters are django-import-export `ModelResource`s: their declared fields name the columns
for export and import alike; this package replaces import-export's row-by-row import,
which costs five queries a row (shared/NOTES.md).
"""

from federation.core.importing.cells import (
    CellError,
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    IdNumberWidget,
    Month,
    NameWidget,
    PhoneWidget,
    TextWidget,
    VillageWidget,
    is_blank,
    normalize_header,
    village_key,
)
from federation.core.importing.jobs import Heartbeat, worker_failed
from federation.core.importing.reading import HEADER_SEARCH_ROWS, ImportFileError, Table, read_table
from federation.core.importing.report import ImportReport, RowError
from federation.core.importing.rosters import RosterExtension, RosterResource, among, discover
from federation.core.importing.rows import SourceRow
from federation.core.importing.templates import build_template
from federation.core.importing.uploads import purge_uploads, store_errors, store_upload, take_upload, upload_dir
from federation.core.importing.writing import SAMPLE_ROWS, Plan, Row, insert_history, insert_rows, update_rows

__all__ = [
    "HEADER_SEARCH_ROWS",
    "SAMPLE_ROWS",
    "CellError",
    "ChoiceWidget",
    "Column",
    "ExcelDateWidget",
    "Heartbeat",
    "IdNumberWidget",
    "Month",
    "NameWidget",
    "ImportFileError",
    "ImportReport",
    "PhoneWidget",
    "Plan",
    "RosterExtension",
    "RosterResource",
    "Row",
    "RowError",
    "SourceRow",
    "Table",
    "TextWidget",
    "VillageWidget",
    "among",
    "build_template",
    "discover",
    "insert_history",
    "insert_rows",
    "is_blank",
    "normalize_header",
    "purge_uploads",
    "read_table",
    "store_errors",
    "store_upload",
    "take_upload",
    "update_rows",
    "upload_dir",
    "village_key",
    "worker_failed",
]
