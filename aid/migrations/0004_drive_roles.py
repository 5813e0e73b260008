from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    # The county reader opens no record: it reads the drives report's figures only.
    grant_permissions(
        apps,
        {
            TOWN_ADMIN: crud("aid", "charitydrive", "add change delete view import export"),
            VILLAGE_CLERK: crud("aid", "charitydrive", "add change view"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("aid", "0003_charity_drives")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
