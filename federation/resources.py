"""The federation's rosters: people (人员花名册) and households (家庭花名册)."""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.identity import check_character, mask_id_number
from federation.core.importing import (
    SAMPLE_ROWS,
    ChoiceWidget,
    Column,
    ExcelDateWidget,
    IdNumberWidget,
    NameWidget,
    PhoneWidget,
    Plan,
    RosterResource,
    Row,
    SourceRow,
    TextWidget,
    VillageWidget,
    among,
    insert_history,
    update_rows,
)
from federation.core.models import Village
from federation.core.scoping import in_scope
from federation.models import Household, Person, person_household_check, person_identity

ID_ALIASES = [
    "公民身份号码",
    "公民身份证号码",
    "公民身份证号",
    "身份证号",
    "身份证号码",
    "身份证",
    "证件号码",
    "证件号",
    "居民身份证号码",
    "身份证号码(18位)",
]
VILLAGE_ALIASES = [
    "村",
    "所属村",
    "所在村",
    "所在村(社区)",
    "村居",
    "所属村(社区)",
    "村(居)",
    "村名",
    "社区",
    "村(社区)名称",
    "行政村",
]
HEAD_ID_ALIASES = ["户主身份证号码", "户主身份证", "户主公民身份号码", "户主公民身份证号码"]
GROUP_ALIASES = ["组", "村民组", "组别", "小组", "所在组", "社"]
# What households write in 与户主关系, by relation; the standard's own names (GB/T 4761) are
# here too, so a file reads the same whatever language the labels are shown in.
RELATION_SYNONYMS = {
    word: relation
    for relation, words in {
        Person.Relation.SELF: "户主 本人 本人(户主) 户主本人",
        Person.Relation.SPOUSE: "配偶 夫 妻 丈夫 妻子 爱人 老公 老婆",
        Person.Relation.SON: "子 儿子 独生子 长子 次子 二子 三子 四子 五子 养子 继子",
        Person.Relation.SON_IN_LAW: "女婿 上门女婿",
        Person.Relation.DAUGHTER: "女 女儿 独生女 长女 次女 二女 三女 四女 五女 养女 继女",
        Person.Relation.DAUGHTER_IN_LAW: "儿媳 儿媳妇 媳妇",
        Person.Relation.GRANDSON: "孙子 孙",
        Person.Relation.GRANDDAUGHTER: "孙女",
        Person.Relation.DAUGHTERS_SON: "外孙子 外孙",
        Person.Relation.DAUGHTERS_DAUGHTER: "外孙女",
        Person.Relation.PARENT: "父母",
        Person.Relation.FATHER: "父亲 父 爸爸 继父 养父",
        Person.Relation.MOTHER: "母亲 母 妈妈 继母 养母",
        Person.Relation.HUSBANDS_FATHER: "公公",
        Person.Relation.HUSBANDS_MOTHER: "婆婆",
        Person.Relation.WIFES_FATHER: "岳父 丈人",
        Person.Relation.WIFES_MOTHER: "岳母 丈母娘",
        Person.Relation.GRANDPARENT: "祖父母 外祖父母 祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆 姥爷 姥姥",
        Person.Relation.BROTHER: "兄弟 兄 弟 哥哥 弟弟",
        Person.Relation.SISTER: "姐妹 姐 妹 姐姐 妹妹",
        Person.Relation.NEPHEW: "侄子 侄儿",
        Person.Relation.NIECE: "侄女",
        Person.Relation.OTHER: "其他 其他亲属 亲属 外甥 外甥女 嫂子 嫂 弟媳 姐夫 妹夫 孙媳妇 曾孙 曾孙女",
        Person.Relation.NON_RELATIVE: "非亲属 保姆 其他非亲属",
    }.items()
    for word in words.split()
}
STATUS_SYNONYMS = {
    "正常": Person.Status.RESIDENT,
    "在家": Person.Status.RESIDENT,
    "已迁出": Person.Status.MOVED_OUT,
    "去世": Person.Status.DECEASED,
    "已故": Person.Status.DECEASED,
    "已死亡": Person.Status.DECEASED,
}
CHUNK = 5000
# The outcome of a row, translated only for the few the preview shows.
NEW, UPDATED, UNCHANGED = gettext_lazy("new"), gettext_lazy("updated"), gettext_lazy("unchanged")


