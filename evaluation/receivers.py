"""Evaluation's reactions to what the apps below it announce (their signals
are their API); connected in ``EvaluationConfig.ready``."""

from __future__ import annotations

from typing import Any

from evaluation import summaries
from evaluation.services import schedule_sync_for_stay


def measurement_schedule_follows_stay(sender: Any, *, stay: Any, **kwargs: Any) -> None:
    """A placed or ended stay gets its measurement schedule brought in step
    (same transaction as the stay's change)."""
    schedule_sync_for_stay(stay=stay)


def factor_scores_follow_stay(sender: Any, *, stay: Any, **kwargs: Any) -> None:
    """The outflow date copied into the stay's protective-factor scores
    follows the stay (same transaction as the stay's change)."""
    summaries.factor_scores_follow_stay(stay_id=stay.pk, ended_on=stay.ended_on)
