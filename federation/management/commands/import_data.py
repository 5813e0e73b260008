import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federation.core.importing import discover
from federation.core.importing.villages import VillageError, Villages
from federation.core.scoping import EVERYTHING, scope_for


class Command(BaseCommand):
    help = _("Import a roster file (.xlsx, .xls, .ods or .csv). Nothing is written if any row has an error.")

    def add_arguments(self, parser):
        parser.add_argument("resource", nargs="?", help=_("the roster, e.g. people (see --list)"))
        parser.add_argument("file", nargs="?", help=_("the .xlsx, .xls or .csv file"))
        parser.add_argument("--list", action="store_true", help=_("name the rosters that can be imported"))
        parser.add_argument("--dry-run", action="store_true", help=_("check the file and write nothing"))
        parser.add_argument("--village", help=_("the village of rows that have none"))
        parser.add_argument("--user", help=_("import as this user, within their villages"))
        parser.add_argument(
            "--again", action="store_true", help=_("import a file that was imported before all the same")
        )
        parser.add_argument(
            "--hidden", action="store_true", help=_("import hidden rows and columns too (left out by default)")
        )

    def handle(self, *args, resource=None, file=None, **options):
        registry = discover()
        if options["list"]:
            for name, resource_class in sorted(registry.items()):
                self.stdout.write(f"{name}\t{resource_class.import_title}")
            return
        if resource not in registry:
            raise CommandError(
                _("Unknown roster %(name)s; known: %(known)s.")
                % {"name": resource, "known": "、".join(sorted(registry))}
            )
        resource_class = registry[resource]
        if not file:
            raise CommandError(_("Name the file to import."))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": file})
        user, scope = None, EVERYTHING
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("There is no active user %(user)s.") % {"user": options["user"]})
            scope = scope_for(user)
            model = resource_class.Meta.model._meta
            # The same permission as the admin's import page.
            if not user.has_perm(f"{model.app_label}.import_{model.model_name}"):
                raise CommandError(
                    _("The user %(user)s may not import the %(roster)s.")
                    % {"user": options["user"], "roster": resource_class.import_title}
                )
        village = None
        if options["village"]:
            try:
                village = Villages.for_scope(scope).match(options["village"])
            except VillageError as error:
                raise CommandError(str(error)) from None
        importer = resource_class(user=user, scope=scope, default_village=village)
        report = importer.import_file(
            path.read_bytes(), path.name, dry_run=options["dry_run"], again=options["again"], hidden=options["hidden"]
        )
        self.stdout.write(report.summary)
        for notice in report.notices:
            self.stdout.write(notice)
        if report.ignored_columns:
            self.stdout.write(_("Columns ignored: %(columns)s") % {"columns": "、".join(report.ignored_columns)})
        for number, why in report.ignored_rows:
            self.stdout.write(_("Row %(row)s skipped: %(why)s") % {"row": number, "why": why})
        for error in report.errors:
            self.stdout.write(str(error))
        if report.errors:
            sys.exit(1)
