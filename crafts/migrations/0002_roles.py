from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions

MODELS = ["craftswoman", "craftsale"]


def grant(apps, schema_editor):
    # The county reader reads the figures (federation.view_all_figures), never the register.
    town_admin, clerk = [], []
    for name in MODELS:
        town_admin += crud("crafts", name, "add change delete view import export")
        clerk += crud("crafts", name, "add change view import export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, VILLAGE_CLERK: clerk})


class Migration(migrations.Migration):
    dependencies = [("crafts", "0001_initial"), ("federation", "0017_roles_submissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
