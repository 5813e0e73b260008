"""The inspection binder (台账): the year's ledgers as one print-ready PDF or .xlsx.

Each app declares its ledgers with `reporting.binder_section(...)` in its reports.py, filed
under one of the county's inspection categories; the binder prints them in the categories'
order, then the sections' order. A ledger's tables are its reports' own (the same rows as the
report page and the downloads), read with the reader's permissions: a section the reader may
not read is left out, and the contents says so.

ledgers compiles the binder; pdf and xlsx lay it out, each from the compiled binder alone.
The rest of the system imports from here (a PDF in the binder's look uses its Measure and shading).
"""

from federation.core.binder.ledgers import (
    BINDER_LOG_NAME,
    Binder,
    Ledger,
    compile_binder,
    lists_people,
    log,
    unit_name,
)
from federation.core.binder.pdf import HEADER_SHADE, Measure, pdf_file, write_pdf
from federation.core.binder.xlsx import write_xlsx, xlsx_file

__all__ = [
    "BINDER_LOG_NAME",
    "HEADER_SHADE",
    "Binder",
    "Ledger",
    "Measure",
    "compile_binder",
    "lists_people",
    "log",
    "pdf_file",
    "unit_name",
    "write_pdf",
    "write_xlsx",
    "xlsx_file",
]
