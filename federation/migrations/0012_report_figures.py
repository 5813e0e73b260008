from django.db import migrations

from federation.core.roles import COUNTY_READER, grant_permissions


def grant(apps, schema_editor):
    # The county reader keeps every report of figures it read, without any record's permission.
    grant_permissions(apps, {COUNTY_READER: ["federation.view_all_figures"]})


class Migration(migrations.Migration):
    dependencies = [("federation", "0011_import_record_status")]

    operations = [
        migrations.AlterModelOptions(
            name="reportlog",
            options={
                "default_permissions": ("view",),
                "ordering": ["-created_at"],
                "permissions": [
                    ("view_reports", "Can view and download reports"),
                    ("view_all_figures", "Can read the figures of every report without the records' permissions"),
                ],
                "verbose_name": "report log",
                "verbose_name_plural": "report logs",
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
