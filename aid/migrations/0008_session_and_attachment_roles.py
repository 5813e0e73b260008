from django.db import migrations

from federation.core.roles import CARE_RECORDER, TOWN_ADMIN, VILLAGE_CLERK, crud, grant_permissions


def grant(apps, schema_editor):
    # Sessions are kept with their cases, files with their aid, by whoever keeps those; a
    # session or a file recorded by mistake is deleted by them too while its record is open.
    sessions = crud("aid", "mediationsession", "add change delete view export")
    files = crud("aid", "charityaidattachment")
    grant_permissions(
        apps,
        {TOWN_ADMIN: sessions + files, CARE_RECORDER: sessions, VILLAGE_CLERK: files},
    )


class Migration(migrations.Migration):
    dependencies = [("aid", "0007_visit_target_sessions_attachments")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
