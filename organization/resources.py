"""The 组织建设 rosters. The register of a committee's members (执委名册): a row names its
federation by village (blank: the town's own), the member by ID number when she is on the
people roster, or by name when she is an outside member; the writes go through the services,
whose answers are the rows' errors."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.importing import (
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    IdNumberWidget,
    NameWidget,
    PhoneWidget,
    Plan,
    SourceRow,
    TextWidget,
    VillageWidget,
)
from federation.core.models import Town
from federation.resources import ID_ALIASES, VILLAGE_ALIASES, PersonRosterResource
from organization.models import POSITION_SYNONYMS, Committee, CommitteeMember
from organization.services import member_save

# --- Committees, their members, meetings and delegates ---------------------------------------

MEMBER_DETAILS = ("position", "duties", "phone", "joined_on", "left_on", "note")


def save_member(*, record, by) -> CommitteeMember:
    return member_save(member=record, by=by)


class CommitteeRosterResource(PersonRosterResource):
    import_name = "committee_members"
    import_title = gettext_lazy("Executive committee roster")

    village = Column("village", "村(社区)", VillageWidget(), aliases=VILLAGE_ALIASES)
    name = Column("name", "姓名", NameWidget(squeeze=True), required=True, aliases=["名字", "执委姓名"])
    id_number = Column("id_number", "身份证号", IdNumberWidget(), aliases=ID_ALIASES)
    position = Column(
        "position",
        "职务",
        ChoiceWidget(CommitteeMember.Position.choices, POSITION_SYNONYMS),
        required=True,
        aliases=["妇联职务", "执委会职务"],
    )
    duties = Column("duties", "其他职务", TextWidget(max_length=100), aliases=["兼任职务", "其他任职", "现任其他职务"])
    phone = Column("phone", "联系电话", PhoneWidget(), aliases=["电话", "手机", "手机号", "联系方式"])
    joined_on = Column(
        "joined_on", "任职日期", ExcelDateWidget(since=1950), required=True, aliases=["任职时间", "当选日期"]
    )
    left_on = Column("left_on", "离任日期", ExcelDateWidget(since=1950), aliases=["离任时间", "卸任日期"])
    note = Column("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = CommitteeMember
        fields = ["village", "name", "id_number", "position", "duties", "phone", "joined_on", "left_on", "note"]

    @classmethod
    def template_example(cls, village):
        return {
            "village": village,
            "name": "李秀英",
            "position": CommitteeMember.Position.VICE_CHAIR,
            "duties": "村委委员",
            "joined_on": "2021-06-18",
        }

    def town_committee(self):
        """The town's own committee, for a row without a village: only its staff import it."""
        towns = self.scope.town_ids if not self.scope.everything else set(Town.objects.values_list("pk", flat=True))
        if len(towns) != 1:
            return None
        return Committee.objects.filter(town_id=next(iter(towns)), village__isnull=True).first()

    def committee_for(self, row: SourceRow, committees: dict, town_committee):
        village = row.values.get("village") or self.default_village
        if village is None and not (self.scope.town_ids or self.scope.everything):
            village = self.only_village()
        if village is None:
            if not (self.scope.town_ids or self.scope.everything):
                self.error(row, "village", _("Name the village (community) of the member."))
                return None
            if town_committee is None:
                self.error(
                    row,
                    "village",
                    _("The town's federation has no executive committee on record: add it first, then import."),
                )
            return town_committee
        committee = committees.get(village.pk)
        if committee is None:
            self.error(
                row,
                "village",
                _("%(village)s has no executive committee on record: add it (elected on, term) first, then import.")
                % {"village": village.name},
            )
        return committee

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people = self.people(rows)
        committees = {
            committee.village_id: committee
            for committee in Committee.objects.filter(village_id__in=self.scoped_village_ids()).select_related(
                "village"
            )
        }
        town_committee = self.town_committee() if (self.scope.town_ids or self.scope.everything) else None
        known = [c.pk for c in committees.values()] + ([town_committee.pk] if town_committee else [])
        existing: dict[tuple, list[CommitteeMember]] = {}
        for member in CommitteeMember.objects.filter(committee_id__in=known).order_by("pk"):
            existing.setdefault((member.committee_id, member.person_id or member.name), []).append(member)
        saves, seen = [], {}
        for row in rows:
            if row.failed:
                continue
            committee = self.committee_for(row, committees, town_committee)
            if committee is None:
                continue
            person = None
            if "id_number" in row.values:
                person = self.person_for(row, people)
                if person is None:
                    continue
            key = (committee.pk, person.pk if person else row.values["name"])
            if key in seen:
                self.error(row, "name", _("The same member is already on row %(row)s.") % {"row": seen[key]})
                continue
            seen[key] = row.where
            details = {name: row.values.get(name) for name in MEMBER_DETAILS}
            details.update({name: details[name] or "" for name in ("duties", "phone", "note")})
            member = self.match(existing.get(key, []), details["joined_on"])
            if member is None:
                member = CommitteeMember(committee=committee, person=person, name="" if person else key[1], **details)
                saves.append((row, member))
                plan.new += 1
                plan.add_sample(row, _("new"))
            elif any(getattr(member, name) != value for name, value in details.items()):
                for name, value in details.items():
                    setattr(member, name, value)
                saves.append((row, member))
                plan.updated += 1
                plan.add_sample(row, _("updated"))
            else:
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
        # Those who left first, so that their seats are free for the newly elected.
        saves.sort(key=lambda pair: pair[1].left_on is None)
        plan.after = [self.save_through(save_member, saves, "position")]
        return plan

    @staticmethod
    def match(members: list[CommitteeMember], joined_on):
        """Her seat the row is about: the one she took that day, else the one she holds."""
        for member in members:
            if member.joined_on == joined_on:
                return member
        return next((member for member in members if member.left_on is None), None)
