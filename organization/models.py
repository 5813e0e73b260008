"""组织建设: what a township federation and its village federations keep of their own
organisation, and are inspected on — each federation's executive committee (执委会) and its
members, the 换届 elections, its venues (阵地: 妇女之家, 巾帼工作室, 儿童之家, 妇女学校), its
volunteer teams and their hours, its meetings, and the women among the delegates
(两代表一委员).

A federation is the town's (no village) or a village's: its records are seen by the staff of
that village, and the town's by everyone in the town (they are changed by the town's staff:
services.py). Every write goes through services.py.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.fields import PhoneField
from federation.core.files import ProtectedFileField, validate_attachment
from federation.core.models import ScopedModel, Town, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.core.scoping import Scope
from federation.models import Activity, Person


class FederationRecord(ScopedModel, models.Model):
    """A record of the town's federation (no village) or of a village's."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village (community)"),
        help_text=_("Leave empty for the town's federation."),
    )

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope)

    @property
    def federation_name(self) -> str:
        return self.village.name if self.village_id else gettext("%(town)s (town)") % {"town": self.town.name}

    def clean(self) -> None:
        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            raise ValidationError({"village": gettext("The village is not of the chosen town.")})


def federation_q(scope: Scope, prefix: str = "") -> Q:
    """A village's records in its village's scope, the town's in its whole town."""
    return Q(**{f"{prefix}village__isnull": True, f"{prefix}town_id__in": scope.visible_town_ids}) | Q(
        **{f"{prefix}village_id__in": scope.village_ids}
    )


class Committee(FederationRecord):
    """A federation's executive committee (执委会) of this term: when it was elected, when the
    next 换届 is due, and how many seats of each position it has (the vacancies are the seats
    nobody holds)."""

    elected_on = models.DateField(_("elected on"), help_text=_("The day of the last 换届 election."))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=5)
    next_election_on = models.DateField(
        _("next election due"), blank=True, help_text=_("Left empty, it is the election day plus the term.")
    )
    chair_seats = models.PositiveSmallIntegerField(_("chair seats"), default=1)
    vice_chair_seats = models.PositiveSmallIntegerField(_("vice-chair seats"), default=2)
    member_seats = models.PositiveSmallIntegerField(_("member seats"), default=6)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("executive committee")
        verbose_name_plural = _("executive committees")
        ordering = ["town", F("village__sort_order").asc(nulls_first=True)]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["town", "village"],
                name="organization_committee_one_per_village",
                violation_error_message=_("This federation has an executive committee already."),
            ),
            models.UniqueConstraint(
                fields=["town"],
                condition=Q(village__isnull=True),
                name="organization_committee_one_per_town",
                violation_error_message=_("The town's federation has an executive committee already."),
            ),
            models.CheckConstraint(
                condition=Q(next_election_on__gt=F("elected_on")),
                name="organization_committee_next_after_last",
                violation_error_message=_("The next election is due after the last one."),
            ),
        ]

    def __str__(self) -> str:
        if not self.town_id:
            return str(self._meta.verbose_name)
        return gettext("%(federation)s executive committee") % {"federation": self.federation_name}

    @property
    def seats(self) -> dict[str, int]:
        Position = CommitteeMember.Position
        return {
            Position.CHAIR: self.chair_seats,
            Position.VICE_CHAIR: self.vice_chair_seats,
            Position.MEMBER: self.member_seats,
        }

    def due_on(self) -> date | None:
        """The next election by the term, when none was given."""
        if self.elected_on is None or not self.term_years:
            return None
        try:
            return self.elected_on.replace(year=self.elected_on.year + self.term_years)
        except ValueError:  # elected on 29 February
            return self.elected_on.replace(year=self.elected_on.year + self.term_years, day=28)


