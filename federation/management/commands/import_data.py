import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from federation.importing import discover, village_key
from federation.scoping import EVERYTHING, in_scope, scope_for


class Command(BaseCommand):
    help = _("Import a roster file (.xlsx, .xls or .csv). Nothing is written if any row has an error.")

    def add_arguments(self, parser):
        parser.add_argument("resource", nargs="?", help=_("the roster, e.g. people (see --list)"))
        parser.add_argument("file", nargs="?", help=_("the .xlsx, .xls or .csv file"))
        parser.add_argument("--list", action="store_true", help=_("name the rosters that can be imported"))
        parser.add_argument("--dry-run", action="store_true", help=_("check the file and write nothing"))
        parser.add_argument("--village", help=_("the village of rows that have none"))
        parser.add_argument("--user", help=_("import as this user, within their villages"))

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
        village = None
        if options["village"]:
            from federation.models import Village

            wanted = village_key(options["village"])
            village = next((v for v in in_scope(Village.objects.all(), scope) if village_key(v.name) == wanted), None)
            if village is None:
                raise CommandError(
                    _("The village “%(value)s” is not one of your villages.") % {"value": options["village"]}
                )
        importer = registry[resource](user=user, scope=scope, default_village=village)
        report = importer.import_file(path.read_bytes(), path.name, dry_run=options["dry_run"])
        self.stdout.write(report.summary)
        for error in report.errors:
            self.stdout.write(str(error))
        if report.errors:
            sys.exit(1)
