from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points supermarket")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, summary rows and
        # figures, and rosters; the admin was imported by the admin's autodiscovery.
        from federation.core.periods import PeriodRecords
        from federation.core.registry import Download, HelpSection, registry
        from points import admin, demo, passbooks, reports, resources  # noqa: F401
        from points.models import Donation, PointAppeal, PointClaim, PointEntry, Redemption, RedemptionEvent

        # A submitted period holds, and an approved one locks, the ledger and the sessions.
        registry.add_period_records(PeriodRecords(PointEntry, date="date", village="village"))
        # A claim is refused in a submitted or approved month, as the line it would become.
        registry.add_period_records(PeriodRecords(PointClaim, date="date", village="village"))
        registry.add_period_records(PeriodRecords(RedemptionEvent, date="date", village="village"))
        registry.add_period_records(PeriodRecords(Redemption, date="event__date", village="event__village"))
        # A village's donations (a town-wide one names no village and no period holds it).
        registry.add_period_records(PeriodRecords(Donation, date="date", village="village"))
        # An appeal is the month it was received in; deciding it later is the work of the day it
        # is decided (as a dispute's steps are), and its correcting line is dated that day too.
        registry.add_period_records(
            PeriodRecords(
                PointAppeal,
                date="received_on",
                village="village",
                later=("status", "outcome", "decided_by_id", "decided_on"),
            )
        )
        registry.add_demo("points", demo.seed)
        # The files printed for a family or a village, logged as the reports are.
        registry.add_download(
            Download(
                passbooks.LOG_NAME,
                _("Points passbook"),
                {"size": _("page size"), "household": _("household (record number)")},
            )
        )
        registry.add_download(
            Download(
                admin.POSTING_LOG_NAME,
                _("Points posting"),
                {"posting": _("posting (record number)"), "village": _("village (record number)")},
            )
        )
        registry.add_work_list("points", admin.points_reminders)
        registry.add_help_section(
            HelpSection("points", _("Points supermarket: awarding and redeeming points"), ("points.view_pointentry",)),
            pages=("points",),
        )
        # The household's page lists its ledger and links to its passbook; households get the
        # "record points" and "print passbooks" actions.
        registry.extend_admin(
            "federation.household",
            actions=[admin.award_points, admin.print_passbooks],
            inlines=[admin.LedgerInline],
            links=[admin.passbook_link],
        )
