from django.db import migrations

from federation.core.roles import CARE_RECORDER, TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions

FILES = ["caretarget", "pairing", "carevisit", "disputecase"]


def grant(apps, schema_editor):
    town_admin = ["aid.view_domestic_violence", *crud("aid", "charityaid", "add change delete view import export")]
    recorder = []
    for name in FILES:
        town_admin += crud("aid", name, "add change delete view import export")
        recorder += crud("aid", name, "add change view import export")
    clerk = crud("aid", "charityaid", "add change view export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, CARE_RECORDER: recorder, VILLAGE_CLERK: clerk})


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial"), ("federation", "0009_roles_record_access")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
