"""Who records claims, reviews them, posts a month and hears appeals. The town administrator
holds every permission of the roles she gives (federation.admin.grantable_groups)."""

from django.db import migrations

from federation.core.roles import POINTS_REVIEWER, TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    clerk = crud("points", "pointclaim", "add view import export")
    clerk += crud("points", "pointposting", "add view export")
    clerk += crud("points", "pointappeal", "add change view export")
    clerk += crud("points", "supermarketsettings", "view")
    town_admin = [*clerk, "points.review_pointclaim", "points.change_supermarketsettings"]
    # The chair who reviews reads the ledger and the rules the claims are weighed against.
    reviewer = [*crud("points", "pointclaim", "view"), "points.review_pointclaim"]
    reviewer += crud("points", "pointentry", "view") + crud("points", "pointrule", "view")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, VILLAGE_CLERK: clerk, POINTS_REVIEWER: reviewer})


class Migration(migrations.Migration):
    dependencies = [("points", "0013_supermarket_in_the_open")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
