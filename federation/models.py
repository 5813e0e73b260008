"""The federation's own records: households, people, activities and honours."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Mod, Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.fields import IdNumberField, PhoneField, YmdText
from federation.core.files import ProtectedFileField, validate_attachment
from federation.core.identity import IdNumber, parse_id_number
from federation.core.models import ScopedModel, Town, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.core.scoping import Scope

# The rules of a person that the people and household rosters apply too: their bulk writer
# inserts rows without full_clean(), so each rule is a function that the model's clean() and
# the rosters' planners (federation/resources.py) both call.

# The constraint's words, and the people roster's for a 性别 cell that says otherwise.
SEX_MISMATCH = _("The sex does not match the ID number.")


def person_identity(idn: IdNumber, *, sex: str | None = None, birth_date=None) -> dict:
    """The fields a person's ID number decides: the number as stored (an old 15-digit one made
    the 18-digit one), her sex and her birth date. Person.clean() sets them from it; the people
    roster writes a new person's from it.

    A sex, or a birth date (a day, or the year and month of a 出生年月 cell: what has
    `agrees_with`), written beside the number must be the number's, as the constraints
    federation_person_sex_matches_id and _birth_date_matches_id hold: ValidationError on the
    first field that is not, sex before birth date. Person.clean() passes neither: a form never
    offers them (editable=False), and one stored before the ID number was corrected is
    replaced, not refused."""
    if sex and sex != idn.sex:
        raise ValidationError({"sex": SEX_MISMATCH})
    if birth_date is not None:
        born = idn.birth_date
        if not (birth_date.agrees_with(born) if hasattr(birth_date, "agrees_with") else birth_date == born):
            raise ValidationError(
                {
                    "birth_date": gettext("The birth date does not match the ID number (%(date)s).")
                    % {"date": born.isoformat()}
                }
            )
    return {"id_number": idn.number, "sex": idn.sex, "birth_date": idn.birth_date}


def person_household_check(*, person_village_id: int, household_village_id: int) -> None:
    """A person's household is of her village. Person.clean() asks it of a person and her
    household; the people roster of a member and the household she joins, the household roster
    of a household and its head. The rosters word the error for the column it is on (they
    name a household by its head's ID number)."""
    if household_village_id != person_village_id:
        raise ValidationError({"household": gettext("The household belongs to another village.")})


class Household(ScopedModel, models.Model):
    village = models.ForeignKey(Village, models.PROTECT, related_name="households", verbose_name=_("village"))
    number = models.CharField(_("household number"), max_length=30)
    head = models.ForeignKey(
        "Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of household"),
    )
    group = models.CharField(_("villager group"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Changed only by the points services, with conditional updates.
    points_balance = models.IntegerField(_("points balance"), default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["points_balance"])

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village__sort_order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number"],
                name="federation_household_unique_number",
                violation_error_message=_("This household number is already used in the village."),
            ),
            models.CheckConstraint(
                condition=Q(points_balance__gte=0),
                name="federation_household_balance_not_negative",
                violation_error_message=_("A household's points balance cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        # Only use the head's name when it is already loaded: __str__ must never query.
        if self.head_id and Household.head.is_cached(self):
            return gettext("%(number)s (head: %(head)s)") % {"number": self.number, "head": self.head.name}
        return self.number

    # What a picker loads with each household to tell it apart (picker_label).
    picker_related = ("head",)

    def picker_label(self, identity: bool) -> str:
        """The household as a picker shows it: its number, its head (and her birth year, or her
        ID number to a user who may see it) and its group; never a hidden digit."""
        parts = []
        if self.head_id:
            head = self.head
            parts.append(gettext("head %(name)s") % {"name": head.name})
            parts.append(head.id_number if identity else gettext("born %(year)d") % {"year": head.birth_date.year})
        if self.group:
            parts.append(self.group)
        return f"{self.number}（{'，'.join(parts)}）" if parts else self.number

    def autocomplete_label(self, identity: bool) -> str:
        """A picker's answer: the household and its points balance, which clerks redeem against."""
        return gettext("%(household)s · balance %(points)d") % {
            "household": self.picker_label(identity),
            "points": self.points_balance,
        }

    def clean(self) -> None:
        if self.head_id and self.pk and self.head.household_id != self.pk:
            raise ValidationError({"head": gettext("The head must be a member of this household.")})


class Person(ScopedModel, models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Relation(models.TextChoices):
        # GB/T 4761-2008 家庭关系代码 (codes in the comments) at the detail a clerk picks from a
        # list; the standard's finer words (夫, 长子, 兄…) are spellings of these in
        # RELATION_SYNONYMS (federation/resources.py). Single English words get a context:
        # the project's catalog would otherwise translate Django's own "parent" or "other".
        SELF = "self", _("self (head)")  # 01 本人, 02 户主
        SPOUSE = "spouse", _("spouse")  # 10 配偶: 11 夫, 12 妻
        SON = "son", _("son")  # 20 子: 21–27, 29
        SON_IN_LAW = "son_in_law", _("son-in-law")  # 28 女婿
        DAUGHTER = "daughter", _("daughter")  # 30 女: 31–37, 39
        DAUGHTER_IN_LAW = "daughter_in_law", _("daughter-in-law")  # 38 儿媳
        GRANDSON = "grandson", _("grandson")  # 41 孙子
        GRANDDAUGHTER = "granddaughter", _("granddaughter")  # 42 孙女
        DAUGHTERS_SON = "daughters_son", _("daughter's son")  # 43 外孙子
        DAUGHTERS_DAUGHTER = "daughters_daughter", _("daughter's daughter")  # 44 外孙女
        PARENT = "parent", pgettext_lazy("relation", "parent")  # 50 父母, when the file does not say which
        FATHER = "father", pgettext_lazy("relation", "father")  # 51 父亲
        MOTHER = "mother", pgettext_lazy("relation", "mother")  # 52 母亲
        HUSBANDS_FATHER = "husbands_father", _("husband's father")  # 53 公公
        HUSBANDS_MOTHER = "husbands_mother", _("husband's mother")  # 54 婆婆
        WIFES_FATHER = "wifes_father", _("wife's father")  # 55 岳父
        WIFES_MOTHER = "wifes_mother", _("wife's mother")  # 56 岳母
        GRANDPARENT = "grandparent", pgettext_lazy("relation", "grandparent")  # 60 祖父母或外祖父母
        BROTHER = "brother", pgettext_lazy("relation", "brother")  # 71 兄, 73 弟
        SISTER = "sister", pgettext_lazy("relation", "sister")  # 75 姐姐, 77 妹妹
        NEPHEW = "nephew", _("nephew (brother's son)")  # 93 侄子
        NIECE = "niece", _("niece (brother's daughter)")  # 94 侄女
        OTHER = "other", pgettext_lazy("relation", "other relative")  # 97 其他亲属 (and the rest of 80–96)
        NON_RELATIVE = "non_relative", _("non-relative")  # 99 非亲属

    class Status(models.TextChoices):
        RESIDENT = "resident", _("resident")
        MOVED_OUT = "moved_out", _("moved out")
        DECEASED = "deceased", _("deceased")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = IdNumberField(
        _("ID number"),
        help_text=_(
            "18 characters, the last may be X. An old 15-digit number may be typed as it is: it is made the "
            "18-digit one, and “upgraded from 15 digits” then says yes."
        ),
    )
    id_upgraded = models.BooleanField(
        _("upgraded from 15 digits"),
        default=False,
        editable=False,
        help_text=_(
            "Yes: the number was typed as an old 15-digit one (ID cards before 1999), and the system made it "
            "the 18-digit one by adding the 19 of the birth year and the check character."
        ),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = PhoneField(_("phone"), blank=True)
    village = models.ForeignKey(Village, models.PROTECT, related_name="people", verbose_name=_("village"))
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relation_to_head = models.CharField(_("relation to head"), max_length=20, choices=Relation.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RESIDENT)
    notes = models.TextField(_("notes"), blank=True)
    # A member of staff who lives in the town is a person of the registry too: what she may not
    # do for her own household (review its points claims) is known through this link.
    staff_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("staff account"),
        help_text=_("The staff account of this person, if she works in the system."),
    )
    history = HistoricalRecords()

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["village__sort_order", "name"]
        permissions = [("view_full_identity", _("Can see full ID numbers and phone numbers"))]
        indexes = [
            models.Index(fields=["name"], name="federation_person_name_idx"),
            # Covers the per-village counts of reports (and HPV eligibility) without the table.
            models.Index(fields=["village", "sex", "status", "birth_date"], name="federation_person_demography"),
            # The girls of HPV age, found by birth date across a county (the superuser's home
            # page) without reading every person; their ids for the joins to the doses.
            models.Index(
                fields=["birth_date", "village", "id"],
                condition=Q(sex="F", status="resident"),
                name="federation_person_girls",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                name="federation_person_unique_id_number",
                violation_error_message=_("A person with this ID number is already registered."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(Exact(Mod(Cast(Substr("id_number", 17, 1), models.IntegerField()), 2), 1), sex="M")
                    | Q(Exact(Mod(Cast(Substr("id_number", 17, 1), models.IntegerField()), 2), 0), sex="F")
                ),
                name="federation_person_sex_matches_id",
                violation_error_message=SEX_MISMATCH,
            ),
            models.CheckConstraint(
                condition=Q(Exact(Substr("id_number", 7, 8), YmdText("birth_date"))),
                name="federation_person_birth_date_matches_id",
                violation_error_message=_("The birth date does not match the ID number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    picker_related = ("household__head",)

    def picker_label(self, identity: bool) -> str:
        """The person as a picker shows her, so that two 吴欢 of one village are told apart
        without a hidden digit: her birth year (or her ID number, to a user who may see it),
        her group, her household and its head."""
        parts = [self.id_number if identity else gettext("born %(year)d") % {"year": self.birth_date.year}]
        household = self.household if self.household_id else None
        if household is not None:
            if household.group:
                parts.append(household.group)
            if household.head_id == self.pk:
                parts.append(gettext("head of household %(number)s") % {"number": household.number})
            elif household.head_id:
                parts.append(
                    gettext("household %(number)s, head %(head)s")
                    % {"number": household.number, "head": household.head.name}
                )
            else:
                parts.append(gettext("household %(number)s") % {"number": household.number})
        return f"{self.name}（{'，'.join(parts)}）"

    def clean(self) -> None:
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except ValidationError:
                pass  # the field's own validator has reported it
            else:
                for name, value in person_identity(parsed).items():
                    setattr(self, name, value)
                if parsed.upgraded:  # kept once set: the number was typed as 15 digits once
                    self.id_upgraded = True
        if self.household_id and self.village_id:
            person_household_check(person_village_id=self.village_id, household_village_id=self.household.village_id)

    def age_on(self, day) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Activity(models.Model):
    class Kind(models.TextChoices):
        PUBLICITY = "publicity", _("publicity")
        LEGAL_CONSULTATION = "legal_consultation", _("legal lecture or consultation")
        THEORY_STUDY = "theory_study", _("theory study")
        SEMINAR = "seminar", _("seminar")
        TRAINING = "training", _("training")
        # 巾帼建功: trainings of craftswomen (手工编织, selling online); not counted as 专题培训.
        CRAFT_TRAINING = "craft_training", _("craft skills training")
        VOLUNTEER = "volunteer", _("volunteer service")
        FAMILY_CIVILITY = "family_civility", _("family civility activity")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    town = models.ForeignKey(Town, models.PROTECT, related_name="activities", verbose_name=_("town"))
    villages = models.ManyToManyField(
        Village,
        blank=True,
        related_name="activities",
        verbose_name=_("villages (communities)"),
        help_text=_("Leave empty for a town-wide activity."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    materials_distributed = models.PositiveIntegerField(_("materials distributed"), default=0)
    consultations = models.PositiveIntegerField(_("consultations"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(m2m_fields=[villages])

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "title"]
        indexes = [
            models.Index(fields=["kind", "date"], name="federation_activity_kind_date"),
            models.Index(fields=["date"], name="federation_activity_date"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        in_villages = cls.villages.through.objects.filter(village_id__in=scope.village_ids)
        return Q(town_id__in=scope.town_ids) | Q(pk__in=in_villages.values("activity_id"))


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attachments", verbose_name=_("activity"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = ProtectedFileField(
        _("file"),
        upload_to="activities/%Y/%m/",
        validators=[validate_attachment],
        help_text=_("A photo (JPEG or PNG) or a PDF."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(activity__in=Activity.objects.filter(Activity.scope_q(scope)).values("pk"))


class Honor(models.Model):
    class Award(models.TextChoices):
        CIVILISED_FAMILY = "civilised_family", _("civilised family")
        BEAUTIFUL_FAMILY = "beautiful_family", _("most beautiful family")
        BEAUTIFUL_COURTYARD = "beautiful_courtyard", _("beautiful courtyard")
        BEST_VOLUNTEER = "best_volunteer", _("best women volunteer")
        GOOD_MOTHER_IN_LAW = "good_mother_in_law", _("good mother-in-law")
        GOOD_DAUGHTER_IN_LAW = "good_daughter_in_law", _("good daughter-in-law")
        OTHER = "other", _("other")

    HOUSEHOLD_AWARDS = frozenset({Award.CIVILISED_FAMILY, Award.BEAUTIFUL_FAMILY, Award.BEAUTIFUL_COURTYARD})

    class Level(models.TextChoices):
        TOWN = "town", pgettext_lazy("honour level", "town")
        COUNTY = "county", pgettext_lazy("honour level", "county")
        CITY = "city", pgettext_lazy("honour level", "city")
        PROVINCE = "province", pgettext_lazy("honour level", "province")
        NATIONAL = "national", pgettext_lazy("honour level", "national")

    award = models.CharField(_("award"), max_length=30, choices=Award.choices)
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("The award's name, if other."))
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date awarded"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.TOWN)
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="honors", verbose_name=_("person")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="honors", verbose_name=_("household")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "award"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, household__isnull=True)
                | Q(person__isnull=True, household__isnull=False),
                name="federation_honor_person_xor_household",
                violation_error_message=_("An honour goes to either a person or a household."),
            ),
        ]

    def __str__(self) -> str:
        label = self.title or self.get_award_display()
        return f"{self.year} {label}"

    def clean(self) -> None:
        if self.award in self.HOUSEHOLD_AWARDS and self.person_id:
            raise ValidationError({"household": gettext("This award goes to a household.")})
        if self.award not in self.HOUSEHOLD_AWARDS and self.award != self.Award.OTHER and self.household_id:
            raise ValidationError({"person": gettext("This award goes to a person.")})
        if self.award == self.Award.OTHER and not self.title:
            raise ValidationError({"title": gettext("Give the award's name.")})

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Subqueries, not an OR across two joins: that read every person of a county.
        people = Person.objects.filter(village__in=scope.village_ids).values("pk")
        households = Household.objects.filter(village__in=scope.village_ids).values("pk")
        return Q(person__in=people) | Q(household__in=households)
