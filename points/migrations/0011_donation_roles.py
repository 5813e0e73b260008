from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    # The county reader opens no record: it reads the donation ledger's figures only.
    grant_permissions(
        apps,
        {
            TOWN_ADMIN: crud("points", "donation", "add change delete view import export"),
            VILLAGE_CLERK: crud("points", "donation", "add change view"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("points", "0010_donations")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
