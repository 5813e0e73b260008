"""巾帼建功: the register of craftswomen (巧手妇女) whom the town helps sell hand-woven goods,
the craft-skills trainings they attended (federation activities of their own kind), and
their sales by channel: livestreams, e-commerce platforms, and offline.

Every write goes through services.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.models import ScopedModel, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.models import Activity, Person


class Craftswoman(ScopedModel, models.Model):
    """A woman on the register of craftswomen. Her village is where she lives now (her
    person's), as on the care register."""

    class Craft(models.TextChoices):
        WEAVING = "weaving", _("hand weaving")
        EMBROIDERY = "embroidery", _("embroidery")
        BAMBOO = "bamboo", _("bamboo weaving")
        OTHER = "other", pgettext_lazy("craft", "other")

    scope_village_path = "person__village"

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    craft = models.CharField(_("craft"), max_length=20, choices=Craft.choices, default=Craft.WEAVING)
    workshop = models.CharField(_("cooperative or workshop"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined on"))
    trainings = models.ManyToManyField(
        Activity,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Activity.Kind.CRAFT_TRAINING},
        verbose_name=_("trainings attended"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(m2m_fields=[trainings])

    class Meta:
        verbose_name = _("craftswoman")
        verbose_name_plural = _("craftswomen")
        ordering = ["person__village__sort_order", "person__name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                name="crafts_craftswoman_one_per_person",
                violation_error_message=_("This woman is already on the register of craftswomen."),
            ),
        ]

    def __str__(self) -> str:
        return self.person.name

    def clean(self) -> None:
        if self.person_id and self.person.sex != Person.Sex.FEMALE:
            raise ValidationError({"person": gettext("%(name)s is not a woman.") % {"name": self.person.name}})


class CraftSale(ScopedModel, models.Model):
    """Goods a craftswoman sold on a day through one channel, for an amount in yuan."""

    class Channel(models.TextChoices):
        LIVESTREAM = "livestream", _("livestream sales")
        ECOMMERCE = "ecommerce", _("e-commerce platform")
        OFFLINE = "offline", pgettext_lazy("sales channel", "offline")

    # Who may see a sale follows where the woman lives now; figures count it in the village
    # it was recorded in (and the period locks it there), without joining the people roster.
    scope_village_path = "craftswoman__person__village"
    count_village_path = "village"

    craftswoman = models.ForeignKey(Craftswoman, models.PROTECT, related_name="sales", verbose_name=_("craftswoman"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    date = models.DateField(_("date"))
    channel = models.CharField(_("sales channel"), max_length=20, choices=Channel.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("items sold"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("craft sale")
        verbose_name_plural = _("craft sales")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="crafts_sale_village_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="crafts_craftsale_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Sale #%(id)s") % {"id": self.pk}


# How rosters write the crafts and the channels.
CRAFT_SYNONYMS = {
    "手工编织": Craftswoman.Craft.WEAVING,
    "编织": Craftswoman.Craft.WEAVING,
    "毛线编织": Craftswoman.Craft.WEAVING,
    "草编": Craftswoman.Craft.WEAVING,
    "刺绣": Craftswoman.Craft.EMBROIDERY,
    "绣花": Craftswoman.Craft.EMBROIDERY,
    "竹编": Craftswoman.Craft.BAMBOO,
    "其他": Craftswoman.Craft.OTHER,
}
CHANNEL_SYNONYMS = {
    "直播": CraftSale.Channel.LIVESTREAM,
    "直播带货": CraftSale.Channel.LIVESTREAM,
    "抖音": CraftSale.Channel.LIVESTREAM,
    "快手": CraftSale.Channel.LIVESTREAM,
    "电商": CraftSale.Channel.ECOMMERCE,
    "电商平台": CraftSale.Channel.ECOMMERCE,
    "网店": CraftSale.Channel.ECOMMERCE,
    "淘宝": CraftSale.Channel.ECOMMERCE,
    "拼多多": CraftSale.Channel.ECOMMERCE,
    "线下": CraftSale.Channel.OFFLINE,
    "线下销售": CraftSale.Channel.OFFLINE,
    "集市": CraftSale.Channel.OFFLINE,
}
