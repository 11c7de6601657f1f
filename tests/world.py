"""One coherent set of case objects per site for the permission matrix.

``build_world(site, marker)`` returns the value to use for every URL keyword
argument of the project (``person_pk``, ``site_code``, ...). A URL whose
keyword is missing here makes the matrix test fail, so a new URL is covered
as soon as its object is added. Every name-like field carries ``marker`` so a
response can be searched for leaked data.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import tests.world_parts
from core.models import Site
from core.tasks import worker_heartbeat
from tests.factories import (
    CapacityPeriodFactory,
    IntakeCaseFactory,
    PersonFactory,
    PlaceTypeFactory,
    StayFactory,
)


def build_world(site: Site, marker: str) -> dict[str, Any]:
    # A running installation: a worker has just beaten, so the crawls find
    # /health/ answering 200 like any page (its 503 without a worker is
    # tested in tests/queue/test_health.py).
    worker_heartbeat()
    place_type = PlaceTypeFactory(site=site)
    CapacityPeriodFactory(place_type=place_type, places=20)
    person = PersonFactory(
        site=site,
        first_name=f"Voornaam{marker}",
        last_name=f"Achternaam{marker}",
        # digits only, as a real DJI number, and unique per marker
        dji_number="7" + str(int.from_bytes(marker.encode(), "big") % 10**8).zfill(8),
    )
    case = IntakeCaseFactory(site=site, person=person)
    stay = StayFactory(
        site=site, person=person, place_type=place_type, intake_case=case
    )
    world: dict[str, Any] = {
        "site_code": site.code,
        "person_pk": person.pk,
        "case_pk": case.pk,
        "stay_pk": stay.pk,
        "_person": person,
        "_case": case,
        "_stay": stay,
        "_place_type": place_type,
    }
    # Each app adds the objects behind its own URL keywords in
    # tests/world_parts/<app>.py, as ``build(site, marker, world)``.
    for module_info in sorted(pkgutil.iter_modules(tests.world_parts.__path__)):
        module = importlib.import_module(f"tests.world_parts.{module_info.name}")
        module.build(site, marker, world)
    return world
