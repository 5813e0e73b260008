from django.db import migrations

from federation.core.roles import CARE_RECORDER, TOWN_ADMIN, crud, grant_permissions

MODELS = ["referral", "referralfollowup", "protectionmeasure"]


def grant(apps, schema_editor):
    # Referrals and protection measures are kept with the dispute cases, by whoever keeps
    # those (as cases, the care recorder does not delete them).
    town_admin, recorder = [], []
    for name in MODELS:
        town_admin += crud("aid", name, "add change delete view export")
        recorder += crud("aid", name, "add change view export")
    grant_permissions(apps, {TOWN_ADMIN: town_admin, CARE_RECORDER: recorder})


class Migration(migrations.Migration):
    dependencies = [("aid", "0009_referrals_protection_measures")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
