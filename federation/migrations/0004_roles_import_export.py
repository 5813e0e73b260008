from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    both = crud("federation", "person", "import export") + crud("federation", "household", "import export")
    both += crud("federation", "activity", "export") + crud("federation", "honor", "export")
    both.append("federation.view_importrecord")
    grant_permissions(apps, {TOWN_ADMIN: both + crud("federation", "village", "export"), VILLAGE_CLERK: both})


class Migration(migrations.Migration):
    dependencies = [("federation", "0003_import_export_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
