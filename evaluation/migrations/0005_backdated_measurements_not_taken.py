"""Measurements planned for a window that had already closed when they were
planned (a stay, placement or outflow registered after the fact) become
"not taken (registered afterwards)": they were never a to-do, so they leave
the overdue and missed lists and the exports. A measurement whose window was
still ahead when it was planned keeps its status: a real miss stays missed."""

from django.db import migrations


def mark_not_taken(apps, schema_editor):
    Measurement = apps.get_model("evaluation", "Measurement")
    Historical = apps.get_model("evaluation", "HistoricalMeasurement")
    candidates = dict(
        Measurement.objects.filter(status="planned", window_end__isnull=False)
        .filter(answers__isnull=True)
        .values_list("pk", "window_end")
    )
    if not candidates:
        return
    dated_on = {}
    for pk, window_end, when in (
        Historical.objects.filter(id__in=list(candidates))
        .order_by("history_date", "history_id")
        .values_list("id", "window_end", "history_date")
    ):
        # the first record that holds the measurement's current window
        if pk not in dated_on and window_end == candidates[pk]:
            dated_on[pk] = when.date()
    past = [
        pk
        for pk, window_end in candidates.items()
        if pk in dated_on and window_end < dated_on[pk]
    ]
    for start in range(0, len(past), 500):
        Measurement.objects.filter(pk__in=past[start : start + 500]).update(
            status="not_taken"
        )


class Migration(migrations.Migration):
    dependencies = [('evaluation', '0004_measurement_not_taken_status')]

    operations = [migrations.RunPython(mark_not_taken, migrations.RunPython.noop)]
