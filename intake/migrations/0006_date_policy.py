# Every date column gets the date policy's range CHECK (old rows are kept,
# see core.migration_operations); dates stored before it that break the
# policy are reported, never changed.

import core.fields
import django.utils.timezone
from django.db import migrations

from core.migration_operations import AlterDateField, report_implausible_dates


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_date_policy'),
        ('intake', '0005_dutch_field_labels'),
    ]

    operations = [
        AlterDateField(
            model_name='casedocument',
            name='received_on',
            field=core.fields.FactDateField(verbose_name='received on'),
        ),
        AlterDateField(
            model_name='criterioncheck',
            name='checked_on',
            field=core.fields.FactDateField(verbose_name='checked on'),
        ),
        AlterDateField(
            model_name='historicalcasedocument',
            name='received_on',
            field=core.fields.FactDateField(verbose_name='received on'),
        ),
        AlterDateField(
            model_name='historicalcriterioncheck',
            name='checked_on',
            field=core.fields.FactDateField(verbose_name='checked on'),
        ),
        AlterDateField(
            model_name='historicalintakecase',
            name='closed_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='closed on'),
        ),
        AlterDateField(
            model_name='historicalintakecase',
            name='opened_on',
            field=core.fields.FactDateField(default=django.utils.timezone.localdate, verbose_name='opened on'),
        ),
        AlterDateField(
            model_name='historicalintakecase',
            name='report_date',
            field=core.fields.PlannedDateField(blank=True, help_text='For self-reporters called up by DIZ.', null=True, verbose_name='report date (meldingsdatum)'),
        ),
        AlterDateField(
            model_name='historicalprescananswer',
            name='answered_on',
            field=core.fields.FactDateField(verbose_name='answered on'),
        ),
        AlterDateField(
            model_name='historicalprescananswer',
            name='asked_on',
            field=core.fields.FactDateField(verbose_name='asked on'),
        ),
        AlterDateField(
            model_name='historicalstageevent',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='importbatch',
            name='list_date',
            field=core.fields.FactDateField(verbose_name='list date'),
        ),
        AlterDateField(
            model_name='intakecase',
            name='closed_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='closed on'),
        ),
        AlterDateField(
            model_name='intakecase',
            name='opened_on',
            field=core.fields.FactDateField(default=django.utils.timezone.localdate, verbose_name='opened on'),
        ),
        AlterDateField(
            model_name='intakecase',
            name='report_date',
            field=core.fields.PlannedDateField(blank=True, help_text='For self-reporters called up by DIZ.', null=True, verbose_name='report date (meldingsdatum)'),
        ),
        AlterDateField(
            model_name='intakeprocessversion',
            name='valid_from',
            field=core.fields.PlannedDateField(verbose_name='valid from'),
        ),
        AlterDateField(
            model_name='prescananswer',
            name='answered_on',
            field=core.fields.FactDateField(verbose_name='answered on'),
        ),
        AlterDateField(
            model_name='prescananswer',
            name='asked_on',
            field=core.fields.FactDateField(verbose_name='asked on'),
        ),
        AlterDateField(
            model_name='stageevent',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        migrations.RunPython(
            report_implausible_dates('intake'), migrations.RunPython.noop
        ),
    ]
