"""Health rosters: the HPV roster (doses and reasons not vaccinated) and screening lists.

Rows name the woman or girl by ID number; she must be on the people roster of one of the
user's villages. Every row is checked as the services would check it before anything is
written, and the writes go through the services.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.importing import (
    CellError,
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    NameWidget,
    Plan,
    SourceRow,
    TextWidget,
    among,
)
from federation.resources import PersonRosterResource, chunked
from health.models import HPVDeferral, HPVDose, Screening
from health.services import health_record_save

VACCINE_SYNONYMS = {
    "国产二价": HPVDose.Vaccine.DOMESTIC_BIVALENT,
    "二价(国产)": HPVDose.Vaccine.DOMESTIC_BIVALENT,
    "馨可宁": HPVDose.Vaccine.DOMESTIC_BIVALENT,
    "沃泽惠": HPVDose.Vaccine.DOMESTIC_BIVALENT,
    "进口二价": HPVDose.Vaccine.IMPORTED_BIVALENT,
    "二价(进口)": HPVDose.Vaccine.IMPORTED_BIVALENT,
    "四价": HPVDose.Vaccine.QUADRIVALENT,
    "九价": HPVDose.Vaccine.NONAVALENT,
}
REASON_SYNONYMS = {
    "感冒吃药等身体原因": HPVDeferral.Reason.ILLNESS,
    "感冒": HPVDeferral.Reason.ILLNESS,
    "感冒吃药": HPVDeferral.Reason.ILLNESS,
    "生病": HPVDeferral.Reason.ILLNESS,
    "吃药": HPVDeferral.Reason.ILLNESS,
    "身体原因": HPVDeferral.Reason.ILLNESS,
    "监护人拒绝": HPVDeferral.Reason.GUARDIAN_REFUSED,
    "家长拒绝": HPVDeferral.Reason.GUARDIAN_REFUSED,
    "已在外地接种": HPVDeferral.Reason.ELSEWHERE,
    "外地接种": HPVDeferral.Reason.ELSEWHERE,
    "外出/迁出": HPVDeferral.Reason.AWAY,
    "外出": HPVDeferral.Reason.AWAY,
    "迁出": HPVDeferral.Reason.AWAY,
    "禁忌症": HPVDeferral.Reason.CONTRAINDICATION,
    "其他": HPVDeferral.Reason.OTHER,
}
RESULT_SYNONYMS = {
    "未见异常": Screening.Result.NORMAL,
    "正常": Screening.Result.NORMAL,
    "阴性": Screening.Result.NORMAL,
    "异常需复查": Screening.Result.ABNORMAL,
    "异常": Screening.Result.ABNORMAL,
    "疑似": Screening.Result.SUSPECTED,
    "确诊": Screening.Result.CONFIRMED,
}
KIND_SYNONYMS = {
    "宫颈癌": Screening.Kind.CERVICAL,
    "宫颈": Screening.Kind.CERVICAL,
    "乳腺癌": Screening.Kind.BREAST,
    "乳腺": Screening.Kind.BREAST,
    "两癌": Screening.Kind.BOTH,
    "宫颈癌和乳腺癌": Screening.Kind.BOTH,
}
YES_NO = [("yes", "是"), ("no", "否")]
YES_NO_SYNONYMS = {"免费": "yes", "y": "yes", "1": "yes", "自费": "no", "n": "no", "0": "no"}


class DoseWidget(TextWidget):
    """1, 1.0 (a number cell), 第2剂, 第二剂, 二."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text is None:
            return None
        match = re.fullmatch(r"第?\s*([123一二三])\s*(?:剂|针)?(?:次)?", text)
        if not match:
            raise CellError(_("“%(value)s” is not a dose; write 1, 2 or 3.") % {"value": value})
        return "123一二三".index(match.group(1)) % 3 + 1


class HealthRosterResource(PersonRosterResource):
    """Rows of women and girls on the people roster of the user's villages (the records'
    own check refuses a man, on the ID number's column)."""


