
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aid', '0005_visit_and_aid_keep_their_village'),
        ('federation', '0018_craft_training_county_approved'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalcarevisit',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='federation.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='historicalcharityaid',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='federation.village', verbose_name='village'),
        ),
    ]