def REGISTERED_ELSEWHERE() -> str:  # noqa: N802 - a message, translated when shown
    return _(
        "This ID number is registered in a village you do not manage. If she or he has moved to your "
        "village, ask the federation of that village to mark the person as moved out, then import "
        "again; otherwise delete this row."
    )


def chunked(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def tally(plan: Plan, outcomes: dict, row: SourceRow, outcome) -> None:
    """Count a row's outcome (NEW, UPDATED, UNCHANGED) and keep it for the preview's sample."""
    outcomes[row.number] = (row, outcome)
    if outcome is NEW:
        plan.new += 1
    elif outcome is UPDATED:
        plan.updated += 1
    else:
        plan.unchanged += 1


def add_samples(plan: Plan, outcomes: dict) -> None:
    """The preview's sample: the first rows of the file, whatever order they were planned in."""
    for number in sorted(outcomes)[:SAMPLE_ROWS]:
        plan.add_sample(*outcomes[number])


class HouseholdNumbers:
    """Household numbers per village: which are taken, and the next free one."""

    def __init__(self, *, lock: bool = False):
        self.taken: dict[int, set[str]] = {}
        self.counter: dict[int, tuple[int, int]] = {}  # village -> (last number, width)
        self.lock = lock

    def load(self, village_id: int) -> set[str]:
        if village_id not in self.taken:
            if self.lock:
                # Two imports numbering new households in one village at once would both
                # take the next free number: the second waits here until the first commits.
                list(Village.objects.select_for_update().filter(pk=village_id).values_list("pk"))
            taken = set(Household.objects.filter(village_id=village_id).values_list("number", flat=True))
            numeric = [n for n in taken if re.fullmatch(r"\d+", n)]
            self.taken[village_id] = taken
            self.counter[village_id] = (
                max((int(n) for n in numeric), default=0),
                max((len(n) for n in numeric), default=5),
            )
        return self.taken[village_id]

    def claim(self, village_id: int, number: str) -> bool:
        taken = self.load(village_id)
        if number in taken:
            return False
        taken.add(number)
        return True

    def next(self, village_id: int) -> str:
        taken = self.load(village_id)
        last, width = self.counter[village_id]
        while True:
            last += 1
            number = f"{last:0{width}d}"
            if number not in taken:
                break
        self.counter[village_id] = (last, width)
        taken.add(number)
        return number


class PeopleResource(RosterResource):
    import_name = "people"
    import_title = gettext_lazy("People roster")
    blank_keeps = frozenset({"name", "village"})

    name = Column("name", "姓名", NameWidget(squeeze=True, max_length=50), required=True, aliases=["名字"])
    id_number = Column("id_number", "公民身份号码", IdNumberWidget(), required=True, aliases=ID_ALIASES)
    sex = Column("sex", "性别", ChoiceWidget(Person.Sex.choices))
    birth_date = Column(
        "birth_date", "出生日期", ExcelDateWidget(month=True), aliases=["出生年月", "出生年月日", "生日"]
    )
    phone = Column(
        "phone",
        "联系电话",
        PhoneWidget(),
        aliases=[
            "电话",
            "手机号",
            "手机",
            "联系方式",
            "手机号码",
            "电话号码",
            "联系电话(手机)",
            "联系电话(手机号)",
            "联系手机",
        ],
    )
    village = Column("village", "村(社区)", VillageWidget(), required=True, aliases=VILLAGE_ALIASES)
    group = Column("household__group", "村民小组", TextWidget(max_length=20), aliases=GROUP_ALIASES)
    head_id_number = Column("head_id_number", "户主身份证号", IdNumberWidget(), aliases=HEAD_ID_ALIASES)
    relation_to_head = Column(
        "relation_to_head", "与户主关系", ChoiceWidget(Person.Relation.choices, RELATION_SYNONYMS), aliases=["关系"]
    )
    status = Column("status", "状态", ChoiceWidget(Person.Status.choices, STATUS_SYNONYMS), aliases=["人员状态"])

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "village",
            "group",
            "head_id_number",
            "relation_to_head",
            "status",
        ]

    @classmethod
    def template_example(cls, village):
        first17 = "62122819850315002"
        number = first17 + check_character(first17)
        return {
            "name": "张秀英",
            "id_number": number,
            "sex": "女",
            "birth_date": "1985-03-15",
            "phone": "13800000000",
            "village": village,
            "household__group": "1组",
            "head_id_number": number,
            "relation_to_head": Person.Relation.SELF,
            "status": Person.Status.RESIDENT,
        }

    export_from_values = True  # its dehydrate methods read what filter_export annotates

    def filter_export(self, queryset, **kwargs):
        # The household's group and its head's ID number come in the export's one query,
        # rather than as two more model instances (household, head) for every person.
        return (
            super()
            .filter_export(queryset, **kwargs)
            .annotate(export_group=F("household__group"), export_head_id_number=F("household__head__id_number"))
        )

    def dehydrate_head_id_number(self, person):
        number = person.export_head_id_number
        if not number:
            return ""
        return number if self.full_identity else mask_id_number(number)

    def dehydrate_group(self, person):
        return person.export_group or ""

    def optional_when_known(self, attribute):
        return attribute == "village" and self.only_village() is not None

    def plan(self, rows: list[SourceRow]) -> Plan:
        """Each row is a new person or changes a known one; the rules a person's record holds
        are federation.models' (person_identity, person_household_check), asked of each row
        here because the bulk writer skips full_clean()."""
        heads = self._heads_in_file(rows)
        keyed = self._unique_rows(rows)
        planning = self._look_up(keyed, heads)
        # Heads first, so that their members can join the households they lead.
        for row, idn in sorted(keyed, key=lambda item: item[1].number not in heads):
            self._plan_row(planning, row, idn)
        return self._finish(planning, keyed)

    @staticmethod
    def _heads_in_file(rows: list[SourceRow]) -> set[str]:
        """The ID numbers of the rows that lead a household: their 户主身份证号 is their own."""
        return {
            row.values["id_number"].number
            for row in rows
            if "id_number" in row.values
            and getattr(row.values.get("head_id_number"), "number", None) == row.values["id_number"].number
        }

    def _unique_rows(self, rows):
        """Rows keyed by a valid ID number whose sex and birth date, where written, are its own."""
        unique = []
        for row, idn in self.keyed_rows(rows, "id_number"):
            try:
                person_identity(idn, sex=row.values.get("sex"), birth_date=row.values.get("birth_date"))
            except ValidationError as error:
                self.validation_error(row, error)
                continue
            unique.append((row, idn))
        return unique

    def _look_up(self, keyed, heads_in_file: set[str]) -> "PeoplePlanning":
        """The people the rows name who are registered already, and the households their heads lead."""
        referenced = {
            row.values["head_id_number"].number
            for row, _idn in keyed
            if "head_id_number" in row.values and row.values["head_id_number"].number not in heads_in_file
        }
        return PeoplePlanning(
            known=self._known_people([idn.number for _row, idn in keyed]),
            led=self._households_by_head(list(referenced | heads_in_file)),
            heads_in_file=heads_in_file,
            numbers=HouseholdNumbers(lock=self.writing),
            fallback=self.only_village(),
            everywhere=self.scope.everything,
            in_scope=self.scoped_village_ids(),
        )

    def _plan_row(self, planning: "PeoplePlanning", row: SourceRow, idn) -> None:
        """A new person or what the row changes of a known one, or the row's error."""
        person = planning.known.get(idn.number)
        if person is not None and not planning.keeps(person.village_id):
            self.error(row, "id_number", REGISTERED_ELSEWHERE())
            return
        village_id = self._village_id(planning, row, person)
        if village_id is None:
            return
        placed = self._household(planning, row, idn, village_id)
        if placed is None:
            return
        household, relation = placed
        if person is None:
            self._plan_new(planning, row, idn, village_id, household, relation)
        else:
            self._plan_known(planning, row, person, village_id, household, relation)

    def _village_id(self, planning: "PeoplePlanning", row: SourceRow, person) -> int | None:
        """The row's village: its cell, or the known person's, or the only one the user keeps."""
        village = row.values.get("village")
        village_id = village.pk if village else person.village_id if person else getattr(planning.fallback, "pk", None)
        if village_id is None:
            self.error(row, "village", _("The village is required."))
            if person is None:  # every missing cell of a new person at once
                self.require(row, "name")
        return village_id

    def _household(self, planning: "PeoplePlanning", row: SourceRow, idn, village_id: int):
        """The household the row's person joins (None: she keeps hers) and her relation to its
        head, or None with the row's error reported."""
        relation = row.values.get("relation_to_head")
        head = row.values.get("head_id_number")
        if head is None:
            return None, relation
        if head.number == idn.number:
            # The head is 本人 to the household she leads, as household_save makes her.
            household, relation = self._led_household(planning, row, idn, village_id), Person.Relation.SELF
        else:
            household = self._heads_household(planning, row, head, relation)
            if household is None:
                return None
        try:
            person_household_check(person_village_id=village_id, household_village_id=household.village_id)
        except ValidationError:
            # The roster names the household by its head: so does its error.
            self.error(row, "head_id_number", _("The head of household lives in another village."))
            return None
        return household, relation

    @staticmethod
    def _led_household(planning: "PeoplePlanning", row: SourceRow, idn, village_id: int):
        """The household the row's person leads: hers, or a new one when she leads none in this
        village; the row's group is its group."""
        household = planning.led.get(idn.number)
        if household is None or household.village_id != village_id:
            household = Row(village_id=village_id, number=planning.numbers.next(village_id), group="", head_id=None)
            planning.new_households.append(household)
        planning.planned[idn.number] = household
        group = row.values.get("household__group")
        if group and household.group != group:
            if household.pk:
                planning.group_changes[household.pk] = group
            else:
                household["group"] = group
        return household

    def _heads_household(self, planning: "PeoplePlanning", row: SourceRow, head, relation):
        """The household of the row's head, someone else, or None with the row's error reported
        (or left to the head's own row, when that has one)."""
        if relation == Person.Relation.SELF:
            # The file contradicts itself: the model knows no 户主身份证号 to hold it against.
            self.error(
                row,
                "relation_to_head",
                _("The relation is 本人 (head), but the head's ID number is another's."),
            )
            return None
        if head.number in planning.heads_in_file and head.number not in planning.planned:
            return None  # the head's own row has an error, reported there
        household = planning.planned.get(head.number) or planning.led.get(head.number)
        if household is None or not planning.keeps(household.village_id):
            self.error(
                row,
                "head_id_number",
                _(
                    "No head of household with this ID number was found; register the head first "
                    "or add the head's row to this file."
                ),
            )
            return None
        return household

    def _plan_new(self, planning: "PeoplePlanning", row: SourceRow, idn, village_id, household, relation) -> None:
        """A new person of the row, in the household planned for her."""
        values = row.values
        if "name" not in values:
            self.require(row, "name")
            return
        new = Row(
            name=values["name"],
            **person_identity(idn),
            id_upgraded=idn.upgraded,
            phone=values.get("phone", ""),
            village_id=village_id,
            household_id=household if isinstance(household, Row) else getattr(household, "pk", None),
            relation_to_head=relation or "",
            status=values.get("status", Person.Status.RESIDENT),
        )
        if isinstance(household, Row) and relation == Person.Relation.SELF:
            household["head_id"] = new
        planning.creates.append(new)
        tally(planning.plan, planning.outcomes, row, NEW)

    def _plan_known(self, planning: "PeoplePlanning", row: SourceRow, person, village_id, household, relation) -> None:
        """What the row changes of a known person: nothing, or only its own changed fields."""
        changed = self._changes(person, row.values, village_id, household, relation)
        if isinstance(household, Row) and relation == Person.Relation.SELF:
            household["head_id"] = person.pk
        if changed:
            planning.changes[person.pk] = changed
            tally(planning.plan, planning.outcomes, row, UPDATED)
        elif household is not None and household.pk in planning.group_changes:
            tally(planning.plan, planning.outcomes, row, UPDATED)
        else:
            tally(planning.plan, planning.outcomes, row, UNCHANGED)

    def _finish(self, planning: "PeoplePlanning", keyed) -> Plan:
        """The plan of the rows: its sample, its writes, and what runs after them."""
        plan = planning.plan
        add_samples(plan, planning.outcomes)
        plan.update(Person, self._updated_people(planning.changes))
        plan.update(Household, self._regrouped(planning.group_changes))
        new_households = planning.new_households
        plan.creates = [(Household, new_households, False), (Person, planning.creates, True)]
        plan.after = [lambda user, reason: self._link_heads(new_households, user, reason)]
        for extension in self.extensions:  # e.g. the care register's 人员类别 (aid)
            extension.plan(self, keyed, plan)
        return plan

    def _known_people(self, numbers: list[str]) -> dict[str, "KnownPerson"]:
        """The people already registered, as light records: most rows of a re-import
        compare equal and never need a model instance."""
        found = {}
        for chunk in chunked(numbers):
            # No ordering: the list's order by village would join and sort every chunk.
            people = Person.objects.filter(among("id_number", chunk)).order_by()
            for values in people.values_list(*KnownPerson._fields):
                person = KnownPerson(*values)
                found[person.id_number] = person
        return found

    def _households_by_head(self, numbers: list[str]) -> dict[str, "KnownHousehold"]:
        found = {}
        for chunk in chunked(numbers):
            rows = (
                Household.objects.filter(among("head__id_number", chunk))
                .order_by()
                .values_list("pk", "village_id", "group", "head__id_number")
            )
            for pk, village_id, group, head_number in rows:
                found[head_number] = KnownHousehold(pk, village_id, group)
        return found

    @staticmethod
    def _changes(person: "KnownPerson", values: dict, village_id: int, household, relation) -> dict:
        changed = {}
        for attribute in ("name", "phone", "status"):
            if attribute in values and values[attribute] != getattr(person, attribute):
                changed[attribute] = values[attribute]
        if relation and relation != person.relation_to_head:
            changed["relation_to_head"] = relation
        if village_id != person.village_id:
            changed["village_id"] = village_id
        if household is not None and (isinstance(household, Row) or household.pk != person.household_id):
            changed["household"] = household
        return changed

    def _updated_people(self, changes: dict[int, dict]) -> dict[Person, list[str]]:
        """The people to update, read again and locked, each with only the fields its own
        row changes."""
        people = {}
        for chunk in chunked(list(changes)):
            for person in self.locked(Person.objects.filter(among("pk", chunk))):
                fields = []
                for attribute, value in changes[person.pk].items():
                    if attribute == "household":
                        # A Row is a household this import creates before the updates run.
                        person.household_id = value if isinstance(value, Row) else value.pk
                        fields.append("household")
                    else:
                        setattr(person, attribute, value)
                        fields.append(attribute.removesuffix("_id"))
                people[person] = fields
        return people

    def _regrouped(self, group_changes: dict[int, str]) -> dict[Household, list[str]]:
        """The households whose group the rows change, read again and locked."""
        households = {}
        for chunk in chunked(list(group_changes)):
            for household in self.locked(Household.objects.filter(among("pk", chunk))):
                household.group = group_changes[household.pk]
                households[household] = ["group"]
        return households

    @staticmethod
    def _link_heads(households: list[Row], user, reason) -> None:
        """Point each new household at its head, then write its history once, complete."""
        if not households:
            return
        update_rows(Household, households, ["head"])
        insert_history(Household, households, user=user, reason=reason, history_type="+")


