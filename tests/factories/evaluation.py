"""Factories for the evaluation app.

``catalogue_from_data`` loads a catalogue dict through the real loader, so
tests get the same rows a file would give.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import factory
from factory.django import DjangoModelFactory

from core.models import Site
from evaluation.catalogue import ParsedCatalogue, catalogue_load
from evaluation.models import CatalogueVersion, KvMeasurement, Measurement
from tests.factories.core import SiteFactory
from tests.factories.trajectories import StayFactory


def small_catalogue_data(site_code: str, prefix: str = "tst") -> dict[str, Any]:
    """A catalogue with one topic per kind of item the app treats differently."""
    return {
        "site": site_code,
        "table": "B4.x",
        "version": 1,
        "valid_from": datetime.date(2021, 6, 1),
        "topics": [
            {
                "code": f"{prefix}_kenmerken",
                "category": "doelgroep",
                "title": "Kenmerken gedetineerde ten tijde van instroom",
                "evaluations": ["proces", "effect"],
                "methods": ["registratie"],
                "levels": ["persoon", "geaggregeerd"],
                "items": [
                    {"var": f"{prefix}_datum_instroom", "text": "Datum van instroom",
                     "answer_type": "date", "moments": [],
                     "derived_from": "stay.placed_on",
                     "registration": {"held_in": "trajectories.Stay.placed_on",
                                      "route": "derived"}},
                    {"var": f"{prefix}_geboortejaar", "text": "Geboortejaar",
                     "answer_type": "number", "moments": [],
                     "derived_from": "person.birth_year", "unit": "jaartal",
                     "min": 1900, "max": 2015,
                     "registration": {"held_in": "core.Person.date_of_birth",
                                      "route": "derived"}},
                    {"var": f"{prefix}_type_delict",
                     "text": "Type delict waarvoor gedetineerde in detentie zit",
                     "answer_type": "text", "moments": [],
                     "registration": {"held_in": "dji", "route": "researcher"}},
                    {"var": f"{prefix}_nederlands", "text": "Nederlandssprekend",
                     "answer_type": "yes_no", "moments": [],
                     "registration": {"held_in": "intake.CriterionCheck.result",
                                      "route": "researcher"}},
                ],
            },
            {
                "code": f"{prefix}_hoofddoel",
                "category": "outcome_lang",
                "title": "Hoofddoel re-integratie",
                "evaluations": ["effect"],
                "methods": ["vragenlijst"],
                "levels": ["persoon"],
                "items": [
                    {"var": f"{prefix}_woonsituatie", "text": "Woonsituatie",
                     "answer_type": "scale5",
                     "moments": ["nulmeting", "eindmeting", "nameting"],
                     "registration": {"held_in": "none", "route": "researcher"}},
                    {"var": f"{prefix}_veroordeling",
                     "text": "Veroordeling sinds datum uitstroom",
                     "answer_type": "yes_no", "moments": ["nameting"],
                     "record_source": True,
                     "registration": {"held_in": "justid",
                                      "route": "external_link"}},
                ],
            },
            {
                "code": f"{prefix}_samenwerking",
                "category": "contextfactor",
                "title": "Samenwerking/netwerkorganisatie",
                "evaluations": ["proces", "effect"],
                "methods": ["interviews"],
                "levels": ["kv"],
                "items": [
                    {"var": f"{prefix}_verloop", "text": "Verloop samenwerking",
                     "answer_type": "group", "moments": [],
                     "items": [
                         {"var": f"{prefix}_tevredenheid",
                          "text": "Tevredenheid samenwerking",
                          "answer_type": "text", "moments": [],
                          "registration": {"held_in": "none",
                                           "route": "researcher"}},
                     ]},
                ],
            },
        ],
    }  # fmt: skip


def catalogue_from_data(
    site: Site, data: dict[str, Any] | None = None
) -> CatalogueVersion:
    data = data or small_catalogue_data(site.code, prefix=f"t{site.pk}")
    parsed = ParsedCatalogue(
        path=Path(f"{site.code}.yaml"),
        data=data,
        checksum=hashlib.sha256(repr(data).encode()).hexdigest(),
    )
    catalogue, _status = catalogue_load(parsed=parsed, site=site)
    return catalogue


class CatalogueVersionFactory(DjangoModelFactory[CatalogueVersion]):
    class Meta:
        model = CatalogueVersion

    site = factory.SubFactory(SiteFactory)
    version = factory.Sequence(lambda n: n + 1)
    table = "B4.x"
    valid_from = datetime.date(2021, 6, 1)
    source_file = "test.yaml"
    checksum = factory.Sequence(lambda n: f"checksum{n}")


class MeasurementFactory(DjangoModelFactory[Measurement]):
    class Meta:
        model = Measurement

    stay = factory.SubFactory(StayFactory)
    catalogue = factory.SubFactory(
        CatalogueVersionFactory, site=factory.SelfAttribute("..stay.site")
    )
    moment = "nulmeting"
    sequence = 0
    due_on = factory.LazyAttribute(lambda o: o.stay.placed_on)
    window_start = factory.LazyAttribute(lambda o: o.stay.placed_on)
    window_end = factory.LazyAttribute(
        lambda o: o.stay.placed_on + datetime.timedelta(days=30)
    )


class KvMeasurementFactory(DjangoModelFactory[KvMeasurement]):
    class Meta:
        model = KvMeasurement

    site = factory.SubFactory(SiteFactory)
    catalogue = factory.SubFactory(
        CatalogueVersionFactory, site=factory.SelfAttribute("..site")
    )
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 6, 30)


__all__ = [
    "CatalogueVersionFactory",
    "KvMeasurementFactory",
    "MeasurementFactory",
    "catalogue_from_data",
    "small_catalogue_data",
]
