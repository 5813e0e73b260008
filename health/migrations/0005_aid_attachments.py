import django.db.models.deletion
import federation.core.files
import federation.core.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0004_aid_payment_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CancerAidAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('diagnosis', 'diagnosis certificate'), ('invoice', 'medical invoices'), ('id_copy', 'ID card copy'), ('hardship', 'proof of hardship'), ('other', 'other')], max_length=20, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('file', federation.core.files.ProtectedFileField(help_text='A photo (JPEG or PNG) or a PDF.', max_length=255, storage=federation.core.files.protected_storage, upload_to='health/%Y/%m/', validators=[federation.core.files.validate_attachment], verbose_name='file')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='health.canceraidapplication', verbose_name='aid application')),
                ('uploaded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'attachment',
                'verbose_name_plural': 'attachments',
                'ordering': ['uploaded_at', 'pk'],
                'default_permissions': ('add', 'change', 'delete', 'view', 'import', 'export'),
            },
            bases=(federation.core.models.ScopedModel, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalCancerAidAttachment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('diagnosis', 'diagnosis certificate'), ('invoice', 'medical invoices'), ('id_copy', 'ID card copy'), ('hardship', 'proof of hardship'), ('other', 'other')], max_length=20, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('file', models.TextField(help_text='A photo (JPEG or PNG) or a PDF.', max_length=255, validators=[federation.core.files.validate_attachment], verbose_name='file')),
                ('uploaded_at', models.DateTimeField(blank=True, editable=False, verbose_name='uploaded at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('application', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='health.canceraidapplication', verbose_name='aid application')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('uploaded_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical attachment',
                'verbose_name_plural': 'historical attachments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
