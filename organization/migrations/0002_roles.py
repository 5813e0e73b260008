from django.db import migrations

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions

# A village clerk keeps her village federation's own paperwork: its committee, venues,
# volunteers, meetings and delegates (the town's own records are the town's: services.py).
KEPT = ["committee", "committeemember", "venue", "volunteerteam", "volunteer", "meeting", "delegate"]
# Rows of a record's page that a clerk removes when entered by mistake.
ROWS = ["activityvenue", "volunteerhours", "meetingattachment"]


def grant(apps, schema_editor):
    # The county reader reads the figures (federation.view_all_figures), never the registers.
    town_admin, clerk = [], []
    for name in KEPT + ROWS:
        town_admin += crud("organization", name, "add change delete view import export")
    for name in KEPT:
        clerk += crud("organization", name, "add change view import export")
    for name in ROWS:
        clerk += crud("organization", name, "add change delete view export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, VILLAGE_CLERK: clerk})


class Migration(migrations.Migration):
    dependencies = [("organization", "0001_initial"), ("federation", "0026_import_job_print")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
