"""The 巾帼建功 rosters: the register of craftswomen (巧手妇女名册) and their sales (销售台账).
Rows name a woman on the people roster of the user's villages by ID number; the writes go
through the services, whose answers are the rows' errors."""

from collections import Counter
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crafts.models import CHANNEL_SYNONYMS, CRAFT_SYNONYMS, CraftSale, Craftswoman
from crafts.services import craft_sale_record, craftswoman_register, craftswoman_update
from federation.core.importing import (
    CellError,
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    Plan,
    SourceRow,
    TextWidget,
    VillageWidget,
    among,
)
from federation.resources import VILLAGE_ALIASES, PersonRosterResource, chunked


class AmountWidget(TextWidget):
    """Yuan: 120, 120.50, 1,200, ￥120, 120元. A negative amount is the model's to refuse."""

    def __init__(self, **kwargs):
        super().__init__(squeeze=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text is None:
            return None
        text = text.replace(",", "").replace("，", "").strip("¥￥元")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise CellError(_("“%(value)s” is not an amount in yuan; write it like 120 or 120.50.") % {"value": value})
        return amount


class CountWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text is None:
            return None
        try:
            return int(text.removesuffix("件"))
        except ValueError:
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": value}) from None


DETAILS = ("craft", "workshop", "joined_on", "note")


def save_craftswoman(*, record, by) -> Craftswoman:
    if record.pk is None:
        return craftswoman_register(craftswoman=record, by=by)
    return craftswoman_update(craftswoman=record, by=by)


class CraftswomenResource(PersonRosterResource):
    import_name = "craftswomen"
    import_title = gettext_lazy("Craftswomen roster")

    village = Column("village", "村(社区)", VillageWidget(), aliases=VILLAGE_ALIASES)
    craft = Column(
        "craft",
        "手艺",
        ChoiceWidget(Craftswoman.Craft.choices, CRAFT_SYNONYMS),
        aliases=["手工技艺", "技艺", "工艺", "手艺类别"],
    )
    workshop = Column(
        "workshop",
        "合作社/工坊",
        TextWidget(max_length=100),
        aliases=["合作社", "工坊", "合作社(工坊)", "所属合作社", "合作社或工坊", "所在工坊"],
    )
    joined_on = Column("joined_on", "加入日期", ExcelDateWidget(since=1900), aliases=["登记日期", "入册日期"])
    note = Column("note", "备注", TextWidget())

    class Meta:
        model = Craftswoman
        fields = ["name", "id_number", "village", "craft", "workshop", "joined_on", "note"]

    @classmethod
    def template_example(cls, village):
        return {
            "name": "李秀英",
            "village": village,
            "craft": Craftswoman.Craft.WEAVING,
            "workshop": "巧手编织合作社",
            "joined_on": "2024-03-01",
        }

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people, existing = self.people(rows), {}
        for chunk in chunked([person.pk for person in people.values()]):
            existing.update({entry.person_id: entry for entry in Craftswoman.objects.filter(among("person_id", chunk))})
        saves = []
        for row, _idn in self.keyed_rows(rows, "id_number"):
            person = self.person_for(row, people)
            if person is None:
                continue
            village = row.values.get("village")
            if village is not None and village.pk != person.village_id:
                self.error(
                    row,
                    "village",
                    _("The people roster has %(name)s in %(village)s.")
                    % {"name": person.name, "village": person.village.name},
                )
                continue
            details = {key: row.values[key] for key in DETAILS if key in row.values}
            entry = existing.get(person.pk)
            if entry is None:
                # A blank 加入日期 of a new entry is the model's to refuse, on its column.
                saves.append((row, Craftswoman(person=person, **{"joined_on": None, **details})))
                plan.new += 1
                plan.add_sample(row, _("new"))
            elif any(getattr(entry, key) != value for key, value in details.items()):
                for key, value in details.items():
                    setattr(entry, key, value)
                saves.append((row, entry))
                plan.updated += 1
                plan.add_sample(row, _("updated"))
            else:
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
        plan.after = [self.save_through(save_craftswoman, saves, "id_number")]
        return plan


def record_sale(*, record, by) -> CraftSale:
    return craft_sale_record(sale=record, by=by)


class CraftSalesResource(PersonRosterResource):
    import_name = "craft_sales"
    import_title = gettext_lazy("Craft sales ledger")
    field_columns = {"person": "id_number", "craftswoman": "id_number"}

    date = Column("date", "日期", ExcelDateWidget(), required=True, aliases=["销售日期", "时间"])
    channel = Column(
        "channel",
        "渠道",
        ChoiceWidget(CraftSale.Channel.choices, CHANNEL_SYNONYMS),
        required=True,
        aliases=["销售渠道", "销售方式"],
    )
    amount = Column(
        "amount", "金额", AmountWidget(), required=True, aliases=["金额(元)", "销售金额", "销售额", "销售额(元)"]
    )
    quantity = Column("quantity", "件数", CountWidget(), aliases=["数量", "销售件数", "件数(件)"])
    note = Column("note", "备注", TextWidget(max_length=200))

    class Meta:
        model = CraftSale
        fields = ["id_number", "name", "date", "channel", "amount", "quantity", "note"]

    @classmethod
    def template_example(cls, village):
        return {
            "name": "李秀英",
            "date": "2024-06-18",
            "channel": CraftSale.Channel.LIVESTREAM,
            "amount": "360.00",
            "quantity": 12,
        }

    def plan(self, rows: list[SourceRow]) -> Plan:
        plan = Plan()
        people = self.people(rows)
        register = {}
        for chunk in chunked([person.pk for person in people.values()]):
            register.update({entry.person_id: entry for entry in Craftswoman.objects.filter(among("person_id", chunk))})
        # A sale the ledger holds already (same woman, day, channel, amount and items) is
        # unchanged: a file imported again, or a sale entered by hand first.
        held = Counter(
            CraftSale.objects.filter(craftswoman__in=[entry.pk for entry in register.values()]).values_list(
                "craftswoman_id", "date", "channel", "amount", "quantity"
            )
        )
        saves = []
        for row in rows:
            if row.failed:
                continue
            person = self.person_for(row, people)
            if person is None:
                continue
            entry = register.get(person.pk)
            if entry is None:
                self.error(
                    row, "id_number", _("%(name)s is not on the register of craftswomen.") % {"name": person.name}
                )
                continue
            values = row.values
            quantity = values.get("quantity", 0)
            key = (entry.pk, values.get("date"), values.get("channel"), values.get("amount"), quantity)
            if held[key] > 0:
                held[key] -= 1
                plan.unchanged += 1
                plan.add_sample(row, _("unchanged"))
                continue
            sale = CraftSale(
                craftswoman=entry,
                date=values.get("date"),
                channel=values.get("channel", ""),
                amount=values.get("amount"),
                quantity=quantity,
                note=values.get("note", ""),
            )
            saves.append((row, sale))
            plan.new += 1
            plan.add_sample(row, _("new"))
        plan.after = [self.save_through(record_sale, saves, "amount")]
        return plan
