"""Stage events and pre-scan answers recorded before this release get the
organisation their stage is agreed to, as agreed and as performing party.

Stages whose organisation is not in the database yet (a new organisation in
partners.yaml) are set, and their records filled, by the next
``manage.py load_reference``, which runs the same functions.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from intake.reference import (
        STAGES_FILE,
        default_performers_backfill,
        load_stages_file,
        stage_performers_apply,
    )

    stage_model = apps.get_model("intake", "IntakeStageDefinition")
    if not stage_model.objects.exists() or not STAGES_FILE.exists():
        return
    organisation_model = apps.get_model("partners", "Organisation")
    stage_performers_apply(
        load_stages_file(),
        stage_model=stage_model,
        organisation_model=organisation_model,
        strict=False,
    )
    default_performers_backfill(
        stage_model=stage_model,
        event_model=apps.get_model("intake", "StageEvent"),
        prescan_model=apps.get_model("intake", "PrescanAnswer"),
        organisation_model=organisation_model,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_stage_performer_and_performing_organisation"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
