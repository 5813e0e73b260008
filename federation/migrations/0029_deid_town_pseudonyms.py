"""De-identified rosters: each town's secret key for its pseudonyms, and its switch letting the
county reader take them. The column's default is worked out once for the rows already there:
the data step gives each existing town a key of its own."""

from django.db import migrations, models

import federation.core.fields
import federation.core.pseudonyms


def give_each_town_its_key(apps, schema_editor):
    Town = apps.get_model("federation", "Town")
    for town in Town.objects.only("pk"):
        Town.objects.filter(pk=town.pk).update(pseudonym_key=federation.core.pseudonyms.new_key())


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0028_otp_second_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltown",
            name="county_takes_deidentified",
            field=models.BooleanField(
                default=False,
                help_text="When ticked, a county reader may download this town's de-identified rosters (people, households, two-cancer screenings, HPV doses): a pseudonym, the village, the sex and an age band for each person, never a name, an ID number, a phone, an address or a birth date.",
                verbose_name="county readers may take the de-identified rosters",
            ),
        ),
        migrations.AddField(
            model_name="town",
            name="county_takes_deidentified",
            field=models.BooleanField(
                default=False,
                help_text="When ticked, a county reader may download this town's de-identified rosters (people, households, two-cancer screenings, HPV doses): a pseudonym, the village, the sex and an age band for each person, never a name, an ID number, a phone, an address or a birth date.",
                verbose_name="county readers may take the de-identified rosters",
            ),
        ),
        migrations.AddField(
            model_name="town",
            name="pseudonym_key",
            field=federation.core.fields.SecretField(
                default=federation.core.pseudonyms.new_key, editable=False, max_length=64
            ),
        ),
        migrations.RunPython(give_each_town_its_key, migrations.RunPython.noop),
    ]
