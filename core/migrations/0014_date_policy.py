# Every date column gets the date policy's range CHECK (old rows are kept,
# see core.migration_operations); dates stored before it that break the
# policy are reported, never changed.

import core.fields
from django.db import migrations

from core.migration_operations import AlterDateField, report_implausible_dates


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0013_dutch_field_labels'),
    ]

    operations = [
        AlterDateField(
            model_name='capacityperiod',
            name='valid_from',
            field=core.fields.PlannedDateField(verbose_name='valid from'),
        ),
        AlterDateField(
            model_name='capacityperiod',
            name='valid_to',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='valid until'),
        ),
        AlterDateField(
            model_name='criteriaversion',
            name='valid_from',
            field=core.fields.PlannedDateField(verbose_name='valid from'),
        ),
        AlterDateField(
            model_name='historicalperson',
            name='date_of_birth',
            field=core.fields.FactDateField(verbose_name='date of birth'),
        ),
        AlterDateField(
            model_name='notificationsettings',
            name='digest_sent_on',
            field=core.fields.FactDateField(blank=True, editable=False, null=True, verbose_name='last reminder e-mail'),
        ),
        AlterDateField(
            model_name='person',
            name='date_of_birth',
            field=core.fields.FactDateField(verbose_name='date of birth'),
        ),
        AlterDateField(
            model_name='sitestatusperiod',
            name='end',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='sitestatusperiod',
            name='start',
            field=core.fields.PlannedDateField(verbose_name='from'),
        ),
        migrations.RunPython(
            report_implausible_dates('core'), migrations.RunPython.noop
        ),
    ]
