"""All factories, one module per app; import them from ``tests.factories``."""

from tests.factories.core import *  # noqa: F403
from tests.factories.dashboards import *  # noqa: F403
from tests.factories.evaluation import *  # noqa: F403
from tests.factories.intake import *  # noqa: F403
from tests.factories.partners import *  # noqa: F403
from tests.factories.trajectories import *  # noqa: F403
