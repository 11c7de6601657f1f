# Research question 3b: where each catalogue item is registered and how it
# reaches the dataset (filled by the catalogue loader from the files).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0008_measurement_due_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='item',
            name='reaches_dataset',
            field=models.CharField(blank=True, choices=[('derived', "derived from this application's registration"), ('researcher', 'entered by the researcher'), ('external_link', 'taken over from an external registration (source and date checked)')], max_length=20, verbose_name='reaches the dataset'),
        ),
        migrations.AddField(
            model_name='item',
            name='registered_in',
            field=models.CharField(blank=True, help_text="This application's registration as app.Model.field, an external registration's code, or 'none'.", max_length=120, verbose_name='registered in'),
        ),
    ]