class KnownPerson(NamedTuple):
    pk: int
    id_number: str
    name: str
    phone: str
    status: str
    relation_to_head: str
    village_id: int
    household_id: int | None


class KnownHousehold(NamedTuple):
    pk: int
    village_id: int
    group: str


@dataclass
class PeoplePlanning:
    """What PeopleResource.plan looks up before the rows and gathers from them."""

    known: dict[str, KnownPerson]  # the people registered already, by ID number
    led: dict[str, KnownHousehold]  # the households registered already, by their head's ID number
    heads_in_file: set[str]  # the ID numbers of the rows that lead a household
    numbers: HouseholdNumbers
    fallback: Village | None  # the village of a row without one
    everywhere: bool  # the user keeps every village
    in_scope: set[int]  # the villages the user keeps
    plan: Plan = field(default_factory=Plan)
    outcomes: dict = field(default_factory=dict)  # row number -> (row, outcome), for the sample
    planned: dict[str, object] = field(default_factory=dict)  # head's ID number -> the household they lead
    new_households: list[Row] = field(default_factory=list)
    group_changes: dict[int, str] = field(default_factory=dict)  # household -> its new group
    creates: list[Row] = field(default_factory=list)
    changes: dict[int, dict] = field(default_factory=dict)  # person -> what her row changes

    def keeps(self, village_id: int) -> bool:
        return self.everywhere or village_id in self.in_scope


