"""The database keeps the ledger out of approved periods: a line dated in an approved period
of its village can neither be written nor changed, whatever writes it (a service checks
first and says why in Chinese; this holds for a raw INSERT, a COPY or a script too).

Deleting is left to the code: lines are never deleted but by the retention purge, which
removes past years' lines of approved periods."""

from django.db import migrations

from points.migrations._ledger_lock import create, drop

class Migration(migrations.Migration):
    dependencies = [("points", "0008_ledger_covering_indexes"), ("federation", "0016_periods")]

    operations = [migrations.RunPython(create, drop)]
