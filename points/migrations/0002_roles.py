from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    ledgers = ["pointentry", "stockline", "redemption", "redemptionitem"]
    town_admin = crud("points", "pointrule") + crud("points", "goods") + crud("points", "redemptionevent")
    town_admin += crud("points", "pointrule", "import export") + crud("points", "goods", "import export")
    clerk = crud("points", "pointrule", "view") + crud("points", "goods", "view")
    clerk += crud("points", "redemptionevent", "add change view export")
    for ledger in ledgers:
        town_admin += crud("points", ledger, "add view import export")
        clerk += crud("points", ledger, "add view import export" if ledger == "pointentry" else "add view export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, VILLAGE_CLERK: clerk})


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial"), ("federation", "0006_roles_reports")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
