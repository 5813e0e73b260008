
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0021_person_girls_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='hidden',
            field=models.BooleanField(default=False, verbose_name='import hidden rows and columns'),
        ),
    ]
