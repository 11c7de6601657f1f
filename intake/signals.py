"""What intake tells the apps above it (its API for reactions).

Apps above intake (trajectories) connect receivers in their
``AppConfig.ready``; intake never imports them. Signals are sent inside the
service's transaction: a receiver's writes commit or roll back with the
intake change, and a ``ValidationError`` raised by a receiver refuses the
change and reaches the user as the service's own refusal.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by ``case_place`` with ``case``, ``place_type``, ``placed_on``,
#: ``actor`` and ``capacity_override_reason`` once the positive decision is
#: recorded; the receiver that creates the stay returns it, and
#: ``case_place`` returns that stay.
case_placed = Signal()
