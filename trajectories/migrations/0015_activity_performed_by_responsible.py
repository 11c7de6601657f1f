"""Plan activities recorded before this release were done, as far as anyone
recorded, by their responsible partner: that becomes their performer."""

from django.db import migrations
from django.db.models import F


def forward(apps, schema_editor):
    activity = apps.get_model("trajectories", "Activity")
    activity.objects.filter(
        performing_organisation__isnull=True, responsible_organisation__isnull=False
    ).update(performing_organisation=F("responsible_organisation"))


class Migration(migrations.Migration):
    dependencies = [
        ("trajectories", "0014_activity_performing_organisation"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
