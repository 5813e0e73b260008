import shutil
from pathlib import Path

from django.utils.translation import gettext as _

from federation.core import binder as ledger_binder
from federation.management.commands.county_report import Command as ReportCommand


class Command(ReportCommand):
    help = _("Print the year's ledgers for the county's inspection as one PDF (or .xlsx): the inspection binder.")

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="2024")
        parser.add_argument("--village", action="append", default=[], help=_("one village's binder (repeatable)"))
        parser.add_argument("--user", help=_("print as this user: her villages, her permissions, her masking"))
        parser.add_argument("--format", choices=("pdf", "xlsx"), default="pdf")
        parser.add_argument("-o", "--output", help=_("the file to write (default: a name of the town and year)"))
        parser.add_argument("--purpose", default="", help=_("what a file of people is for (asked of every such file)"))

    def handle(self, *args, **options):
        user = self._user(options["user"])
        data = {"year": options["year"]}
        filterset = self.filterset(user, data, options["village"])
        rs = filterset.report_scope()
        disclosure = self.disclosure(user, options["purpose"], personal=ledger_binder.lists_people(user))
        binder = ledger_binder.compile_binder(rs, filterset.period, ledger_binder.unit_name(rs))
        kind = options["format"]
        output = Path(options["output"] or binder.file_name(kind))
        if kind == "pdf":
            file, pages = ledger_binder.pdf_file(binder, disclosure)
        else:
            file, pages = ledger_binder.xlsx_file(binder, disclosure), None
        with file, output.open("wb") as target:
            shutil.copyfileobj(file, target)
        filters = {"year": options["year"], "villages": options["village"]}
        ledger_binder.log(user, filters, f"command-{kind}", binder, disclosure)
        if pages is None:
            self.stdout.write(_("Wrote %(file)s.") % {"file": output})
        else:
            self.stdout.write(_("Wrote %(file)s: %(pages)s pages.") % {"file": output, "pages": pages})
