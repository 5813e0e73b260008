
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0020_approved_figures'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('sex', 'F'), ('status', 'resident')), fields=['birth_date', 'village', 'id'], name='federation_person_girls'),
        ),
    ]
