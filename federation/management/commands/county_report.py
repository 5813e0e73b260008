import sys
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federation.core import approved, reporting
from federation.core.disclosure import Disclosure
from federation.core.filters import ReportFilterSet, report_villages
from federation.core.importing.villages import VillageError, Villages


def fail(message: str):
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = _("Write a report for the county as CSV (or .xlsx), for a year, quarter, month or date range.")

    def add_arguments(self, parser):
        parser.add_argument("report", nargs="?", help=_("the report, e.g. annual_summary (see --list)"))
        parser.add_argument("--list", action="store_true", help=_("name the reports"))
        periods = parser.add_mutually_exclusive_group()
        periods.add_argument("--year", help="2024")
        periods.add_argument("--quarter", help="2024Q3")
        periods.add_argument("--month", help="2024-03")
        periods.add_argument("--from", dest="date_from", help="2024-01-01")
        parser.add_argument("--to", dest="date_to", help="2024-06-30")
        parser.add_argument("--village", action="append", default=[], help=_("a village to count (repeatable)"))
        parser.add_argument("--user", help=_("report as this user, within their villages"))
        parser.add_argument("--format", choices=sorted(reporting.FORMATS), default="csv")
        parser.add_argument("-o", "--output", default="-", help=_("the file to write; - for standard output"))
        parser.add_argument("--purpose", default="", help=_("what a file of people is for (asked of every such file)"))

    def handle(self, *args, report=None, **options):
        user = self._user(options["user"])
        # The reports the user may read (`Report.allowed`, as on the page); the shell reads all.
        reports = {name: entry for name, entry in reporting.discover().items() if entry.allowed(user)}
        if options["list"]:
            for name, entry in sorted(reports.items()):
                self.stdout.write(f"{name}\t{entry.title()}")
            return
        entry = reports.get(report)
        if entry is None and report in reporting.discover():
            raise fail(
                _("The user %(user)s may not read the report %(name)s.") % {"user": options["user"], "name": report}
            )
        if entry is None:
            raise fail(
                _("Unknown report %(name)s; known: %(known)s.") % {"name": report, "known": "、".join(sorted(reports))}
            )
        data = {key: options[key] for key in ("year", "quarter", "month", "date_from", "date_to") if options[key]}
        filterset = self.filterset(user, data, options["village"])
        if entry.too_fine(user, filterset.period):
            raise fail(reporting.too_fine_message())
        rs = filterset.report_scope()
        table, kept = approved.run(entry, rs, filterset.period)
        if kept is not None:
            self.stderr.write(kept.note())
        disclosure = self.disclosure(user, options["purpose"], personal=entry.personal)
        content = reporting.render(entry, table, options["format"], rs, filterset.period, disclosure)
        reporting.log(
            user,
            entry,
            {key: str(value) for key, value in data.items()},
            f"command-{options['format']}",
            len(table.rows),
            disclosure,
        )
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            Path(options["output"]).write_bytes(content)

    def disclosure(self, user, purpose: str, *, personal: bool) -> Disclosure:
        """Who takes the file and why: a file of people needs --purpose, as the page asks."""
        purpose = purpose.strip()
        if personal and not purpose:
            raise fail(_("The file lists people: say what it is for with --purpose."))
        return Disclosure.of(user, purpose[:150] if personal else "")

    def filterset(self, user, data: dict, village_names: list[str]) -> ReportFilterSet:
        """The period and villages of `data`, validated as the report page validates them,
        within the user's villages; `data` gets the villages' ids."""
        request = SimpleNamespace(user=user)
        villages = report_villages(request)
        chosen = []
        names = Villages(villages)
        for name in village_names:
            try:
                chosen.append(names.match(name).pk)
            except VillageError as error:
                raise fail(str(error)) from None
        data["villages"] = chosen
        filterset = ReportFilterSet(data, queryset=villages, request=request)
        if not filterset.is_valid():
            messages = [str(error) for errors in filterset.form.errors.values() for error in errors]
            raise fail(" ".join(messages))
        return filterset

    def _user(self, username):
        if not username:
            # The shell is trusted: the whole database, as a superuser sees it.
            return SimpleNamespace(
                is_authenticated=True, is_active=True, is_superuser=True, pk=None, has_perm=lambda perm: True
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or isinstance(user, AnonymousUser):
            raise fail(_("There is no active user %(user)s.") % {"user": username})
        if not user.has_perm(reporting.PAGE_PERMISSION):
            raise fail(_("The user %(user)s may not see reports.") % {"user": username})
        return user
