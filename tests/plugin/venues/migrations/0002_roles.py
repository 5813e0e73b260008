from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        {
            TOWN_ADMIN: crud("venues", "venue", "add change delete view import export"),
            VILLAGE_CLERK: crud("venues", "venue", "add change view export"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial"), ("federation", "0009_roles_record_access")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