class HPVRosterResource(HealthRosterResource):
    import_name = "hpv_roster"
    import_title = gettext_lazy("HPV roster")

    dose_number = Column(
        "dose_number",
        "剂次",
        DoseWidget(),
        aliases=["第几剂", "接种剂次"],
    )
    date = Column("date", "接种日期", ExcelDateWidget(), aliases=["接种时间"])
    vaccine = Column(
        "vaccine", "疫苗", ChoiceWidget(HPVDose.Vaccine.choices, VACCINE_SYNONYMS), aliases=["疫苗种类", "疫苗类型"]
    )
    site = Column("site", "接种单位", TextWidget(max_length=100), aliases=["接种地点", "接种点"])
    consent_by = Column(
        "consent_by", "知情同意监护人", NameWidget(squeeze=True, max_length=50), aliases=["监护人", "同意人"]
    )
    consent_on = Column("consent_on", "同意日期", ExcelDateWidget(), aliases=["知情同意日期", "签字日期"])
    reason = Column("reason", "未接种原因", ChoiceWidget(HPVDeferral.Reason.choices, REASON_SYNONYMS), aliases=["原因"])
    recorded_on = Column("recorded_on", "登记日期", ExcelDateWidget(), aliases=["询问日期"])
    ask_again_on = Column(
        "ask_again_on", "再次询问日期", ExcelDateWidget(ahead=731), aliases=["下次询问日期", "再询问日期"]
    )

    class Meta:
        model = HPVDose
        fields = [
            "id_number",
            "name",
            "dose_number",
            "date",
            "vaccine",
            "site",
            "consent_by",
            "consent_on",
            "reason",
            "recorded_on",
            "ask_again_on",
        ]

    @classmethod
    def template_example(cls, village):
        return {
            "name": "张小花",
            "dose_number": 1,
            "date": "2024-05-10",
            "vaccine": HPVDose.Vaccine.DOMESTIC_BIVALENT,
            "site": "镇卫生院",
            "consent_by": "张大山",
            "consent_on": "2024-05-06",
        }

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people = self.people(rows)
        existing, held = {}, set()  # person → {dose number: dose}; (person, reason, date) held
        for chunk in chunked([p.pk for p in people.values()]):
            for dose in HPVDose.objects.filter(among("person_id", chunk)):
                existing.setdefault(dose.person_id, {})[dose.dose_number] = dose
            held.update(
                HPVDeferral.objects.filter(among("person_id", chunk)).values_list("person_id", "reason", "recorded_on")
            )
        doses, deferrals = [], []
        for row in rows:
            if row.failed:
                continue
            person = self.person_for(row, people)
            if person is None:
                continue
            values = row.values
            if "reason" in values and "dose_number" not in values:
                key = (person.pk, values["reason"], values.get("recorded_on"))
                if key in held:  # asked and recorded already: the same file imported again
                    plan.unchanged += 1
                    plan.add_sample(row, _("unchanged"))
                    continue
                held.add(key)
                deferral = HPVDeferral(
                    person=person,
                    reason=values["reason"],
                    recorded_on=values.get("recorded_on"),
                    ask_again_on=values.get("ask_again_on"),
                )
                deferrals.append((row, deferral))
                plan.new += 1
                plan.add_sample(row, _("new"))
                continue
            number = values.get("dose_number")
            stored = existing.get(person.pk, {}).get(number)
            if stored is not None:
                if stored.date == values.get("date") and stored.vaccine == values.get("vaccine"):
                    plan.unchanged += 1
                    plan.add_sample(row, _("unchanged"))
                else:
                    self.error(
                        row,
                        "dose_number",
                        _("Dose %(n)s is already recorded on %(date)s.") % {"n": number, "date": stored.date},
                    )
                continue
            dose = HPVDose(person=person, dose_number=number, **self.values_of(values, DOSE_FIELDS))
            doses.append((row, dose))
            plan.new += 1
            plan.add_sample(row, _("new"))
        # Dose 1 before dose 2, whatever the file's order: the model checks the order
        # against what is saved.
        doses.sort(key=lambda pair: (pair[1].dose_number or 0, pair[0].number))
        plan.after = [self.save_through(health_record_save, [*doses, *deferrals], "dose_number")]
        return plan

    @staticmethod
    def values_of(values: dict, names: tuple[str, ...]) -> dict:
        """The row's values for a model's fields; a blank text cell is the empty string."""
        return {name: values.get(name, None if name.endswith(("_on", "date")) else "") for name in names}


