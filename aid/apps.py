from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "aid"
    verbose_name = _("Care and aid")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, summary rows and
        # figures, and rosters; the admin was imported by the admin's autodiscovery.
        from aid import admin, demo, reports, resources, selectors  # noqa: F401
        from aid.models import (
            CareTarget,
            CareVisit,
            CharityAid,
            CharityDrive,
            DisputeCase,
            MediationSession,
            ProtectionMeasure,
            Referral,
            ReferralFollowUp,
        )
        from federation.core.periods import PeriodRecords
        from federation.core.registry import Glass, HelpSection, registry

        # A submitted period holds, and an approved one locks, visits, disputes and aid.
        registry.add_period_records(PeriodRecords(CareVisit, date="date", village="village"))
        registry.add_period_records(
            PeriodRecords(
                DisputeCase,
                date="found_on",
                village="village",
                later=("status", "mediation_started_on", "closed_on", "outcome", "transferred_to"),
            )
        )
        # A mediation session in the month it sat, in the case's village of that day.
        registry.add_period_records(PeriodRecords(MediationSession, date="date", village="village"))
        # A referral in the month it was made, in the case's village of that day; its answer,
        # result and next follow-up are the work of their own days (as a case's steps). A
        # follow-up in its month; a letter or an order by its first date, the court's decision
        # on it the work of the decision's day.
        registry.add_period_records(
            PeriodRecords(
                Referral,
                date="referred_on",
                village="village",
                later=("status", "answered_on", "closed_on", "result", "follow_up_on"),
            )
        )
        registry.add_period_records(PeriodRecords(ReferralFollowUp, date="date", village="referral__village"))
        registry.add_period_records(
            PeriodRecords(
                ProtectionMeasure, date="date", village="village", later=("decision", "decided_on", "valid_until")
            )
        )
        registry.add_period_records(PeriodRecords(CharityAid, date="date", village="village"))
        # A village's drive (a town-wide one names no village and no period holds it).
        registry.add_period_records(PeriodRecords(CharityDrive, date="start", village="village"))
        registry.add_demo("aid", demo.seed)
        # Break the glass: a domestic-violence case, or a child's care file, may be opened for a
        # few hours by a user of its village who lacks its permissions (approved by the town, or
        # at once for the roles the town names), with the records shown on its page.
        registry.add_glass(
            Glass(
                DisputeCase,
                ("aid.view_disputecase", "aid.change_disputecase", "aid.view_domestic_violence"),
                applies=DisputeCase.confidential_q,
                find=("number",),
                describe=admin.case_label,
            )
        )
        registry.add_glass(Glass(MediationSession, ("aid.view_mediationsession",), via="case"))
        registry.add_glass(Glass(Referral, ("aid.view_referral",), via="case"))
        registry.add_glass(Glass(ReferralFollowUp, ("aid.view_referralfollowup",), via="referral__case"))
        registry.add_glass(Glass(ProtectionMeasure, ("aid.view_protectionmeasure",), via="case"))
        registry.add_glass(
            Glass(
                CareTarget,
                ("aid.view_caretarget", "aid.change_caretarget", "aid.view_carevisit"),
                applies=selectors.child_files_q,
                find=("person__id_number",),
                describe=admin.care_target_label,
            )
        )
        registry.add_glass(Glass(CareVisit, ("aid.view_carevisit",), via="target"))
        registry.add_work_list("care", admin.care_reminders)
        registry.add_help_section(
            HelpSection("care", _("Care and support"), ("aid.view_caretarget",), order=70), pages=("aid",)
        )
        registry.add_help_section(
            HelpSection("disputes", _("Mediating marriage and family disputes"), ("aid.view_disputecase",), order=71),
            pages=("aid.disputecase", "aid.mediationsession", "aid.referral", "aid.protectionmeasure"),
        )
        registry.extend_roster("people", resources.CareCategoryColumn())
        # Visits before their pairings and register entries: a visit keeps both (PROTECT). A
        # case's sessions and aid's files go with them (CASCADE).
        registry.add_purge("aid.carevisit", selectors.purgeable_visits)
        registry.add_purge("aid.pairing", selectors.purgeable_pairings)
        registry.add_purge("aid.caretarget", selectors.purgeable_care_targets)
        registry.add_purge("aid.disputecase", selectors.purgeable_disputes)
