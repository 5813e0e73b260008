"""Village clerks submit their villages' periods; town administrators review them; the
county reader sees where each village stands."""

from django.db import migrations

from federation.core.roles import COUNTY_READER, TOWN_ADMIN, VILLAGE_CLERK, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        {
            TOWN_ADMIN: [
                "federation.add_periodsubmission",
                "federation.view_periodsubmission",
                "federation.review_periodsubmission",
            ],
            VILLAGE_CLERK: ["federation.add_periodsubmission", "federation.view_periodsubmission"],
            COUNTY_READER: ["federation.view_periodsubmission"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("federation", "0016_periods")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
