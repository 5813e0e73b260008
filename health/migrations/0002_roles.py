from django.db import migrations

from federation.core.roles import HEALTH_RECORDER, TOWN_ADMIN, crud, grant_permissions

RECORDS = ["screening", "insurancepolicy", "canceraidapplication", "hpvdose", "hpvdeferral"]


def grant(apps, schema_editor):
    town_admin = crud("health", "hpvgirl", "view change export") + ["health.review_canceraidapplication"]
    recorder = crud("health", "hpvgirl", "view change export")
    for record in RECORDS:
        town_admin += crud("health", record, "add change delete view import export")
        recorder += crud("health", record, "add change view import export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, HEALTH_RECORDER: recorder})


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial"), ("federation", "0009_roles_record_access")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
