from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions

MANAGED = ["household", "person", "activity", "activityattachment", "honor"]


def grant(apps, schema_editor):
    town_admin = crud("federation", "town", "change view") + crud("federation", "village")
    clerk = crud("federation", "town", "view") + crud("federation", "village", "view")
    for model in MANAGED:
        town_admin += crud("federation", model)
        # Village clerks never delete people or households.
        clerk += crud("federation", model, "add change view" if model in {"household", "person"} else "add change delete view")
    town_admin.append("federation.view_full_identity")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, VILLAGE_CLERK: clerk})


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
