# Every date column gets the date policy's range CHECK (old rows are kept,
# see core.migration_operations); dates stored before it that break the
# policy are reported, never changed.

import core.fields
from django.db import migrations

from core.migration_operations import AlterDateField, report_implausible_dates


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_date_policy'),
        ('trajectories', '0012_dutch_field_labels'),
    ]

    operations = [
        AlterDateField(
            model_name='activity',
            name='done_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='done on'),
        ),
        AlterDateField(
            model_name='activity',
            name='due_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='due date'),
        ),
        AlterDateField(
            model_name='employercheck',
            name='checked_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='employment',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='ended on'),
        ),
        AlterDateField(
            model_name='employment',
            name='started_on',
            field=core.fields.PlannedDateField(verbose_name='in service since'),
        ),
        AlterDateField(
            model_name='goal',
            name='target_date',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='target date'),
        ),
        AlterDateField(
            model_name='historicalactivity',
            name='done_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='done on'),
        ),
        AlterDateField(
            model_name='historicalactivity',
            name='due_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='due date'),
        ),
        AlterDateField(
            model_name='historicalemployercheck',
            name='checked_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicalemployment',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='ended on'),
        ),
        AlterDateField(
            model_name='historicalemployment',
            name='started_on',
            field=core.fields.PlannedDateField(verbose_name='in service since'),
        ),
        AlterDateField(
            model_name='historicalgoal',
            name='target_date',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='target date'),
        ),
        AlterDateField(
            model_name='historicalincident',
            name='decided_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='decided on'),
        ),
        AlterDateField(
            model_name='historicalincident',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='aftercare_involved_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='after-care coordinator involved since'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='drawn_up_on',
            field=core.fields.FactDateField(verbose_name='drawn up on'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='risc_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='RISC on'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='risk_assessment_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='risk assessment on'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='signed_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='agreement signed on'),
        ),
        AlterDateField(
            model_name='historicalindividualplan',
            name='strengths_inventory_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='krachteninventarisatie on'),
        ),
        AlterDateField(
            model_name='historicaljobsearchactivity',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicallocationperiod',
            name='ended_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='historicallocationperiod',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='historicalreview',
            name='held_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='historicalreview',
            name='next_review_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='next review'),
        ),
        AlterDateField(
            model_name='historicalstay',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='outflow date'),
        ),
        AlterDateField(
            model_name='historicalstay',
            name='expected_end',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='expected end'),
        ),
        AlterDateField(
            model_name='historicalstay',
            name='placed_on',
            field=core.fields.FactDateField(verbose_name='placement date'),
        ),
        AlterDateField(
            model_name='historicalstayphase',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='historicalstayphase',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='historicalstaystep',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='incident',
            name='decided_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='decided on'),
        ),
        AlterDateField(
            model_name='incident',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='aftercare_involved_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='after-care coordinator involved since'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='drawn_up_on',
            field=core.fields.FactDateField(verbose_name='drawn up on'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='risc_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='RISC on'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='risk_assessment_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='risk assessment on'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='signed_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='agreement signed on'),
        ),
        AlterDateField(
            model_name='individualplan',
            name='strengths_inventory_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='krachteninventarisatie on'),
        ),
        AlterDateField(
            model_name='jobsearchactivity',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='locationperiod',
            name='ended_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='locationperiod',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='programmephase',
            name='valid_from',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='runs from'),
        ),
        AlterDateField(
            model_name='programmephase',
            name='valid_to',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='runs until'),
        ),
        AlterDateField(
            model_name='review',
            name='held_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        AlterDateField(
            model_name='review',
            name='next_review_on',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='next review'),
        ),
        AlterDateField(
            model_name='stay',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='outflow date'),
        ),
        AlterDateField(
            model_name='stay',
            name='expected_end',
            field=core.fields.PlannedDateField(blank=True, null=True, verbose_name='expected end'),
        ),
        AlterDateField(
            model_name='stay',
            name='placed_on',
            field=core.fields.FactDateField(verbose_name='placement date'),
        ),
        AlterDateField(
            model_name='stayphase',
            name='ended_on',
            field=core.fields.FactDateField(blank=True, null=True, verbose_name='until'),
        ),
        AlterDateField(
            model_name='stayphase',
            name='started_on',
            field=core.fields.FactDateField(verbose_name='from'),
        ),
        AlterDateField(
            model_name='staystep',
            name='occurred_on',
            field=core.fields.FactDateField(verbose_name='date'),
        ),
        migrations.RunPython(
            report_implausible_dates('trajectories'), migrations.RunPython.noop
        ),
    ]
