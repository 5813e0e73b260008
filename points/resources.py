"""The points roster: point entries from a sheet (户主身份证号 or 户号, 积分事项, 分值, 日期, 备注)."""

import re
import unicodedata
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.importing import (
    CellError,
    Column,
    ExcelDateWidget,
    IdNumberWidget,
    Plan,
    RosterResource,
    SourceRow,
    TextWidget,
    VillageWidget,
    among,
    normalize_header,
)
from federation.core.scoping import in_scope
from federation.models import Household
from federation.resources import HEAD_ID_ALIASES, VILLAGE_ALIASES, chunked
from points.models import PointClaim, PointEntry, PointRule
from points.services import point_award

# 10, +10, －５ (full-width, folded by NFKC), 10分, 扣5分 (a deduction), 加5分.
_POINTS = re.compile(r"^(扣|减|加|[+\-−])?(\d+)分?$")


class PointsWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text is None:
            return None
        match = _POINTS.match(unicodedata.normalize("NFKC", text).replace(" ", ""))
        if match is None:
            raise CellError(
                _("“%(value)s” is not a whole number of points; write it like 10, -5 or 扣5分.") % {"value": value}
            )
        sign, number = match.groups()
        return -int(number) if sign in ("扣", "减", "-", "−") else int(number)


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
        """Each row is a line awarded through point_award, which holds the ledger's rules (a
        balance never below zero, a rule in use of the household's town); a line the ledger
        holds already is unchanged."""
        rules = self._rules()
        by_head, by_number = self._households(rows)
        fallback = self.only_village()
        found = []
        for row in rows:
            if not row.failed:
                line = self._line(row, rules, by_head, by_number, fallback)
                if line is not None:
                    found.append((row, line))
        plan = Plan()
        held = self._held(found)
        planned = []
        for row, line in found:
            household, rule, day, _note = line
            key = (household.pk, rule.pk, day, rule.points)
            if held[key] > 0:
                held[key] -= 1
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
                continue
            planned.append((row, line))
            plan.new += 1
            plan.add_sample(row, _("new"))
        plan.after = [self.save_through(self._award, planned, "points", with_reason=True)]
        return plan

    def _rules(self) -> dict[str, PointRule]:
        """The rules in use of the user's towns, by their description as a header is compared."""
        towns = {village.town_id for village in self.villages.scoped}
        return {
            normalize_header(rule.description): rule
            for rule in PointRule.objects.filter(town_id__in=towns, active=True)
        }

    def _households(self, rows: list[SourceRow]) -> tuple[dict, dict]:
        """The households of the user's villages the rows name: by their head's ID number, and
        by (village, household number)."""
        households = in_scope(Household.objects.select_related("head", "village"), self.scope)
        heads = [row.values["head_id_number"].number for row in rows if "head_id_number" in row.values]
        by_head = {}
        for chunk in chunked(heads):
            by_head.update({h.head.id_number: h for h in households.filter(among("head__id_number", chunk))})
        numbers = [row.values["number"] for row in rows if "number" in row.values]
        by_number = {}
        for chunk in chunked(numbers):
            by_number.update({(h.village_id, h.number): h for h in households.filter(among("number", chunk))})
        return by_head, by_number

    def _line(self, row: SourceRow, rules: dict, by_head: dict, by_number: dict, fallback):
        """The row's (household, rule, day, note), or None with the row's error reported."""
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
            return None
        rule = rules.get(normalize_header(values["rule"]))
        if rule is None:
            self.error(
                row, "rule", _("“%(rule)s” is not one of the town's point rules in use.") % {"rule": values["rule"]}
            )
            return None
        if "points" in values and values["points"] != rule.points:
            # The file's own check: the service awards the rule's points whatever a cell says.
            self.error(row, "points", _("The rule gives %(points)+d points.") % {"points": rule.points})
            return None
        return household, rule, values["date"], values.get("note", "")

    @staticmethod
    def _held(found: list) -> Counter:
        """The lines the ledger holds already (same household, rule, date and points, not
        reversed), and the claims of them waiting for review: a file imported again, or a line
        entered by hand first."""
        households = {household.pk for _row, (household, *_rest) in found}
        lines = PointEntry.objects.filter(
            household__in=households,
            kind__in=(PointEntry.Kind.AWARD, PointEntry.Kind.DEDUCTION),
            reversed_by__isnull=True,
        )
        waiting = PointClaim.objects.filter(household__in=households, status=PointClaim.Status.PENDING)
        key = ("household_id", "rule_id", "date", "points")
        return Counter(lines.values_list(*key)) + Counter(waiting.values_list(*key))

    @staticmethod
    def _award(*, record, by, reason) -> None:
        # The service holds the rules (a balance never below zero, the rule's town).
        household, rule, day, note = record
        point_award(household=household, rule=rule, day=day, by=by, note=note or reason)