DOSE_FIELDS = ("date", "vaccine", "site", "consent_by", "consent_on")


class ScreeningsResource(HealthRosterResource):
    import_name = "screenings"
    import_title = gettext_lazy("Screening list")

    date = Column("date", "筛查日期", ExcelDateWidget(), required=True, aliases=["检查日期", "日期"])
    kind = Column("kind", "筛查项目", ChoiceWidget(Screening.Kind.choices, KIND_SYNONYMS), aliases=["项目", "筛查类型"])
    institution = Column(
        "institution", "筛查机构", TextWidget(max_length=100), required=True, aliases=["机构", "医院", "检查机构"]
    )
    free_programme = Column("free_programme", "是否免费", ChoiceWidget(YES_NO, YES_NO_SYNONYMS), aliases=["免费"])
    consent_by = Column("consent_by", "知情同意人", NameWidget(squeeze=True, max_length=50), aliases=["同意人"])
    consent_on = Column("consent_on", "同意日期", ExcelDateWidget(), aliases=["知情同意日期"])
    result = Column("result", "筛查结果", ChoiceWidget(Screening.Result.choices, RESULT_SYNONYMS), aliases=["结果"])
    recheck_date = Column("recheck_date", "复查日期", ExcelDateWidget(ahead=731))
    recheck_outcome = Column("recheck_outcome", "复查结果", ChoiceWidget(Screening.Result.choices, RESULT_SYNONYMS))

    class Meta:
        model = Screening
        fields = [
            "id_number",
            "name",
            "date",
            "kind",
            "institution",
            "free_programme",
            "consent_by",
            "consent_on",
            "result",
            "recheck_date",
            "recheck_outcome",
        ]

    @classmethod
    def template_example(cls, village):
        return {
            "name": "李秀英",
            "date": "2024-04-18",
            "kind": Screening.Kind.BOTH,
            "institution": "县妇幼保健院",
            "free_programme": "yes",
            "consent_by": "李秀英",
            "consent_on": "2024-04-18",
            "result": Screening.Result.NORMAL,
        }

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people = self.people(rows)
        stored = set()
        for chunk in chunked([p.pk for p in people.values()]):
            stored.update(Screening.objects.filter(among("person_id", chunk)).values_list("person_id", "date", "kind"))
        screenings, seen = [], set()
        for row in rows:
            if row.failed:
                continue
            person = self.person_for(row, people)
            if person is None:
                continue
            values = row.values
            kind = values.get("kind", Screening.Kind.BOTH)
            key = (person.pk, values["date"], kind)
            if key in stored:
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
                continue
            if key in seen:
                self.error(row, "date", _("This screening is on the file twice."))
                continue
            seen.add(key)
            screening = Screening(
                person=person,
                date=values["date"],
                kind=kind,
                institution=values["institution"],
                free_programme=values.get("free_programme", "yes") == "yes",
                consent_by=values.get("consent_by", ""),
                consent_on=values.get("consent_on"),
                result=values.get("result", ""),
                recheck_date=values.get("recheck_date"),
                recheck_outcome=values.get("recheck_outcome", ""),
            )
            screenings.append((row, screening))
            plan.new += 1
            plan.add_sample(row, _("new"))
        plan.after = [self.save_through(health_record_save, screenings, "result")]
        return plan
