from django.db import migrations

from federation.core.roles import COUNTY_READER, TOWN_ADMIN, VILLAGE_CLERK, grant_permissions


def grant(apps, schema_editor):
    reports = ["federation.view_reports"]
    grant_permissions(
        apps,
        {TOWN_ADMIN: [*reports, "federation.view_reportlog"], VILLAGE_CLERK: reports, COUNTY_READER: reports},
    )


class Migration(migrations.Migration):
    dependencies = [("federation", "0005_report_log")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
