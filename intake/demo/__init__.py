"""Demo intake cases, made through the intake services like in the UI.

Cases follow each site's status over time (``Site.status_periods``): they are
only opened while a site is open, so Amsterdam (never realised) gets none,
Rotterdam only April 2019 - July 2020 and Middelburg none while its intake
was frozen. The last two years up to today get a steady flow; older open
periods a lighter one. Cases opened in the last weeks are still open at the
stage they reached, so the worklist has current candidates.

Placements are planned here, with a small occupancy simulation that keeps
them within each place type's realised capacity (a candidate waits for a
free place), and a stay length inside the site's limits. The plans go to
``ctx.extra["placements"]`` in date order; the trajectories step carries them
out (placement, phase changes, incidents, outflow) in date order, so the
capacity checks of the services see the same occupancy.

One module per concept: ``flows`` (the sites' demo flows and stay
limits), ``cases`` (opening, walking and ending the cases: the demo steps
``seed_intake`` and ``seed_taken_over_stages``) and ``placements`` (the
occupancy simulation that plans the stays).
"""

from intake.demo.cases import Plan, seed_intake, seed_taken_over_stages
from intake.demo.flows import FLOWS, End, Flow, open_periods, stay_limits
from intake.demo.placements import Occupancy, Placement

__all__ = [
    "FLOWS",
    "End",
    "Flow",
    "Occupancy",
    "Placement",
    "Plan",
    "open_periods",
    "seed_intake",
    "seed_taken_over_stages",
    "stay_limits",
]
