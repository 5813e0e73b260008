"""Factories for every app's tests. Build complex state through services, as users do."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from federation.core.identity import check_character
from federation.core.models import StaffScope, Town, Village
from federation.models import Activity, Honor, Household, Person

_serial = itertools.count(1)


def make_id_number(born: date = date(1985, 6, 15), sex: str = "F", area: str = "621228") -> str:
    """A fresh valid ID number for the given birth date and sex."""
    while True:
        sequence = next(_serial) % 1000
        if (sequence % 2 == 1) == (sex == "M"):
            break
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ["name", "county"]

    name = "站儿巷镇"
    county = "两当县"


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ["town", "name"]

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    number = factory.Sequence(lambda n: f"H{n:05d}")
    group = "1组"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        born = date(1985, 6, 15)
        female = True

    name = factory.Sequence(lambda n: f"测试人{n}")
    sex = factory.LazyAttribute(lambda o: "F" if o.female else "M")
    birth_date = factory.LazyAttribute(lambda o: o.born)
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.born, "F" if o.female else "M"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    village = factory.SubFactory(VillageFactory)
    household = factory.LazyAttribute(lambda o: HouseholdFactory(village=o.village))
    relation_to_head = Person.Relation.SELF


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = Activity.Kind.PUBLICITY
    title = factory.Sequence(lambda n: f"测试活动{n}")
    date = date(2024, 5, 1)
    town = factory.SubFactory(TownFactory)

    @factory.post_generation
    def villages(self, create, extracted, **kwargs):
        if create and extracted:
            self.villages.set(extracted)


class HonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Honor

    award = Honor.Award.BEST_VOLUNTEER
    year = 2024
    person = factory.SubFactory(PersonFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def give_scope(user, town, *, villages=(), town_wide=False) -> StaffScope:
    scope = StaffScope.objects.create(user=user, town=town, town_wide=town_wide)
    scope.villages.set(villages)
    return scope


class CraftswomanFactory(factory.django.DjangoModelFactory):
    """A woman on the 巾帼建功 register (crafts); the tests of its rules call its services."""

    class Meta:
        model = "crafts.Craftswoman"

    person = factory.SubFactory(PersonFactory)
    craft = "weaving"
    joined_on = date(2024, 1, 1)


class CraftSaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crafts.CraftSale"

    craftswoman = factory.SubFactory(CraftswomanFactory)
    village = factory.LazyAttribute(lambda o: o.craftswoman.person.village)
    date = date(2024, 5, 1)
    channel = "livestream"
    amount = 100
    quantity = 1


# The management forms of the rows other apps add to an activity's page (the organization app's
# venue and volunteer hours), none of them filled: a form posted by hand carries them, as a
# browser's does.
ACTIVITY_INLINES = {
    "activityvenue-TOTAL_FORMS": 0,
    "activityvenue-INITIAL_FORMS": 0,
    "volunteerhours-TOTAL_FORMS": 0,
    "volunteerhours-INITIAL_FORMS": 0,
}


# What a user answers before a file of people leaves (federation.core.disclosure): a purpose in
# her own words; an export form's data adds it, a download's page is posted with it.
PURPOSE = {"detail": "测试：核对导出"}
DISCLOSURE_PAGE = "admin/federation/disclosure.html"


def take_file(client, url: str, params: dict | None = None, **answers):
    """A download as a user takes it: the link, and where the page asks what the file is for
    (a report of people, the binder, a posting), her answer posted back to the same address."""
    from urllib.parse import urlencode

    response = client.get(url, params or {})
    if response.status_code == 200 and any(t.name == DISCLOSURE_PAGE for t in response.templates or ()):
        query = urlencode(params or {}, doseq=True)
        response = client.post(f"{url}?{query}" if query else url, {**PURPOSE, **answers})
    return response


# The line a file's disclosure mark prints (federation.core.disclosure.Disclosure.text), in
# Chinese or, before the catalogue is compiled, in English.
MARK_LINE = r"^(?:Taken by .*|.*于\d{4}-\d\d-\d\d \d\d:\d\d导出.*)$"


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text without the disclosure mark laid under it."""
    import io
    import re

    from pypdf import PdfReader

    mark = re.compile(MARK_LINE + r"\n?", re.M)
    return [mark.sub("", page.extract_text()).lstrip() for page in PdfReader(io.BytesIO(data)).pages]


# The town's page posted by hand: its inline of export purposes (none added).
TOWN_INLINES = {
    "export_purposes-TOTAL_FORMS": "0",
    "export_purposes-INITIAL_FORMS": "0",
    "export_purposes-MIN_NUM_FORMS": "0",
    "export_purposes-MAX_NUM_FORMS": "1000",
}
