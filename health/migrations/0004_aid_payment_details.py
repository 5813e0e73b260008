
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def paid_as_granted(apps, schema_editor):
    """Aid paid before the payment had its own amount was paid as granted."""
    Application = apps.get_model("health", "CancerAidApplication")
    Application.objects.filter(status="paid", paid_amount__isnull=True).update(paid_amount=models.F("amount_granted"))


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0003_screening_recheck_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='canceraidapplication',
            name='paid_amount',
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=10, null=True, verbose_name='amount paid (yuan)'),
        ),
        migrations.AddField(
            model_name='canceraidapplication',
            name='paid_method',
            field=models.CharField(blank=True, choices=[('bank', 'bank transfer'), ('card', 'social security card'), ('cash', 'cash')], editable=False, max_length=10, verbose_name='how it was paid'),
        ),
        migrations.AddField(
            model_name='canceraidapplication',
            name='paid_to',
            field=models.CharField(blank=True, editable=False, max_length=50, verbose_name='paid to'),
        ),
        migrations.AddField(
            model_name='historicalcanceraidapplication',
            name='paid_amount',
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=10, null=True, verbose_name='amount paid (yuan)'),
        ),
        migrations.AddField(
            model_name='historicalcanceraidapplication',
            name='paid_method',
            field=models.CharField(blank=True, choices=[('bank', 'bank transfer'), ('card', 'social security card'), ('cash', 'cash')], editable=False, max_length=10, verbose_name='how it was paid'),
        ),
        migrations.AddField(
            model_name='historicalcanceraidapplication',
            name='paid_to',
            field=models.CharField(blank=True, editable=False, max_length=50, verbose_name='paid to'),
        ),
        migrations.AlterField(
            model_name='canceraidapplication',
            name='paid_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='payment recorded by'),
        ),
        migrations.AlterField(
            model_name='historicalcanceraidapplication',
            name='paid_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='payment recorded by'),
        ),
        migrations.RunPython(paid_as_granted, migrations.RunPython.noop),
    ]
