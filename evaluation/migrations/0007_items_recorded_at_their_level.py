"""Existing catalogue items get the level they are recorded at.

Until now a topic whose report column says "KV-niveau" was asked only in the
KV-level measurement, also when its items describe one person (the
"Activiteiten" topics: plan drawn up independently, functioning in the group,
job search, ...). Those items are now recorded on the person's measurement,
so their ``derived_from`` links fire and KV figures are computed from person
data. Only the interview topics about the KV itself stay KV-level:
"Verloop en ervaring in KV" (category proces), "Samenwerking/
netwerkorganisatie" (category contextfactor) and Rotterdam's item on the
group support by DJI staff. Variable names and item rows stay as they are,
so every answer keeps its item; KV-level answers already given to items now
recorded per person stay with their KV-level measurement (a figure about the
KV's participants cannot be split over people) and remain in the export.
"""

from django.db import migrations

KV_CATEGORIES = ("proces", "contextfactor")
KV_ITEMS = ("rot_out_groepsgerichte_ondst",)


def set_levels(apps, schema_editor):
    Item = apps.get_model("evaluation", "Item")
    kv = []
    for pk, var, category, levels in Item.objects.values_list(
        "pk", "var", "topic__category", "topic__levels"
    ):
        kv_only = "kv" in (levels or []) and "persoon" not in (levels or [])
        if (kv_only and category in KV_CATEGORIES) or var in KV_ITEMS:
            kv.append(pk)
    Item.objects.update(recorded_at="persoon")
    for start in range(0, len(kv), 500):
        Item.objects.filter(pk__in=kv[start : start + 500]).update(recorded_at="kv")


class Migration(migrations.Migration):
    dependencies = [('evaluation', '0006_item_recording_level_unit_range_condition')]

    operations = [migrations.RunPython(set_levels, migrations.RunPython.noop)]
