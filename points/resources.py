"""The points roster: point entries from a sheet (户主身份证号 or 户号, 积分事项, 分值, 日期, 备注)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.importing import (
    CellError,
    Column,
    ExcelDateWidget,
    IdNumberWidget,
    Plan,
    RosterResource,
    SourceRow,
    TextWidget,
    VillageWidget,
    normalize_header,
)
from federation.models import Household
from federation.resources import HEAD_ID_ALIASES, VILLAGE_ALIASES, chunked
from federation.scoping import in_scope
from points.models import PointEntry, PointRule


class PointsWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text is None:
            return None
        try:
            return int(text.replace("+", ""))
        except ValueError:
            raise CellError(_("“%(value)s” is not a whole number of points.") % {"value": value}) from None


class PointEntriesResource(RosterResource):
    import_name = "point_entries"
    import_title = gettext_lazy("Point entries")

    head_id_number = Column("head_id_number", "户主身份证号", IdNumberWidget(), aliases=HEAD_ID_ALIASES)
    number = Column("number", "户号", TextWidget(squeeze=True), aliases=["户编号"])
    village = Column("village", "村(社区)", VillageWidget(), aliases=VILLAGE_ALIASES)
    rule = Column("rule", "积分事项", TextWidget(), required=True, aliases=["积分项目", "事项", "积分内容"])
    points = Column("points", "分值", PointsWidget(), aliases=["积分", "分数", "得分"])
    date = Column("date", "日期", ExcelDateWidget(), required=True, aliases=["登记日期", "时间"])
    note = Column("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = PointEntry
        fields = ["head_id_number", "number", "village", "rule", "points", "date", "note"]

    @classmethod
    def template_example(cls, village):
        return {"number": "00001", "village": village, "rule": "庭院干净整洁", "points": 10, "date": "2024-03-01"}

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        towns = {village.town_id for village in self.village_lookup().values()}
        rules = {
            normalize_header(rule.description): rule
            for rule in PointRule.objects.filter(town_id__in=towns, active=True)
        }
        households = in_scope(Household.objects.select_related("head"), self.scope)
        heads = [row.values["head_id_number"].number for row in rows if "head_id_number" in row.values]
        by_head = {}
        for chunk in chunked(heads):
            by_head.update({h.head.id_number: h for h in households.filter(head__id_number__in=chunk)})
        numbers = [row.values["number"] for row in rows if "number" in row.values]
        by_number = {}
        for chunk in chunked(numbers):
            by_number.update({(h.village_id, h.number): h for h in households.filter(number__in=chunk)})
        fallback = self.only_village()
        balances, planned = {}, []
        for row in rows:
            if row.failed or not self.require(row, "rule", "date"):
                continue
            values = row.values
            household = None
            if "head_id_number" in values:
                household = by_head.get(values["head_id_number"].number)
            elif "number" in values:
                village = values.get("village") or fallback
                household = by_number.get((village.pk, values["number"])) if village else None
            if household is None:
                self.error(
                    row,
                    "head_id_number" if "head_id_number" in values else "number",
                    _(
                        "No such household in your villages: give the head's ID number, "
                        "or the village and household number."
                    ),
                )
                continue
            rule = rules.get(normalize_header(values["rule"]))
            if rule is None:
                self.error(
                    row, "rule", _("“%(rule)s” is not one of the town's point rules in use.") % {"rule": values["rule"]}
                )
                continue
            if "points" in values and values["points"] != rule.points:
                self.error(row, "points", _("The rule gives %(points)+d points.") % {"points": rule.points})
                continue
            balance = balances.get(household.pk, household.points_balance) + rule.points
            if balance < 0:
                self.error(
                    row,
                    "points",
                    _("The deduction would leave the household below zero (balance %(balance)d).")
                    % {"balance": balance - rule.points},
                )
                continue
            balances[household.pk] = balance
            planned.append((household, rule, values["date"], values.get("note", "")))
            plan.new += 1
            plan.add_sample(row, _("new"))
        plan.after = [lambda user, reason: self._award(planned, user, reason)]
        return plan

    @staticmethod
    def _award(planned, user, reason) -> None:
        from points.services import point_award

        for household, rule, day, note in planned:
            point_award(household=household, rule=rule, day=day, by=user, note=note or reason)
