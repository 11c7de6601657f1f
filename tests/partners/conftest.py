from __future__ import annotations

import pytest

from core.reference import sites_load
from partners.reference import partners_load
from trajectories.reference import plans_load


@pytest.fixture
def reference(db):
    """The five real sites with their plan forms, phases, work rules and
    partner tables from fixtures/reference."""
    sites = {site.code: site for site in sites_load()}
    plans_load()
    partners_load()
    return sites
