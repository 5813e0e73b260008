import sys

from django.core.management.base import BaseCommand
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from federation.models import Household
from points.models import Goods, PointEntry, StockLine


def _sum_of(model, field, **link):
    total = model.objects.filter(**link).order_by().values(*link.keys()).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def mismatches() -> list[str]:
    """Every balance that is not the sum of its ledger, every stock not the sum of its lines."""
    problems = []
    households = Household.objects.annotate(ledger=_sum_of(PointEntry, "points", household=OuterRef("pk"))).exclude(
        points_balance=F("ledger")
    )
    for household in households.select_related("village"):
        problems.append(
            _("Household %(village)s %(number)s: balance %(balance)d, ledger %(ledger)d.")
            % {
                "village": household.village.name,
                "number": household.number,
                "balance": household.points_balance,
                "ledger": household.ledger,
            }
        )
    for goods in Goods.objects.annotate(lines=_sum_of(StockLine, "change", goods=OuterRef("pk"))).exclude(
        stock=F("lines")
    ):
        problems.append(
            _("Goods %(goods)s: stock %(stock)d, stock lines %(lines)d.")
            % {"goods": goods.name, "stock": goods.stock, "lines": goods.lines}
        )
    return problems


class Command(BaseCommand):
    help = _("Check that every balance equals the sum of its ledger and every stock the sum of its stock lines.")

    def handle(self, *args, **options):
        problems = mismatches()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            self.stdout.write(_("%(count)d mismatches.") % {"count": len(problems)})
            sys.exit(1)
        self.stdout.write(_("Every balance and every stock matches its ledger."))
