"""A town administrator sets up her own staff: adds a clerk (her login, name, roles, villages
and a first password, in one form) and resets a forgotten password. What she may grant is
held to what she holds (federation.admin.ManagesNoMoreThanSheHoldsMixin)."""

from django.db import migrations

from federation.core.roles import TOWN_ADMIN, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        {
            TOWN_ADMIN: [
                "auth.view_user",
                "auth.add_user",
                "auth.change_user",
                "federation.view_staffscope",
                "federation.add_staffscope",
                "federation.change_staffscope",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("federation", "0022_import_job_hidden"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
