"""Imports of vendor exports (issue 15): ``source`` now names the vendor export a file
was read as, and where an import came from (file or API) moves to ``origin``; the
options, notes and counts of replace and undo; what undo restores; remembered
mappings."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0005_engine_month_bounds_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dataimport',
            name='amount_unit',
            field=models.CharField(choices=[('units', 'Amounts as written (12.50)'), ('cents', 'Amounts in cents (1250 for 12.50)')], default='units', max_length=5),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='mapping',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='mode',
            field=models.CharField(choices=[('upsert', 'Add and update records'), ('replace', 'Replace every record of the kind')], default='upsert', max_length=7),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='notes',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='origin',
            field=models.CharField(choices=[('upload', 'File upload'), ('api', 'API records'), ('undo', 'Undo of an import'), ('delete', 'A record deleted')], default='upload', max_length=6),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='reverts',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reverted_by', to='metrics.dataimport'),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='rows_deleted',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='undone_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        # The old source (upload / api) is the new origin; no import had a vendor source.
        migrations.RunSQL("UPDATE metrics_dataimport SET origin = source, source = ''",
                          reverse_sql="UPDATE metrics_dataimport SET source = origin"),
        migrations.AlterField(
            model_name='dataimport',
            name='source',
            field=models.CharField(blank=True, default='', max_length=60),
        ),
        migrations.CreateModel(
            name='ImportChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.JSONField()),
                ('before', models.JSONField(blank=True, null=True)),
                ('data_import', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='metrics.dataimport')),
            ],
            options={
                'indexes': [models.Index(fields=['data_import'], name='metrics_importchange_import')],
            },
        ),
        migrations.CreateModel(
            name='SavedMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=30)),
                ('header_key', models.CharField(max_length=64)),
                ('header', models.JSONField(default=list)),
                ('source', models.CharField(blank=True, default='', max_length=60)),
                ('mapping', models.JSONField(default=dict)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'header_key'), name='saved_mapping_per_header')],
            },
        ),
    ]
