"""妇女之家: the women's homes of the villages, when each opened, and who volunteers there."""

from django.db import models
from simple_history.models import HistoricalRecords

from federation.core.models import ScopedModel, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.models import Person


class Venue(ScopedModel, models.Model):
    scope_village_path = "village"

    village = models.ForeignKey(Village, models.PROTECT, related_name="venues", verbose_name="村(社区)")
    name = models.CharField("名称", max_length=50)
    opened = models.DateField("建成日期")
    volunteers = models.ManyToManyField(Person, blank=True, related_name="venues", verbose_name="志愿者")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "妇女之家"
        verbose_name_plural = "妇女之家"
        ordering = ["village__sort_order", "name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [models.UniqueConstraint(fields=["village", "name"], name="venues_venue_unique_name")]

    def __str__(self) -> str:
        return self.name
