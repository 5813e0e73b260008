"""Care rosters: the left-behind children roster (留守儿童花名册), the people roster's 人员类别
column, and the dispute and mediation session exports."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from aid import selectors
from aid.models import CATEGORY_SYNONYMS, MASK, CareTarget, DisputeCase, MediationSession, ProtectionMeasure, Referral
from aid.services import aid_record_save
from federation.core.exporting import ScopedResource
from federation.core.importing import (
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    NameWidget,
    PhoneWidget,
    Plan,
    RosterExtension,
    SourceRow,
    TextWidget,
    among,
)
from federation.core.scoping import in_scope
from federation.models import Person
from federation.resources import PersonRosterResource, chunked


def ensure_care_targets(targets: list[tuple[str, str]], user, day: date | None = None) -> None:
    """Put people (by ID number) on the register in a category, unless they are on it
    already: for the people roster's 人员类别 column."""
    day = day or timezone.localdate()
    numbers = [number for number, _category in targets]
    people, open_targets = {}, set()
    for chunk in chunked(numbers):
        people.update({p.id_number: p for p in Person.objects.filter(among("id_number", chunk))})
        open_targets.update(
            CareTarget.objects.filter(among("person__id_number", chunk), until__isnull=True).values_list(
                "person__id_number", "category"
            )
        )
    for number, category in targets:
        if (number, category) not in open_targets:
            aid_record_save(record=CareTarget(person=people[number], category=category, since=day), by=user)
            open_targets.add((number, category))


class CareCategoryColumn(RosterExtension):
    """The people roster's 人员类别: puts a person on the care register (留守儿童, 特困人员…) in
    the same import; exported only to those who may see care records."""

    columns = {
        "category": Column(
            "category", "人员类别", ChoiceWidget(CareTarget.Category.choices, CATEGORY_SYNONYMS), aliases=["关爱类别"]
        )
    }

    @staticmethod
    def sees_care(resource) -> bool:
        return bool(resource.user and resource.user.has_perm("aid.view_caretarget"))

    export_from_values = True  # dehydrate reads the person's key alone

    def filter_export(self, resource, queryset):
        # Every exported person's open categories in one more query, kept with the resource
        # (few people have any), and none for a user who may not see them: a prefetch would
        # cost a query per chunk of rows and a list on each of 100,000 people.
        categories = {}
        if self.sees_care(resource):
            labels = dict(CareTarget.Category.choices)
            # Those of the user's villages, not of the rows exported: the few open ones are
            # read faster than the people the rows are.
            open_targets = in_scope(CareTarget.objects.filter(until__isnull=True), resource.scope)
            for person_id, category in open_targets.order_by("category").values_list("person_id", "category"):
                categories.setdefault(person_id, []).append(str(labels[category]))
        resource.care_categories = {person_id: "、".join(names) for person_id, names in categories.items()}
        return queryset

    def dehydrate(self, resource, name, person):
        categories = getattr(resource, "care_categories", None)
        if categories is not None:  # read by filter_export, for those who may see them
            return categories.get(person.pk, "")
        if not self.sees_care(resource):
            return ""
        targets = person.care_targets.filter(until__isnull=True).order_by("category")
        return "、".join(target.get_category_display() for target in targets)

    def plan(self, resource, rows, plan):
        """The (ID number, category) pairs the column asks for, put on the register after the
        people are written; a row error for a user who may not register care targets, or a
        child category for an adult."""
        targets = []
        may = resource.user is None or resource.user.has_perm("aid.add_caretarget")
        today = timezone.localdate()
        for row, idn in rows:
            category = row.values.get("category")
            if not category:
                continue
            if not may:
                resource.error(row, "category", _("You may not put people on the care register."))
            elif CareTarget.adult_in_child_category(category, idn.birth_date, today):
                resource.error(row, "category", _("An adult cannot be registered as a child."))
            else:
                targets.append((idn.number, category))
        if targets:
            plan.after.append(lambda user, reason: ensure_care_targets(targets, user))


