"""The eight protective factors and the five-point items that score them.

Reference data (``fixtures/reference/protective_factors.yaml``): per factor
its ``code``, ``name`` and the ``vars`` of the Bijlage 4 items that score it
(one per site that asks it), and ``scores``: the score of each answer of the
five-point scale. Evaluation owns the definition because it keeps the score
sums per measurement (``evaluation.summaries``); dashboards reads those,
never the file. After the file changes, ``manage.py answer_summaries
--rebuild`` brings the stored sums in line with it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from evaluation.models import Moment

FACTORS_FILE = (
    Path(settings.BASE_DIR) / "fixtures" / "reference" / "protective_factors.yaml"
)
#: the moments the change on the factors is computed for
FACTOR_MOMENTS = (Moment.NULMETING, Moment.EINDMETING, Moment.NAMETING)


def check_protective_factors(data: dict[str, Any]) -> None:
    """Refuse a definition a score sum could not be kept for: a factor
    without code, name or vars, a code twice, a var scoring two factors, a
    score that is no whole number."""
    codes: set[str] = set()
    variables: set[str] = set()
    for factor in data.get("factors") or []:
        if not (factor.get("code") and factor.get("name") and factor.get("vars")):
            raise ValueError(f"a factor needs a code, a name and vars: {factor!r}")
        if factor["code"] in codes:
            raise ValueError(f"factor {factor['code']} is defined twice")
        twice = variables & set(factor["vars"])
        if twice:
            raise ValueError(f"{sorted(twice)} score more than one factor")
        codes.add(factor["code"])
        variables |= set(factor["vars"])
    if not data.get("scores") or not all(
        isinstance(score, int) for score in data["scores"].values()
    ):
        raise ValueError("scores: every answer of the scale needs a whole number")


@cache
def protective_factors() -> dict[str, Any]:
    """The definition in ``FACTORS_FILE`` (``factors`` and ``scores``), read
    and checked once per process."""
    with FACTORS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    check_protective_factors(data)
    return data


def factor_of_var() -> dict[str, str]:
    """Item ``var`` -> the code of the factor it scores."""
    return {
        var: factor["code"]
        for factor in protective_factors()["factors"]
        for var in factor["vars"]
    }


def factor_name(code: str) -> str:
    factors = protective_factors()["factors"]
    return next((f["name"] for f in factors if f["code"] == code), code)
