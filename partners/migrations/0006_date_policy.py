# Every date column gets the date policy's range CHECK (old rows are kept,
# see core.migration_operations); dates stored before it that break the
# policy are reported, never changed.

import core.fields
from django.db import migrations

from core.migration_operations import AlterDateField, report_implausible_dates


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_date_policy'),
        ('partners', '0005_dutch_field_labels'),
    ]

    operations = [
        AlterDateField(
            model_name='caserole',
            name='ended_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='caserole',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='consent',
            name='given_on',
            field=core.fields.FactDateField(verbose_name='given on'),
        ),
        AlterDateField(
            model_name='consent',
            name='withdrawn_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='withdrawn on'),
        ),
        AlterDateField(
            model_name='historicalcaserole',
            name='ended_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='historicalcaserole',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='historicalconsent',
            name='given_on',
            field=core.fields.FactDateField(verbose_name='given on'),
        ),
        AlterDateField(
            model_name='historicalconsent',
            name='withdrawn_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='withdrawn on'),
        ),
        AlterDateField(
            model_name='historicalnetworkcontact',
            name='contacted_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicalrolecontact',
            name='contacted_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicalrolecontact',
            name='report_on',
            field=core.fields.FactDateField(blank=True, help_text='Krimpen: the volunteer reports within five days of a visit.', null=True, verbose_name='report written on'),
        ),
        AlterDateField(
            model_name='networkcontact',
            name='contacted_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='rolecontact',
            name='contacted_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='rolecontact',
            name='report_on',
            field=core.fields.FactDateField(blank=True, help_text='Krimpen: the volunteer reports within five days of a visit.', null=True, verbose_name='report written on'),
        ),
        migrations.RunPython(
            report_implausible_dates('partners'), migrations.RunPython.noop
        ),
    ]
