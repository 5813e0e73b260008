from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from federation.core.backups import backup_read, backup_restore, backup_time


class Command(BaseCommand):
    help = _("Replace the database and the uploaded files with a backup made by manage.py backup.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the backup folder"))
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help=_("do not ask for confirmation")
        )

    def handle(self, *args, path, interactive, **options):
        path = Path(path)
        # Checked before asking: a wrong or damaged backup is refused without touching anything.
        manifest = backup_read(path)
        when = backup_time(manifest)
        if interactive:
            answer = input(
                _(
                    "This replaces the database %(database)s and all its data with the backup of %(time)s, "
                    "and puts back the backup's uploaded files. Type 'yes' to continue, or 'no' to cancel: "
                )
                % {"database": connection.settings_dict["NAME"], "time": when}
            )
            if answer.strip() != "yes":
                raise CommandError(_("Restore cancelled; nothing was changed."))
        needs_migrate = backup_restore(path=path, manifest=manifest)
        media = [name for name in manifest["files"] if name.startswith("media/")]
        self.stdout.write(
            _("Restored the backup of %(time)s: %(tables)d tables with %(rows)d rows and %(files)d uploaded files.")
            % {
                "time": when,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(media),
            }
        )
        if needs_migrate:
            self.stdout.write(_("The backup is older than this version of the program: run manage.py migrate now."))
