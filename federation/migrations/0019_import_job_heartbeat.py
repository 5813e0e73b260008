
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0018_craft_training_county_approved'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last sign of the worker'),
        ),
    ]
