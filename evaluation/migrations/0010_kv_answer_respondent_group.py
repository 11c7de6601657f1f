# KV-level answers per respondent group. Answers given before keep an empty
# group, "not specified": nothing records who gave them, so no group is
# guessed (no data migration).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0009_item_registration_map'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='kvanswer',
            options={'ordering': ['kv_measurement', 'respondent_group', 'item__order'], 'verbose_name': 'KV-level answer', 'verbose_name_plural': 'KV-level answers'},
        ),
        migrations.RemoveConstraint(
            model_name='kvanswer',
            name='kv_answer_unique_item',
        ),
        migrations.AddField(
            model_name='historicalkvanswer',
            name='respondent_group',
            field=models.CharField(blank=True, max_length=40, verbose_name='respondent group'),
        ),
        migrations.AddField(
            model_name='kvanswer',
            name='respondent_group',
            field=models.CharField(blank=True, max_length=40, verbose_name='respondent group'),
        ),
        migrations.AddConstraint(
            model_name='kvanswer',
            constraint=models.UniqueConstraint(fields=('kv_measurement', 'item', 'respondent_group'), name='kv_answer_unique_item_per_group'),
        ),
    ]
