import django.db.models.deletion
import federation.core.files
import federation.core.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models

CHILD_CATEGORIES = ("lb_child", "child_difficulty")
BATCH = 500


def fill_targets(apps, schema_editor):
    """Each visit recorded so far was a caring mother's: it is to her child's register entry,
    the one open on the day (of a child's category first). A child not on the register (an
    entry removed since) gets a closed entry spanning her visits, so that none is lost."""
    CareVisit = apps.get_model("aid", "CareVisit")
    HistoricalCareVisit = apps.get_model("aid", "HistoricalCareVisit")
    CareTarget = apps.get_model("aid", "CareTarget")
    Pairing = apps.get_model("aid", "Pairing")
    children = dict(Pairing.objects.values_list("pk", "child_id"))
    entries = {}
    for entry in CareTarget.objects.order_by("since", "pk").values("pk", "person_id", "category", "since", "until"):
        entries.setdefault(entry["person_id"], []).append(entry)

    def choose(person_id, day):
        found = entries.get(person_id, [])
        child = [entry for entry in found if entry["category"] in CHILD_CATEGORIES]
        open_then = [entry for entry in child if entry["since"] <= day and (entry["until"] is None or entry["until"] >= day)]
        for candidates in (open_then, child[::-1], found[::-1]):
            if candidates:
                return candidates[0]["pk"]
        return None

    missing = {}
    for pairing_id, day in CareVisit.objects.filter(target__isnull=True).values_list("pairing_id", "date"):
        person_id = children[pairing_id]
        if choose(person_id, day) is None:
            first, last = missing.get(person_id, (day, day))
            missing[person_id] = (min(first, day), max(last, day))
    for person_id, (first, last) in missing.items():
        entry = CareTarget.objects.create(
            person_id=person_id,
            category="lb_child",
            since=first,
            until=last,
            situation="补录：结对走访记录所指的孩子已不在关爱对象名册上。",
        )
        entries[person_id] = [{"pk": entry.pk, "person_id": person_id, "category": "lb_child", "since": first, "until": last}]

    for model in (CareVisit, HistoricalCareVisit):
        rows = model.objects.filter(target__isnull=True, pairing__isnull=False).only("pk", "pairing_id", "date")
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            person_id = children.get(row.pairing_id)
            row.target_id = choose(person_id, row.date) if person_id is not None else None
            if row.target_id is not None:
                batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, ["target"])
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["target"])
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys' checks now, not at commit: PostgreSQL refuses to alter a table
        # (target NOT NULL, next) with checks of its rows pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('aid', '0006_historical_village'),
        ('federation', '0023_town_admin_manages_staff'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CharityAidAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('id_copy', 'ID card copy'), ('hardship', 'proof of hardship'), ('receipt', 'signed receipt'), ('invoice', 'invoices'), ('photo', 'photo'), ('other', 'other')], max_length=20, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('file', federation.core.files.ProtectedFileField(help_text='A photo (JPEG or PNG) or a PDF.', max_length=255, storage=federation.core.files.protected_storage, upload_to='aid/%Y/%m/', validators=[federation.core.files.validate_attachment], verbose_name='file')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
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
            name='HistoricalCharityAidAttachment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('id_copy', 'ID card copy'), ('hardship', 'proof of hardship'), ('receipt', 'signed receipt'), ('invoice', 'invoices'), ('photo', 'photo'), ('other', 'other')], max_length=20, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('file', models.TextField(help_text='A photo (JPEG or PNG) or a PDF.', max_length=255, validators=[federation.core.files.validate_attachment], verbose_name='file')),
                ('uploaded_at', models.DateTimeField(blank=True, editable=False, verbose_name='uploaded at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical attachment',
                'verbose_name_plural': 'historical attachments',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalMediationSession',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('place', models.CharField(blank=True, max_length=100, verbose_name='place')),
                ('mediators', models.CharField(max_length=200, verbose_name='mediators')),
                ('present', models.CharField(blank=True, max_length=200, verbose_name='parties present')),
                ('content', models.TextField(verbose_name='what was done or agreed')),
                ('result', models.CharField(choices=[('agreed', 'agreement reached'), ('partly', 'partly agreed'), ('not_agreed', 'no agreement')], max_length=20, verbose_name='result of the session')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical mediation session',
                'verbose_name_plural': 'historical mediation sessions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MediationSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('place', models.CharField(blank=True, max_length=100, verbose_name='place')),
                ('mediators', models.CharField(max_length=200, verbose_name='mediators')),
                ('present', models.CharField(blank=True, max_length=200, verbose_name='parties present')),
                ('content', models.TextField(verbose_name='what was done or agreed')),
                ('result', models.CharField(choices=[('agreed', 'agreement reached'), ('partly', 'partly agreed'), ('not_agreed', 'no agreement')], max_length=20, verbose_name='result of the session')),
            ],
            options={
                'verbose_name': 'mediation session',
                'verbose_name_plural': 'mediation sessions',
                'ordering': ['date', 'pk'],
                'default_permissions': ('add', 'change', 'delete', 'view', 'import', 'export'),
            },
            bases=(federation.core.models.ScopedModel, models.Model),
        ),
        migrations.AddField(
            model_name='carevisit',
            name='target',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='aid.caretarget', verbose_name='care target'),
        ),
        migrations.AddField(
            model_name='carevisit',
            name='visitor',
            field=models.CharField(blank=True, help_text='Who visited, when it was not the caring mother of the pairing. Left empty, your name.', max_length=100, verbose_name='visited by'),
        ),
        migrations.AddField(
            model_name='historicalcarevisit',
            name='target',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='aid.caretarget', verbose_name='care target'),
        ),
        migrations.AddField(
            model_name='historicalcarevisit',
            name='visitor',
            field=models.CharField(blank=True, help_text='Who visited, when it was not the caring mother of the pairing. Left empty, your name.', max_length=100, verbose_name='visited by'),
        ),
        migrations.AlterField(
            model_name='carevisit',
            name='pairing',
            field=models.ForeignKey(blank=True, help_text="A caring mother's visit: her pairing. Leave it empty for a visit by staff or another visitor.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='aid.pairing', verbose_name='pairing'),
        ),
        migrations.AlterField(
            model_name='historicalcarevisit',
            name='pairing',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="A caring mother's visit: her pairing. Leave it empty for a visit by staff or another visitor.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='aid.pairing', verbose_name='pairing'),
        ),
        migrations.RunPython(fill_targets, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='carevisit',
            name='target',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='aid.caretarget', verbose_name='care target'),
        ),
        migrations.AddIndex(
            model_name='carevisit',
            index=models.Index(fields=['target', 'date'], name='aid_carevisit_target_date'),
        ),
        migrations.AddConstraint(
            model_name='carevisit',
            constraint=models.CheckConstraint(condition=models.Q(('pairing__isnull', False), models.Q(('visitor', ''), _negated=True), _connector='OR'), name='aid_carevisit_someone_visited', violation_error_message='Say who visited: without a pairing it was not a caring mother.'),
        ),
        migrations.AddField(
            model_name='charityaidattachment',
            name='aid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='aid.charityaid', verbose_name='charity aid'),
        ),
        migrations.AddField(
            model_name='charityaidattachment',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcharityaidattachment',
            name='aid',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='aid.charityaid', verbose_name='charity aid'),
        ),
        migrations.AddField(
            model_name='historicalcharityaidattachment',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcharityaidattachment',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmediationsession',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='aid.disputecase', verbose_name='dispute case'),
        ),
        migrations.AddField(
            model_name='historicalmediationsession',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmediationsession',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmediationsession',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='federation.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='mediationsession',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='aid.disputecase', verbose_name='dispute case'),
        ),
        migrations.AddField(
            model_name='mediationsession',
            name='recorded_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='mediationsession',
            name='village',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='federation.village', verbose_name='village'),
        ),
        migrations.AddIndex(
            model_name='mediationsession',
            index=models.Index(fields=['village', 'date'], name='aid_mediation_village_date'),
        ),
    ]