class CareTargetsResource(PersonRosterResource):
    import_name = "care_targets"
    import_title = gettext_lazy("Care target roster")

    category = Column(
        "category",
        "类别",
        ChoiceWidget(CareTarget.Category.choices, CATEGORY_SYNONYMS),
        aliases=["人员类别", "关爱类别"],
    )
    guardian_name = Column(
        "guardian_name", "监护人", NameWidget(squeeze=True, max_length=50), aliases=["监护人姓名", "实际监护人"]
    )
    guardian_phone = Column("guardian_phone", "监护人电话", PhoneWidget(), aliases=["监护人联系电话", "联系电话"])
    parents_work_place = Column(
        "parents_work_place", "父母务工地", TextWidget(max_length=100), aliases=["务工地点", "父母外出务工地"]
    )
    since = Column("since", "纳入日期", ExcelDateWidget(since=1900), aliases=["登记日期"])
    situation = Column("situation", "基本情况", TextWidget(), aliases=["情况", "备注"])

    class Meta:
        model = CareTarget
        fields = [
            "name",
            "id_number",
            "category",
            "guardian_name",
            "guardian_phone",
            "parents_work_place",
            "since",
            "situation",
        ]

    @classmethod
    def template_example(cls, village):
        return {
            "name": "王小宝",
            "category": CareTarget.Category.LEFT_BEHIND_CHILD,
            "guardian_name": "王奶奶",
            "guardian_phone": "13800000000",
            "parents_work_place": "浙江宁波",
            "since": "2024-03-01",
        }

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people, existing = self.people(rows), {}
        for chunk in chunked([person.pk for person in people.values()]):
            for target in CareTarget.objects.filter(among("person_id", chunk), until__isnull=True):
                existing[(target.person_id, target.category)] = target
        today = timezone.localdate()
        saves = []
        for row, _idn in self.keyed_rows(rows, "id_number"):
            values = row.values
            person = self.person_for(row, people)
            if person is None:
                continue
            category = values.get("category") or CareTarget.Category.LEFT_BEHIND_CHILD
            since = values.get("since") or today
            details = {
                key: values[key]
                for key in ("guardian_name", "guardian_phone", "parents_work_place", "situation")
                if key in values
            }
            target = existing.get((person.pk, category))
            if target is None:
                target = CareTarget(person=person, category=category, since=since, **details)
                saves.append((row, target))
                plan.new += 1
                plan.add_sample(row, _("new"))
            elif any(getattr(target, key) != value for key, value in details.items()):
                for key, value in details.items():
                    setattr(target, key, value)
                saves.append((row, target))
                plan.updated += 1
                plan.add_sample(row, _("updated"))
            else:
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
        plan.after = [self.save_through(aid_record_save, saves, "category")]
        return plan


class ConfidentialResource(ScopedResource):
    """An export of records that may be confidential (aid.models.Confidential): of one, only
    its CONFIDENTIAL_VISIBLE columns for those who may not see it, the rest masked."""

    # The relations a record's confidentiality is read through (a referral's case), joined
    # whether a column shows them or not: else each row would read its case.
    confidential_joins: tuple[str, ...] = ()

    def export_queryset(self, queryset, selected_fields=None):
        queryset = super().export_queryset(queryset, selected_fields)
        return queryset.select_related(*self.confidential_joins) if self.confidential_joins else queryset

    def export_field(self, field, instance, **kwargs):
        # One rule for every column, present and future.
        if self.get_field_name(field) not in instance.CONFIDENTIAL_VISIBLE and instance.hidden_from(self.user):
            return MASK
        return super().export_field(field, instance, **kwargs)


class DisputeCasesResource(ConfidentialResource):
    """The dispute export: of a domestic-violence case, only its number, village, kind and
    status for those who may not see it."""

    parties = fields.Field(column_name="当事人")

    class Meta:
        model = DisputeCase
        fields = [
            "number",
            "village",
            "kind",
            "source",
            "found_on",
            "parties",
            "summary",
            "members",
            "mediators",
            "police",
            "status",
            "mediation_started_on",
            "closed_on",
            "transferred_to",
            "outcome",
        ]

    def dehydrate_parties(self, case):
        return "、".join(p.name for p in case.parties.all())


class MediationSessionsResource(ScopedResource):
    """The mediation session export: a domestic-violence case's sessions only for those who may
    see the case (none of them otherwise, not even masked)."""

    case = fields.Field(attribute="case__number", column_name="纠纷编号")

    class Meta:
        model = MediationSession
        fields = ["case", "village", "date", "place", "mediators", "present", "content", "result"]

    def get_queryset(self):
        return selectors.sessions_seen_by(super().get_queryset(), self.user)

    def filter_export(self, queryset, **kwargs):
        return selectors.sessions_seen_by(super().filter_export(queryset, **kwargs), self.user)


class ReferralsResource(ConfidentialResource):
    """The referral export: of a domestic-violence case's, only its case number, village,
    agency and status for those who may not see the case."""

    confidential_joins = ("case",)
    case = fields.Field(attribute="case__number", column_name="纠纷编号")

    class Meta:
        model = Referral
        fields = [
            "case",
            "village",
            "agency",
            "agency_name",
            "referred_on",
            "contact",
            "request",
            "status",
            "answered_on",
            "closed_on",
            "result",
            "follow_up_on",
        ]


class ProtectionMeasuresResource(ConfidentialResource):
    """The export of warning letters and protection orders: for those who may not see the
    domestic-violence cases, only each one's case number, village, kind and decision."""

    confidential_joins = ("case",)
    case = fields.Field(attribute="case__number", column_name="纠纷编号")

    class Meta:
        model = ProtectionMeasure
        fields = [
            "case",
            "village",
            "kind",
            "issued_on",
            "issued_by",
            "applied_on",
            "court",
            "decision",
            "decided_on",
            "valid_until",
            "note",
        ]
