from django.db import migrations

from federation.core.roles import TOWN_ADMIN, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, {TOWN_ADMIN: ["federation.view_recordaccess"]})


class Migration(migrations.Migration):
    dependencies = [("federation", "0008_record_access")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
