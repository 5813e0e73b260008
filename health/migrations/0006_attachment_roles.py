from django.db import migrations

from federation.core.roles import HEALTH_RECORDER, TOWN_ADMIN, crud, grant_permissions


def grant(apps, schema_editor):
    # Whoever keeps the applications keeps their files, and deletes one uploaded by mistake
    # while the application waits for review.
    files = crud("health", "canceraidattachment")
    grant_permissions(apps, {TOWN_ADMIN: files, HEALTH_RECORDER: files})


class Migration(migrations.Migration):
    dependencies = [("health", "0005_aid_attachments")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
