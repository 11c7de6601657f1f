"""What trajectories tells the apps above it (its API for reactions).

Apps above trajectories (evaluation) connect receivers in their
``AppConfig.ready``; trajectories never imports them. Signals are sent
inside the service's transaction, so a receiver's writes commit or roll
back together with the change, and an exception in a receiver refuses the
change.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent with ``stay`` after a stay was placed or its dates changed (placement,
#: outflow), so schedules that follow the stay's dates can be brought in step.
stay_changed = Signal()
