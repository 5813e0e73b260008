
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0019_import_job_heartbeat'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApprovedFigures',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.DateField(verbose_name='period from')),
                ('end', models.DateField(verbose_name='period until')),
                ('report', models.CharField(max_length=50, verbose_name='report')),
                ('header', models.JSONField(verbose_name='header')),
                ('rows', models.JSONField(verbose_name='rows')),
                ('approved_at', models.DateTimeField(verbose_name='approved at')),
                ('town', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='federation.town', verbose_name='town')),
                ('village', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='federation.village', verbose_name='village')),
            ],
            options={
                'verbose_name': 'approved figures',
                'verbose_name_plural': 'approved figures',
                'default_permissions': (),
                'indexes': [models.Index(fields=['town', 'start', 'end', 'report'], name='federation_approved_find')],
            },
        ),
    ]
