"""The federation's rosters: people (人员花名册) and households (家庭花名册)."""

import re
from typing import NamedTuple

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
from federation.models import Household, Person

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


def agrees(written, born) -> bool:
    """A birth date or month (出生年月) as written agrees with the ID number's."""
    return written.agrees_with(born) if hasattr(written, "agrees_with") else written == born


def chunked(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
        plan = Plan()
        heads_in_file = {
            row.values["id_number"].number
            for row in rows
            if "id_number" in row.values
            and getattr(row.values.get("head_id_number"), "number", None) == row.values["id_number"].number
        }
        rows = self._unique_rows(rows)
        known = self._known_people([idn.number for _row, idn in rows])
        referenced = {
            row.values["head_id_number"].number
            for row, _idn in rows
            if "head_id_number" in row.values and row.values["head_id_number"].number not in heads_in_file
        }
        led = self._households_by_head(list(referenced | heads_in_file))
        numbers = HouseholdNumbers(lock=self.writing)
        new_households: list[Row] = []
        group_changes: dict[int, str] = {}
        creates: list[Row] = []
        changes: dict[int, dict] = {}
        planned: dict[str, object] = {}  # head's ID number -> the household they lead
        fallback = self.only_village()
        in_scope = self.scoped_village_ids()
        R = Person.Relation

        # Heads first, so that their members can join the households they lead.
        ordered = sorted(rows, key=lambda item: item[1].number not in heads_in_file)
        outcomes = {}
        for row, idn in ordered:
            values = row.values
            person = known.get(idn.number)
            if person is not None and not self.scope.everything and person.village_id not in in_scope:
                self.error(row, "id_number", REGISTERED_ELSEWHERE())
                continue
            village = values.get("village")
            village_id = village.pk if village else person.village_id if person else getattr(fallback, "pk", None)
            if village_id is None:
                self.error(row, "village", _("The village is required."))
                if person is None:  # every missing cell of a new person at once
                    self.require(row, "name")
                continue
            relation = values.get("relation_to_head")
            head = values.get("head_id_number")
            household = None  # None: keep the person's household as it is
            if head is not None and head.number == idn.number:
                household = led.get(idn.number)
                if household is None or household.village_id != village_id:
                    household = Row(village_id=village_id, number=numbers.next(village_id), group="", head_id=None)
                    new_households.append(household)
                planned[idn.number] = household
                relation = R.SELF
                group = values.get("household__group")
                if group and household.group != group:
                    if household.pk:
                        group_changes[household.pk] = group
                    else:
                        household["group"] = group
            elif head is not None:
                if relation == R.SELF:
                    self.error(
                        row,
                        "relation_to_head",
                        _("The relation is 本人 (head), but the head's ID number is another's."),
                    )
                    continue
                if head.number in heads_in_file and head.number not in planned:
                    continue  # the head's own row has an error, reported there
                household = planned.get(head.number) or led.get(head.number)
                if household is None or (not self.scope.everything and household.village_id not in in_scope):
                    self.error(
                        row,
                        "head_id_number",
                        _(
                            "No head of household with this ID number was found; register the head first "
                            "or add the head's row to this file."
                        ),
                    )
                    continue
            if household is not None and household.village_id != village_id:
                self.error(row, "head_id_number", _("The head of household lives in another village."))
                continue
            if person is None:
                if "name" not in values:
                    self.require(row, "name")
                    continue
                new = Row(
                    name=values["name"],
                    id_number=idn.number,
                    id_upgraded=idn.upgraded,
                    sex=idn.sex,
                    birth_date=idn.birth_date,
                    phone=values.get("phone", ""),
                    village_id=village_id,
                    household_id=household if isinstance(household, Row) else getattr(household, "pk", None),
                    relation_to_head=relation or "",
                    status=values.get("status", Person.Status.RESIDENT),
                )
                if isinstance(household, Row) and relation == R.SELF:
                    household["head_id"] = new
                creates.append(new)
                outcomes[row.number] = (row, NEW)
                plan.new += 1
                continue
            changed = self._changes(person, values, village_id, household, relation)
            if isinstance(household, Row) and relation == R.SELF:
                household["head_id"] = person.pk
            if changed:
                changes[person.pk] = changed
                outcomes[row.number] = (row, UPDATED)
                plan.updated += 1
            elif household is not None and household.pk in group_changes:
                outcomes[row.number] = (row, UPDATED)
                plan.updated += 1
            else:
                outcomes[row.number] = (row, UNCHANGED)
                plan.unchanged += 1

        for number in sorted(outcomes)[:SAMPLE_ROWS]:
            plan.add_sample(*outcomes[number])
        plan.update(Person, self._updated_people(changes))
        households = {}
        for chunk in chunked(list(group_changes)):
            for household in self.locked(Household.objects.filter(among("pk", chunk))):
                household.group = group_changes[household.pk]
                households[household] = ["group"]
        plan.update(Household, households)
        plan.creates = [(Household, new_households, False), (Person, creates, True)]
        plan.after = [lambda user, reason: self._link_heads(new_households, user, reason)]
        for extension in self.extensions:  # e.g. the care register's 人员类别 (aid)
            extension.plan(self, rows, plan)
        return plan

    def _unique_rows(self, rows):
        """Rows keyed by a valid ID number whose sex and birth date agree with it."""
        unique = []
        for row, idn in self.keyed_rows(rows, "id_number"):
            if "sex" in row.values and row.values["sex"] != idn.sex:
                self.error(row, "sex", _("The sex does not match the ID number."))
                continue
            if "birth_date" in row.values and not agrees(row.values["birth_date"], idn.birth_date):
                self.error(
                    row,
                    "birth_date",
                    _("The birth date does not match the ID number (%(date)s).") % {"date": idn.birth_date.isoformat()},
                )
                continue
            unique.append((row, idn))
        return unique

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
        plan = Plan()
        keyed = [(row, head.number) for row, head in self.keyed_rows(rows, "head_id_number")]
        people = {}
        for chunk in chunked([number for _row, number in keyed]):
            for person in Person.objects.filter(among("id_number", chunk)).select_related("household", "village"):
                people[person.id_number] = person
        led = {}
        for chunk in chunked(list(people)):
            for household in self.locked(
                Household.objects.filter(among("head__id_number", chunk)).select_related("head")
            ):
                led[household.head.id_number] = household
        in_scope = self.scoped_village_ids()
        numbers = HouseholdNumbers(lock=self.writing)
        creates, updates, moved = [], {}, []
        outcomes = {}
        for row, number in keyed:
            values = row.values
            person = people.get(number)
            if person is None or (not self.scope.everything and person.village_id not in in_scope):
                self.error(
                    row,
                    "head_id_number",
                    _("No person with this ID number is registered in your villages; import the people roster first."),
                )
                continue
            village = values.get("village") or person.village
            if village.pk != person.village_id:
                self.error(
                    row,
                    "village",
                    _("The head of household is registered in %(village)s.") % {"village": person.village.name},
                )
                continue
            household = led.get(number)
            if household is None and person.household_id and person.household.head_id is None:
                household = person.household  # a household without a head takes this one
            wanted = values.get("number")
            if wanted and (household is None or wanted != household.number) and not numbers.claim(village.pk, wanted):
                self.error(
                    row,
                    "number",
                    _("The household number %(number)s is already used in the village.") % {"number": wanted},
                )
                continue
            if household is None:
                household = Row(
                    village_id=village.pk,
                    number=wanted or numbers.next(village.pk),
                    group=values.get("group", ""),
                    address=values.get("address", ""),
                    head_id=person.pk,
                )
                creates.append(household)
                moved.append((person, household))
                outcomes[row.number] = (row, NEW)
                plan.new += 1
                continue
            changed = []
            for attribute in ("number", "group", "address"):
                if attribute in values and values[attribute] != getattr(household, attribute):
                    setattr(household, attribute, values[attribute])
                    changed.append(attribute)
            if household.head_id != person.pk:
                household.head = person
                changed.append("head")
            if changed:
                updates[household] = changed
                outcomes[row.number] = (row, UPDATED)
                plan.updated += 1
            else:
                outcomes[row.number] = (row, UNCHANGED)
                plan.unchanged += 1
        for number in sorted(outcomes)[:20]:
            plan.add_sample(*outcomes[number])
        plan.creates = [(Household, creates, True)]
        plan.update(Household, updates)
        plan.after = [lambda user, reason: self._move_heads(moved, user, reason)]
        return plan

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
