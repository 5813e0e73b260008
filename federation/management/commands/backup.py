from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from federation.core.backups import backup_create


class Command(BaseCommand):
    help = _(
        "Write a consistent copy of the database and the uploaded files into a new folder; "
        "the last line printed is its path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help=_("the directory to write the backup into (default: the BACKUP_DIR setting)")
        )

    def handle(self, *args, output=None, **options):
        path, manifest = backup_create(directory=Path(output or settings.BACKUP_DIR))
        media = [name for name in manifest["files"] if name.startswith("media/")]
        self.stdout.write(
            _("Backed up %(tables)d tables with %(rows)d rows and %(files)d uploaded files.")
            % {"tables": len(manifest["tables"]), "rows": sum(manifest["tables"].values()), "files": len(media)}
        )
        # Last, alone on its line, so that a script can take it: `tail -n 1`.
        self.stdout.write(str(path))
