# Every date column gets the date policy's range CHECK (old rows are kept,
# see core.migration_operations); dates stored before it that break the
# policy are reported, never changed.

import core.fields
from django.db import migrations

from core.migration_operations import AlterDateField, report_implausible_dates


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_date_policy'),
        ('evaluation', '0002_dutch_field_labels'),
    ]

    operations = [
        AlterDateField(
            model_name='answer',
            name='checked_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='date checked'),
        ),
        AlterDateField(
            model_name='catalogueversion',
            name='valid_from',
            field=core.fields.PlannedDateField(verbose_name='valid from'),
        ),
        AlterDateField(
            model_name='historicalanswer',
            name='checked_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='date checked'),
        ),
        AlterDateField(
            model_name='historicalkvanswer',
            name='checked_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='date checked'),
        ),
        AlterDateField(
            model_name='historicalkvmeasurement',
            name='period_end',
            field=core.fields.PlannedDateField(verbose_name='period until'),
        ),
        AlterDateField(
            model_name='historicalkvmeasurement',
            name='period_start',
            field=core.fields.PlannedDateField(verbose_name='period from'),
        ),
        AlterDateField(
            model_name='historicalmeasurement',
            name='due_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='due on'),
        ),
        AlterDateField(
            model_name='historicalmeasurement',
            name='window_end',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='window closes'),
        ),
        AlterDateField(
            model_name='historicalmeasurement',
            name='window_start',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='window opens'),
        ),
        AlterDateField(
            model_name='kvanswer',
            name='checked_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='date checked'),
        ),
        AlterDateField(
            model_name='kvmeasurement',
            name='period_end',
            field=core.fields.PlannedDateField(verbose_name='period until'),
        ),
        AlterDateField(
            model_name='kvmeasurement',
            name='period_start',
            field=core.fields.PlannedDateField(verbose_name='period from'),
        ),
        AlterDateField(
            model_name='measurement',
            name='due_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='due on'),
        ),
        AlterDateField(
            model_name='measurement',
            name='window_end',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='window closes'),
        ),
        AlterDateField(
            model_name='measurement',
            name='window_start',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='window opens'),
        ),
        migrations.RunPython(
            report_implausible_dates('evaluation'), migrations.RunPython.noop
        ),
    ]
