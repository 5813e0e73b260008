"""The ledger's period-lock triggers again, on SQLite: adding the ledger's claim and appeal
columns (0013) made SQLite rebuild the table, and a rebuilt table keeps no triggers. (On
PostgreSQL the columns were added in place and the trigger stayed.) A later change of the
ledger's columns must end with this again."""

from django.db import migrations

from points.migrations._ledger_lock import create_on_sqlite


class Migration(migrations.Migration):
    dependencies = [("points", "0014_supermarket_roles")]

    operations = [migrations.RunPython(create_on_sqlite, migrations.RunPython.noop)]
