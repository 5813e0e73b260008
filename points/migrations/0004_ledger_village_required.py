import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    PointEntry = apps.get_model("points", "PointEntry")
    Household = apps.get_model("federation", "Household")
    PointEntry.objects.filter(village__isnull=True).update(
        village_id=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1])
    )
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys' checks now, not at commit: PostgreSQL refuses to alter a table
        # (the village NOT NULL, next) with checks of its updated rows pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("points", "0003_ledger_village")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pointentry",
            name="village",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="federation.village",
                verbose_name="village",
            ),
        ),
    ]
