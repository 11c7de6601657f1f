"""Every ``derived_from`` of every catalogue can fire on the form it belongs to.

For each site the reference data is loaded as in production and one stay per
intake process version is registered completely: the person, an intake case
with every stage and pre-scan answer of that process, every step after
placement, the individual plan,
every kind of job-search activity and a paid job found and continued. Then
every derived item of the site's catalogue must be recorded per person,
asked at some measurement moment, and show its registered value on the
measurement form of that moment for at least one of those stays. A derived
item on a KV-level form, at no moment, or naming a stage, route or field
that does not exist for the site, fails here.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from core.models import Site
from evaluation.catalogue import current_catalogue
from evaluation.derived import PATH_RE
from evaluation.forms import MeasurementForm
from evaluation.models import Item, Measurement, Moment, RecordedAt
from evaluation.services import items_for
from intake.models import (
    IntakeProcessVersion,
    PrescanAnswer,
    PrescanPartner,
    StageEvent,
)
from tests.factories import (
    EmploymentFactory,
    IndividualPlanFactory,
    IntakeCaseFactory,
    JobSearchActivityFactory,
    PersonFactory,
    PlaceTypeFactory,
    StayFactory,
)
from trajectories.models import JobOrigin, JobSearchKind, PayKind
from trajectories.models.steps import StayStep, StayStepDefinition

pytestmark = pytest.mark.django_db

D = datetime.date


def _registered_stays(site: Site) -> list:
    """One completely registered stay per intake process version of ``site``."""
    place_type = site.place_types.first() or PlaceTypeFactory(site=site)
    stays = []
    for process in IntakeProcessVersion.objects.filter(site=site):
        person = PersonFactory(site=site, gender="male")
        case = IntakeCaseFactory(
            site=site,
            person=person,
            process=process,
            entry_route=process.entry_routes.first(),
            opened_on=D(2022, 1, 3),
        )
        for stage in process.stages.all():
            StageEvent.objects.create(
                case=case,
                stage=stage,
                occurred_on=D(2022, 1, 10),
                outcome=(stage.outcomes or ["completed"])[0],
            )
        for partner in PrescanPartner.values:
            PrescanAnswer.objects.create(
                case=case,
                partner=partner,
                asked_on=D(2022, 1, 4),
                answered_on=D(2022, 1, 5),
                objection=False,
            )
        stay = StayFactory(
            site=site,
            person=person,
            intake_case=case,
            place_type=place_type,
            placed_on=D(2022, 2, 1),
            ended_on=D(2022, 12, 1),
            outflow_type="end_of_sentence",
            legal_title="bba",
        )
        for definition in StayStepDefinition.objects.filter(site=site):
            StayStep.objects.create(
                stay=stay, definition=definition, occurred_on=D(2022, 2, 3)
            )
        IndividualPlanFactory(stay=stay, written_by_detainee=True)
        for kind in JobSearchKind.values:
            JobSearchActivityFactory(stay=stay, kind=kind, used=True)
        EmploymentFactory(
            stay=stay,
            pay_kind=PayKind.PAID,
            origin=JobOrigin.FOUND,
            started_on=D(2022, 3, 1),
            continued_after_outflow=True,
        )
        stays.append(stay)
    return stays


def _fires(item: Item, moment: str, stays: list) -> bool:
    """Whether the measurement form of ``moment`` shows a registered value."""
    catalogue = item.catalogue
    for stay in stays:
        measurement = Measurement(
            stay=stay, catalogue=catalogue, moment=moment, version=1
        )
        form = MeasurementForm(
            items=items_for(catalogue, moment),
            answers={},
            stay=measurement.stay,
            version=1,
        )
        if form.derived.get(item.pk) is not None:
            return True
    return False


def test_every_derived_item_of_every_catalogue_fires_on_its_form():
    call_command("load_reference", stdout=io.StringIO())
    sites = list(Site.objects.filter(catalogue_versions__isnull=False).distinct())
    assert len(sites) == 5
    problems = []
    checked = 0
    for site in sites:
        catalogue = current_catalogue(site)
        stays = _registered_stays(site)
        assert stays, f"{site.code}: no intake process to register a stay with"
        derived = Item.objects.filter(catalogue=catalogue).exclude(derived_from="")
        for item in derived.select_related("topic", "catalogue"):
            where = f"{site.code} {item.var} ({item.derived_from})"
            if item.recorded_at != RecordedAt.PERSON:
                problems.append(f"{where}: recorded per KV, a form without a stay")
                continue
            moments = [
                moment
                for moment in Moment.values
                if item in items_for(catalogue, moment)
            ]
            if not moments:
                problems.append(f"{where}: asked at no measurement moment")
                continue
            match = PATH_RE.match(item.derived_from)
            if match and match["code"] is not None:
                known = _codes(match["root"], match["field"], site)
                if match["code"] not in known:
                    problems.append(f"{where}: {match['code']!r} not in {known}")
            for moment in moments:
                checked += 1
                if not _fires(item, moment, stays):
                    problems.append(f"{where}: shows nothing at the {moment}")
    assert not problems, "\n".join(problems)
    assert checked >= 50  # every catalogue has registered items


def _codes(root: str, field: str, site: Site) -> set[str]:
    """The codes a ``<root>.<field>=<code>`` path may name for ``site``."""
    from intake.models import EntryRoute
    from trajectories.models import Stay

    if (root, field) == ("intake", "entry_route"):
        return set(
            EntryRoute.objects.filter(process__site=site).values_list("code", flat=True)
        )
    model = {"stay": Stay}.get(root)
    if model is None:
        return set()
    return {str(value) for value, _label in model._meta.get_field(field).choices}