class HouseholdsResource(RosterResource):
    import_name = "households"
    import_title = gettext_lazy("Household roster")

    head_id_number = Column("head_id_number", "户主身份证号", IdNumberWidget(), required=True, aliases=HEAD_ID_ALIASES)
    number = Column("number", "户号", TextWidget(squeeze=True, max_length=30), aliases=["户编号", "家庭编号"])
    village = Column("village", "村(社区)", VillageWidget(), aliases=VILLAGE_ALIASES)
    group = Column("group", "村民小组", TextWidget(max_length=20), aliases=GROUP_ALIASES)
    address = Column("address", "地址", TextWidget(max_length=200), aliases=["住址", "家庭住址", "家庭地址"])

    class Meta:
        model = Household
        fields = ["head_id_number", "number", "village", "group", "address"]

    @classmethod
    def template_example(cls, village):
        first17 = "62122819850315002"
        return {
            "head_id_number": first17 + check_character(first17),
            "number": "00001",
            "village": village,
            "group": "1组",
            "address": f"{village}1组",
        }

    export_from_values = True  # its dehydrate methods read what filter_export annotates

    def filter_export(self, queryset, **kwargs):
        # The head's ID number in the export's one query, not a head instance per household.
        return super().filter_export(queryset, **kwargs).annotate(export_head_id_number=F("head__id_number"))

    def dehydrate_head_id_number(self, household):
        number = household.export_head_id_number
        if not number:
            return ""
        return number if self.full_identity else mask_id_number(number)

    def plan(self, rows: list[SourceRow]) -> Plan:
        """Each row is a new household of a registered head, or changes the one she leads (or
        the headless one she is a member of)."""
        plan = Plan()
        keyed = [(row, head.number) for row, head in self.keyed_rows(rows, "head_id_number")]
        people = self._registered([number for _row, number in keyed])
        led = self._led(list(people))
        numbers = HouseholdNumbers(lock=self.writing)
        creates, updates, moved, outcomes = [], {}, [], {}
        for row, number in keyed:
            person = self._head(row, people.get(number))
            if person is None:
                continue
            household = led.get(number)
            if household is None and person.household_id and person.household.head_id is None:
                household = person.household  # a household without a head takes this one
            if not self._number_free(row, household, person.village_id, numbers):
                continue
            if household is None:
                household = self._new_household(row.values, person, numbers)
                creates.append(household)
                moved.append((person, household))
                tally(plan, outcomes, row, NEW)
                continue
            changed = self._change(household, row.values, person)
            if changed:
                updates[household] = changed
            tally(plan, outcomes, row, UPDATED if changed else UNCHANGED)
        add_samples(plan, outcomes)
        plan.creates = [(Household, creates, True)]
        plan.update(Household, updates)
        plan.after = [lambda user, reason: self._move_heads(moved, user, reason)]
        return plan

    @staticmethod
    def _registered(numbers: list[str]) -> dict[str, Person]:
        people = {}
        for chunk in chunked(numbers):
            for person in Person.objects.filter(among("id_number", chunk)).select_related("household", "village"):
                people[person.id_number] = person
        return people

    def _led(self, numbers: list[str]) -> dict[str, Household]:
        """The households the people lead, by their head's ID number, locked for the update."""
        led = {}
        for chunk in chunked(numbers):
            for household in self.locked(
                Household.objects.filter(among("head__id_number", chunk)).select_related("head")
            ):
                led[household.head.id_number] = household
        return led

    def _head(self, row: SourceRow, person: Person | None) -> Person | None:
        """The row's head, registered in the user's villages and in the row's village, or None
        with the row's error reported."""
        if person is None or (not self.scope.everything and person.village_id not in self.scoped_village_ids()):
            self.error(
                row,
                "head_id_number",
                _("No person with this ID number is registered in your villages; import the people roster first."),
            )
            return None
        village = row.values.get("village") or person.village
        try:
            person_household_check(person_village_id=person.village_id, household_village_id=village.pk)
        except ValidationError:
            # The row's village is the household's: the roster says where its head is.
            self.error(
                row,
                "village",
                _("The head of household is registered in %(village)s.") % {"village": person.village.name},
            )
            return None
        return person

    def _number_free(self, row: SourceRow, household, village_id: int, numbers: HouseholdNumbers) -> bool:
        """Whether the household number the row asks for is the household's or free (then
        claimed), with the row's error reported if not."""
        wanted = row.values.get("number")
        if wanted and (household is None or wanted != household.number) and not numbers.claim(village_id, wanted):
            self.error(
                row,
                "number",
                _("The household number %(number)s is already used in the village.") % {"number": wanted},
            )
            return False
        return True

    @staticmethod
    def _new_household(values: dict, person: Person, numbers: HouseholdNumbers) -> Row:
        return Row(
            village_id=person.village_id,
            number=values.get("number") or numbers.next(person.village_id),
            group=values.get("group", ""),
            address=values.get("address", ""),
            head_id=person.pk,
        )

    @staticmethod
    def _change(household: Household, values: dict, person: Person) -> list[str]:
        """Set on the household what the row changes of it; the names of the fields changed."""
        changed = []
        for attribute in ("number", "group", "address"):
            if attribute in values and values[attribute] != getattr(household, attribute):
                setattr(household, attribute, values[attribute])
                changed.append(attribute)
        if household.head_id != person.pk:
            household.head = person
            changed.append("head")
        return changed

    @staticmethod
    def _move_heads(moved, user, reason) -> None:
        """Heads of new households join them as 本人."""
        people = []
        for person, household in moved:
            person.household_id = household  # the Row, inserted by now
            person.relation_to_head = Person.Relation.SELF
            people.append(person)
        if people:
            update_rows(Person, people, ["household", "relation_to_head"])
            insert_history(Person, people, user=user, reason=reason, history_type="~")


