"""What changed on a case since the version a user's page showed, for the
conflict display of a concurrent edit.
"""

from __future__ import annotations

from typing import Any

from core.concurrency import FieldChange
from intake.models import (
    CaseDocument,
    CriterionCheck,
    IntakeCase,
    PrescanAnswer,
    StageEvent,
)

# Case fields whose change another user should see in a conflict.
CASE_CONFLICT_FIELDS = (
    "entry_route",
    "referring_organisation",
    "referring_person",
    "heard_via",
    "report_date",
    "outcome",
    "closed_on",
)
RECORDED_ON_CASE = (StageEvent, PrescanAnswer, CriterionCheck, CaseDocument)


def _shown(record: Any, field: Any) -> Any:
    if field.choices:
        return dict(field.flatchoices).get(getattr(record, field.attname), "")
    if field.is_relation:
        related_pk = getattr(record, field.attname)
        if related_pk is None:
            return ""
        return field.related_model._default_manager.filter(pk=related_pk).first()
    return getattr(record, field.attname)


def case_changes_since(
    *, case: IntakeCase, version: int, submitted: IntakeCase | None = None
) -> list[FieldChange]:
    """What others saved on ``case`` after the user's page showed ``version``.

    One row per case field that differs from then (with the user's own value
    when ``submitted`` carries one) and one per stage, pre-scan answer,
    criterion check or document recorded since. Each save on a case raises
    its version and writes a history row, which dates the change.
    """
    history = case.history.order_by("history_date", "history_id")
    then = history.filter(version=version).last()
    moved = history.filter(version__gt=version).first()
    changes: list[FieldChange] = []
    if then is not None:
        for name in CASE_CONFLICT_FIELDS:
            field = IntakeCase._meta.get_field(name)
            if getattr(then, field.attname) == getattr(case, field.attname):
                continue
            changes.append(
                FieldChange(
                    field=name,
                    label=str(field.verbose_name),
                    stored=_shown(case, field),
                    submitted=_shown(submitted, field) if submitted else "",
                )
            )
    if moved is None:
        return changes
    for model in RECORDED_ON_CASE:
        records = model.history.filter(
            case_id=case.pk, history_date__gte=moved.history_date
        ).select_related("history_user")
        for record in records.order_by("history_date"):
            user = record.history_user.get_username() if record.history_user else ""
            changes.append(
                FieldChange(
                    field=model._meta.model_name,
                    label=str(model._meta.verbose_name),
                    stored=f"{record.instance} ({user})" if user else record.instance,
                    submitted="",
                )
            )
    return changes
