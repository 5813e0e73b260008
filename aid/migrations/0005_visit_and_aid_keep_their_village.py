import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def stamp(apps, schema_editor):
    """Visits and aid recorded so far count where the child or household lives today: the
    best that is known of where they lived then."""
    CareVisit = apps.get_model("aid", "CareVisit")
    CharityAid = apps.get_model("aid", "CharityAid")
    Pairing = apps.get_model("aid", "Pairing")
    Household = apps.get_model("federation", "Household")
    CareVisit.objects.update(
        village=Subquery(Pairing.objects.filter(pk=OuterRef("pairing_id")).values("child__village_id")[:1])
    )
    CharityAid.objects.update(
        village=Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("village_id")[:1])
    )
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys' checks now, not at commit: PostgreSQL refuses to alter a table
        # (the village NOT NULL, next) with checks of its updated rows pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0004_drive_roles"),
        ("federation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="carevisit",
            name="village",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="federation.village",
                verbose_name="village",
            ),
        ),
        migrations.AddField(
            model_name="charityaid",
            name="village",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="federation.village",
                verbose_name="village",
            ),
        ),
        migrations.RunPython(stamp, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="carevisit",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="federation.village",
                verbose_name="village",
            ),
        ),
        migrations.AlterField(
            model_name="charityaid",
            name="village",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="federation.village",
                verbose_name="village",
            ),
        ),
        migrations.AddIndex(
            model_name="carevisit",
            index=models.Index(fields=["village", "date"], name="aid_carevisit_village_date"),
        ),
        migrations.AddIndex(
            model_name="charityaid",
            index=models.Index(fields=["village", "date"], name="aid_charityaid_village_date"),
        ),
    ]