class PersonRosterResource(RosterResource):
    """Base of rosters whose rows name someone already on the people roster, by ID number
    (and, when the file gives it, the name as a check), in the user's villages."""

    id_number = Column("id_number", "身份证号", IdNumberWidget(), required=True, aliases=ID_ALIASES)
    name = Column("name", "姓名", NameWidget(squeeze=True), aliases=["名字", "女童姓名", "妇女姓名", "儿童姓名"])

    def people(self, rows: list[SourceRow]) -> dict[str, Person]:
        numbers = [row.values["id_number"].number for row in rows if "id_number" in row.values]
        people = in_scope(Person.objects.select_related("village"), self.scope)
        found = {}
        for chunk in chunked(numbers):
            found.update({person.id_number: person for person in people.filter(among("id_number", chunk))})
        return found

    def person_for(self, row: SourceRow, people: dict) -> Person | None:
        """The row's person, or None with the row's error reported."""
        if "id_number" not in row.values:
            self.require(row, "id_number")
            return None
        person = people.get(row.values["id_number"].number)
        if person is None:
            self.error(row, "id_number", _("No one with this ID number is on the people roster of your villages."))
            return None
        if "name" in row.values and row.values["name"] != person.name:
            self.error(row, "name", _("The roster has %(name)s under this ID number.") % {"name": person.name})
            return None
        return person
