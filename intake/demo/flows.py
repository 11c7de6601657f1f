"""How busy each site's demo intake is (``FLOWS``: gaps between new
cases, stage durations, how cases end, stay lengths), the site's stay
limits and its open periods.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from core.models import Site, SiteStatus
from intake.models import IntakeOutcome

DAY = datetime.timedelta(days=1)
FULL_FLOW_DAYS = 730  # the last two years get the steady flow
MONTH_DAYS = 30.44


@dataclass(frozen=True)
class End:
    """A way a case ends without placement: at which stage, with which reasons."""

    weight: int
    outcome: str
    at: str
    reasons: tuple[str, ...]
    objecting: str = ""


@dataclass(frozen=True)
class Flow:
    """How busy a site's intake is, in the demo."""

    gap_days: int  # mean days between new cases in the last two years
    history_gap_days: int  # mean days between new cases before that
    stage_days: tuple[int, int]  # days a stage takes
    open_days: int  # cases opened this recently are mostly still open
    placed_weight: int  # against the weights of the ends below
    ends: tuple[End, ...]
    stay_months: tuple[float, float, float]  # min, most common, max
    report_after_days: int | None = None  # self-reporters: report date


R = IntakeOutcome
FLOWS: dict[str, Flow] = {
    "almelo": Flow(
        gap_days=8,
        history_gap_days=90,
        stage_days=(3, 10),
        open_days=60,
        placed_weight=55,
        ends=(
            End(8, R.REJECTED, "weegtafel", ("negative_advice",)),
            End(4, R.REJECTED, "weegtafel", ("not_group_suitable",)),
            End(6, R.REJECTED, "selection", ("criterion_not_met",)),
            End(3, R.REJECTED, "victim_consent", ("no_victim_consent",)),
            End(6, R.DECLINED, "motivation_letter", ("prefers_other_regime",)),
            End(5, R.DECLINED, "motivation_letter", ("not_interested",)),
            End(4, R.WAITLISTED, "dossier_waitlist", ("time_too_short",)),
            End(3, R.WITHDRAWN, "intake_interview", ("time_too_short",)),
        ),
        stay_months=(2, 9, 18),  # the site's own limits win, see stay_limits
    ),
    "krimpen": Flow(
        gap_days=12,
        history_gap_days=50,
        stage_days=(2, 9),
        open_days=75,
        placed_weight=55,
        ends=(
            End(8, R.REJECTED, "application_review", ("negative_advice",)),
            End(5, R.REJECTED, "mdo_decision", ("criterion_not_met",)),
            End(5, R.REJECTED, "trial_period", ("negative_advice",)),
            End(6, R.DECLINED, "application", ("not_interested",)),
            End(3, R.WITHDRAWN, "introduction", ("time_too_short",)),
        ),
        stay_months=(3, 12, 18),
    ),
    "middelburg": Flow(
        gap_days=9,
        history_gap_days=150,
        stage_days=(2, 6),
        open_days=56,
        placed_weight=60,
        ends=(
            End(4, R.HANDED_BACK, "prescan", ("prescan_objection",), "om"),
            End(3, R.HANDED_BACK, "prescan", ("prescan_objection",), "veiligheidshuis"),
            End(6, R.REJECTED, "employer_consent", ("employer_refused",)),
            End(4, R.REJECTED, "screening", ("criterion_not_met",)),
            End(6, R.DECLINED, "invitation", ("not_interested",)),
        ),
        stay_months=(0.5, 3, 6),
        report_after_days=56,
    ),
    "rotterdam": Flow(
        gap_days=25,
        history_gap_days=25,
        stage_days=(3, 12),
        open_days=0,
        placed_weight=20,
        ends=(
            End(10, R.REJECTED, "nomination", ("criterion_not_met",)),
            End(4, R.DECLINED, "rc_decision", ("prefers_other_regime",)),
        ),
        stay_months=(1, 2.5, 4),
    ),
}


def stay_limits(site: Site) -> tuple[int, int]:
    """Shortest and longest demo stay in days: the site's own stay limits
    where the report gives them (Almelo 2-18 months), else the demo flow's."""
    flow = FLOWS.get(site.code)
    low = site.stay_min_months or (flow.stay_months[0] if flow else 1)
    high = site.stay_max_months or (flow.stay_months[2] if flow else 12)
    return math.ceil(float(low) * MONTH_DAYS), math.floor(float(high) * 30)


def open_periods(
    site: Site, today: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The site's open periods up to today, adjacent periods merged."""
    periods: list[tuple[datetime.date, datetime.date]] = []
    for status in site.status_periods.filter(status=SiteStatus.OPEN).order_by("start"):
        start, end = status.start, min(status.end or today, today)
        if start > end:
            continue
        if periods and start <= periods[-1][1] + DAY:
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    return periods