class CommitteeMember(ScopedModel, models.Model):
    """A seat held on a committee: a person of the registry, or by name an outside member (a
    woman of a company or school in the village); from the day she joined to the day she left."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice-chair")
        MEMBER = "member", _("executive member")

    committee = models.ForeignKey(
        Committee, models.PROTECT, related_name="members", verbose_name=_("executive committee")
    )
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("A person of the registry; leave empty for an outside member and write her name."),
    )
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("An outside member's name."))
    position = models.CharField(_("position"), max_length=20, choices=Position.choices, default=Position.MEMBER)
    duties = models.CharField(_("other duties"), max_length=100, blank=True, help_text=_("e.g. 村委委员, 网格员."))
    phone = PhoneField(_("phone"), blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("executive member")
        verbose_name_plural = _("executive members")
        ordering = ["committee", "left_on", "position", "joined_on", "pk"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""),
                name="organization_member_person_or_name",
                violation_error_message=_("Choose a person of the registry or write an outside member's name."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="organization_member_left_after_joined",
                violation_error_message=_("She left before she joined."),
            ),
            models.UniqueConstraint(
                fields=["committee", "person"],
                condition=Q(left_on__isnull=True, person__isnull=False),
                name="organization_member_one_seat",
                violation_error_message=_("She holds a seat on this committee already."),
            ),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope, "committee__")

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        return self.person.name if self.person_id else self.name

    def in_office(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)

    def clean(self) -> None:
        if self.person_id and self.name:
            self.name = ""  # the registry's name is hers
        if self.person_id and self.committee_id and self.committee.village_id:
            if self.person.village_id != self.committee.village_id:
                raise ValidationError(
                    {
                        "person": gettext("%(name)s lives in %(village)s, not in the committee's village.")
                        % {"name": self.person.name, "village": self.person.village.name}
                    }
                )


class Venue(FederationRecord):
    """A venue (阵地) of a federation: where it is, since when, how large, what it holds, and
    whom to call. Activities name the venue they were held in (ActivityVenue)."""

    class Kind(models.TextChoices):
        WOMEN_HOME = "women_home", _("women's home")
        STUDIO = "studio", _("women's studio")
        CHILDREN_HOME = "children_home", _("children's home")
        WOMEN_SCHOOL = "women_school", _("women's school")
        OTHER = "other", pgettext_lazy("venue", "other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WOMEN_HOME)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    area = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    facilities = models.TextField(_("facilities"), blank=True, help_text=_("e.g. activity room, books, computers."))
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = PhoneField(_("contact phone"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["town", F("village__sort_order").asc(nulls_first=True), "kind", "name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="organization_venue_unique_name",
                violation_error_message=_("The town has a venue of this name already."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="organization_venue_closed_after_opened",
                violation_error_message=_("The venue closed before it opened."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityVenue(ScopedModel, models.Model):
    """The venue an activity was held in (entered on the activity's page)."""

    activity = models.OneToOneField(Activity, models.CASCADE, related_name="+", verbose_name=_("activity"))
    venue = models.ForeignKey(Venue, models.PROTECT, related_name="held", verbose_name=_("venue"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue of the activity")
        verbose_name_plural = _("venues of activities")
        ordering = ["venue", "-activity__date"]
        default_permissions = DATA_PERMISSIONS

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope, "venue__")

    def __str__(self) -> str:
        return self.venue.name if self.venue_id else str(self._meta.verbose_name)

    def clean(self) -> None:
        if self.venue_id and self.activity_id and self.venue.town_id != self.activity.town_id:
            raise ValidationError({"venue": gettext("The venue is not of the activity's town.")})


class VolunteerTeam(FederationRecord):
    """A volunteer team (巾帼志愿服务队) of a federation."""

    name = models.CharField(_("name"), max_length=100)
    founded_on = models.DateField(_("founded on"))
    leader = models.CharField(_("team leader"), max_length=50, blank=True)
    services = models.CharField(_("services"), max_length=200, blank=True, help_text=_("e.g. 邻里互助, 政策宣传."))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["town", F("village__sort_order").asc(nulls_first=True), "name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="organization_team_unique_name",
                violation_error_message=_("The town has a volunteer team of this name already."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(ScopedModel, models.Model):
    """A woman of the registry on a volunteer team, from the day she joined."""

    team = models.ForeignKey(VolunteerTeam, models.PROTECT, related_name="volunteers", verbose_name=_("volunteer team"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    skills = models.CharField(_("skills"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team", "person__name", "pk"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                name="organization_volunteer_once_per_team",
                violation_error_message=_("She is on this team already."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="organization_volunteer_left_after_joined",
                violation_error_message=_("She left before she joined."),
            ),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope, "team__")

    def __str__(self) -> str:
        return self.person.name if self.person_id else str(self._meta.verbose_name)


class VolunteerHours(ScopedModel, models.Model):
    """The hours a volunteer served at an activity (entered on the activity's page). It keeps
    the activity's day and the team's village, as the month it is counted and locked in."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="+", verbose_name=_("activity"))
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="hours", verbose_name=_("volunteer"))
    date = models.DateField(_("date"), editable=False)
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name=_("village")
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        ordering = ["-date", "volunteer", "pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="organization_hours_village_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                name="organization_hours_once_per_activity",
                violation_error_message=_("Her hours at this activity are recorded already."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24),
                name="organization_hours_in_a_day",
                violation_error_message=_("Hours are more than 0 and at most 24."),
            ),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope, "volunteer__team__")

    def __str__(self) -> str:
        if not self.volunteer_id:
            return str(self._meta.verbose_name)
        return gettext("%(name)s, %(hours)s hours") % {"name": self.volunteer, "hours": self.hours}


class Meeting(FederationRecord):
    """A meeting of a federation (执委会议 and others): when and where, who of the committee
    came and who did not, what was discussed and decided, the minutes and their files."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("executive committee meeting")
        CONGRESS = "congress", _("women's congress")
        ELECTION = "election", _("election meeting")
        OTHER = "other", pgettext_lazy("meeting", "other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMITTEE)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    chaired_by = models.CharField(_("chaired by"), max_length=50, blank=True)
    attendees = models.ManyToManyField(CommitteeMember, blank=True, related_name="+", verbose_name=_("members present"))
    absentees = models.ManyToManyField(CommitteeMember, blank=True, related_name="+", verbose_name=_("members absent"))
    others_present = models.CharField(_("others present"), max_length=200, blank=True)
    topics = models.TextField(_("topics"))
    decisions = models.TextField(_("decisions"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(m2m_fields=[attendees, absentees])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="organization_meeting_day")]

    def __str__(self) -> str:
        if not self.date:
            return str(self._meta.verbose_name)
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class MeetingAttachment(ScopedModel, models.Model):
    """A file of a meeting (the signed attendance sheet, a photo, the minutes scanned)."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attachments", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = ProtectedFileField(
        _("file"),
        upload_to="meetings/%Y/%m/",
        validators=[validate_attachment],
        help_text=_("A photo (JPEG or PNG) or a PDF."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        default_permissions = DATA_PERMISSIONS

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return federation_q(scope, "meeting__")

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]


class Delegate(ScopedModel, models.Model):
    """A woman of the registry who is a party congress or people's congress delegate or a CPPCC
    member (两代表一委员), of which level and for which term."""

    class Body(models.TextChoices):
        PARTY_CONGRESS = "party_congress", _("party congress delegate")
        PEOPLES_CONGRESS = "peoples_congress", _("people's congress deputy")
        CPPCC = "cppcc", _("CPPCC member")

    class Level(models.TextChoices):
        # As honours are levelled: 镇级, 县级, 市级, 省级, 国家级.
        TOWN = "town", pgettext_lazy("honour level", "town")
        COUNTY = "county", pgettext_lazy("honour level", "county")
        CITY = "city", pgettext_lazy("honour level", "city")
        PROVINCE = "province", pgettext_lazy("honour level", "province")
        NATIONAL = "national", pgettext_lazy("honour level", "national")

    scope_village_path = "person__village"

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"), null=True, blank=True)
    sector = models.CharField(_("sector or constituency"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("woman delegate")
        verbose_name_plural = _("women delegates and members")
        ordering = ["person__village__sort_order", "person__name", "body", "-term_start"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["person", "body", "level", "term_start"],
                name="organization_delegate_once_per_term",
                violation_error_message=_("This term of hers is recorded already."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=F("term_start")),
                name="organization_delegate_term_ends_after_start",
                violation_error_message=_("The term ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        if not self.person_id:
            return str(self._meta.verbose_name)
        return f"{self.person.name} {self.get_level_display()}{self.get_body_display()}"

    def clean(self) -> None:
        if self.person_id and self.person.sex != Person.Sex.FEMALE:
            raise ValidationError({"person": gettext("%(name)s is not a woman.") % {"name": self.person.name}})


# How rosters write the positions.
POSITION_SYNONYMS = {
    "主席": CommitteeMember.Position.CHAIR,
    "妇联主席": CommitteeMember.Position.CHAIR,
    "副主席": CommitteeMember.Position.VICE_CHAIR,
    "兼职副主席": CommitteeMember.Position.VICE_CHAIR,
    "妇联副主席": CommitteeMember.Position.VICE_CHAIR,
    "执委": CommitteeMember.Position.MEMBER,
    "委员": CommitteeMember.Position.MEMBER,
    "执行委员": CommitteeMember.Position.MEMBER,
}
