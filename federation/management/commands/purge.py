import getpass
from collections import Counter
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.core.identity import mask_id_number
from federation.models import Person
from federation.retention import cutoffs, purge_preview, purge_run


def kind(label: str) -> str:
    return str(apps.get_model(label)._meta.verbose_name_plural)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(text)s is not a date like 2020-01-31.") % {"text": text}) from None


def account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container's user without a name
        return ""


class Command(BaseCommand):
    help = _(
        "Remove people who moved out or died, and closed cases, unchanged for RETENTION_YEARS, with "
        "their history; and logs older than LOG_RETENTION_YEARS. Lists what it removes and asks first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", help=_("remove what last changed before this date (YYYY-MM-DD)"))
        parser.add_argument("--list", action="store_true", help=_("name each record (ID numbers masked)"))
        parser.add_argument("--dry-run", action="store_true", help=_("list what is due and remove nothing"))
        parser.add_argument("--noinput", action="store_true", help=_("remove without asking"))

    def handle(self, *args, **options):
        today = timezone.localdate()
        before = day(options["before"]) if options["before"] else None
        if before and before > today:
            raise CommandError(_("The date is in the future."))
        before, logs_before = cutoffs(before, today)
        try:
            listed = purge_preview(before=before, logs_before=logs_before, named=options["list"])
        except (ProtectedError, RestrictedError) as error:
            message = _("A record due for removal is still needed by another: %(error)s") % {"error": error}
            raise CommandError(message) from None
        self.show(listed, options["list"])
        if options["dry_run"] or not listed.counts:
            return
        if not options["noinput"] and input(_('Type "yes" to remove them: ')).strip() != "yes":
            self.stdout.write(_("Nothing was removed."))
            return
        try:
            record = purge_run(before=before, logs_before=logs_before, listed=listed, account=account())
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        except (ProtectedError, RestrictedError):
            raise CommandError(
                _("The records changed since they were listed; nothing was removed. Run it again.")
            ) from None
        self.stdout.write(_("Removed; %(record)s records what was removed.") % {"record": record})

    def show(self, listed, named: bool) -> None:
        write = self.stdout.write
        write(
            _(
                "Due: people who moved out or died and closed cases, last changed before %(before)s "
                "(RETENTION_YEARS=%(years)s); logs from before %(logs)s (LOG_RETENTION_YEARS=%(log_years)s)."
            )
            % {
                "before": listed.before,
                "years": settings.RETENTION_YEARS,
                "logs": listed.logs_before,
                "log_years": settings.LOG_RETENTION_YEARS,
            }
        )
        if not listed.counts:
            write(_("Nothing is due for removal."))
        else:
            write(_("To remove, with their history:"))
            for label, count in listed.counts.items():
                write(f"  {kind(label)}: {count}")
            write(_("By village:"))
            for village, counts in sorted(listed.villages.items()):
                write(f"  {village}: " + "、".join(f"{kind(label)} {count}" for label, count in counts.items()))
        if listed.kept:
            write(
                _("Kept: %(count)d people due for removal are still named by records that stay:")
                % {"count": len(listed.kept)}
            )
            reasons = Counter(name for kinds in listed.kept.values() for name in kinds)
            for name, count in sorted(reasons.items()):
                write(f"  {name}: {count}")
        if named and listed.names:
            write(_("Records to remove:"))
            for label, village, name in listed.names:
                write(f"  {kind(label)}\t{village}\t{name}")
        if named and listed.kept:
            write(_("People kept:"))
            for person in Person.objects.filter(pk__in=list(listed.kept)).select_related("village"):
                kinds = "、".join(sorted(listed.kept[person.pk]))
                write(f"  {person.village}\t{person.name} {mask_id_number(person.id_number)}\t{kinds}")
