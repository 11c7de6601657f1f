"""Hand-built data sets for the dashboard and export tests."""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml
from django.conf import settings

from core.models import Site
from evaluation.models import Answer, CatalogueVersion, Item, Measurement
from intake.models import (
    CaseEndReason,
    IntakeCase,
    IntakeProcessVersion,
    IntakeStageDefinition,
    StageEvent,
)
from partners.models import CaseRole
from tests.factories import (
    CapacityPeriodFactory,
    OrganisationFactory,
    PersonFactory,
    PlaceTypeFactory,
    SiteFactory,
    catalogue_from_data,
)
from trajectories.models import (
    Activity,
    Employment,
    Goal,
    GoalDomain,
    Incident,
    IndividualPlan,
    JobSearchActivity,
    ProgrammePhase,
    Stay,
    StayPhase,
)

D = datetime.date

# Ages at placement and days of participation chosen to give the report's
# B7.1: mean 41 (25-52) and mean 304 days (81-882).
AGES = [25, 52, 38, 40, 41, 43, 44, 45]
DAYS = [81, 882, 200, 230, 245, 250, 260, 284]
PLACED = datetime.date(2018, 3, 1)


def krimpen_catalogue(site: Site) -> CatalogueVersion:
    path = Path(settings.BASE_DIR) / "fixtures/reference/indicators/krimpen.yaml"
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["site"] = site.code
    return catalogue_from_data(site, data)


def answer(stay: Stay, catalogue: CatalogueVersion, var: str, value=None, reason=""):
    measurement, _created = Measurement.objects.get_or_create(
        stay=stay,
        moment="eindmeting",
        sequence=0,
        defaults={
            "catalogue": catalogue,
            "due_on": stay.ended_on,
            "status": "complete",
        },
    )
    return Answer.objects.create(
        measurement=measurement,
        item=Item.objects.get(catalogue=catalogue, var=var),
        value=value,
        missing_reason=reason,
    )


def bijlage7_people() -> tuple[Site, list[Stay]]:
    """Eight DC II participants registered so that Bijlage 7 comes out as printed.

    Plus one regular ZBBI detainee on a KV place, who must not be counted.
    """
    site = SiteFactory(code="krimpen", name="KV Krimpen", alias="De Compagnie II")
    place_type = PlaceTypeFactory(site=site)
    CapacityPeriodFactory(place_type=place_type, places=12)
    catalogue = krimpen_catalogue(site)
    employer = OrganisationFactory(name="Lasbedrijf Voorbeeld")
    volunteers = OrganisationFactory(name="Gevangenenzorg", kind="volunteers")
    domain = GoalDomain.objects.create(
        framework="basic_condition", code="werk", name="Werk"
    )
    stays = []
    for index, (age, days) in enumerate(zip(AGES, DAYS, strict=True)):
        born = PLACED.replace(year=PLACED.year - age) - datetime.timedelta(days=10)
        person = PersonFactory(site=site, date_of_birth=born)
        stay = Stay.objects.create(
            site=site,
            person=person,
            place_type=place_type,
            placed_on=PLACED,
            ended_on=PLACED + datetime.timedelta(days=days),
            outflow_type="end_of_sentence",
        )
        stays.append(stay)
        # B7.1: one drug user; rules and group functioning 8/8
        if index == 3:
            Incident.objects.create(
                stay=stay, occurred_on=PLACED, kind="drug_use",
                detection="urine_test", consequence="warning",
            )  # fmt: skip
        answer(stay, catalogue, "kri_act_functioneert_groep", True)
        answer(stay, catalogue, "kri_act_naleving_gedragsregels", True)
        for var in (
            "kri_wd_identiteitsbewijs",
            "kri_wd_zicht_onderdak",
            "kri_wd_zicht_inkomen",
            "kri_wd_zorgverzekering",
        ):
            answer(stay, catalogue, var, True)
        answer(stay, catalogue, "kri_wd_aanpak_schulden", reason="not_applicable")
        # sixth basic condition: 6 of 8
        answer(stay, catalogue, "kri_wd_ondersteunend_netwerk", index < 6)
        # B7.2: consultant 6, vacancies 8, contact 7, interviews 7, course 8,
        # theme evening 8
        used = {
            "labour_consultant": index < 6,
            "vacancy_search": True,
            "employer_contact": index != 7,
            "job_interview": index != 6,
            "course": True,
            "theme_evening": True,
        }
        for kind, was_used in used.items():
            JobSearchActivity.objects.create(
                stay=stay, kind=kind, used=was_used, occurred_on=PLACED,
                reason_not_used="" if was_used else "niet nodig",
            )  # fmt: skip
        # B7.3: 6 paid, 1 volunteer, 1 unknown
        if index < 7:
            Employment.objects.create(
                stay=stay, employer=employer, job_title="lasser",
                hours_per_week=32, pay_kind="paid" if index < 6 else "volunteer",
                started_on=PLACED + datetime.timedelta(days=20), origin="found",
            )  # fmt: skip
        else:
            answer(stay, catalogue, "kri_wd_betaalde_baan", reason="unknown")
        # text of B7.2 and B7.3.1: seven have a plan, all drawn up by
        # themselves; the eighth has none and no volunteer (footnote 12). Of
        # the seven, six are supported by volunteer and network alike.
        if index < 7:
            plan = IndividualPlan.objects.create(
                stay=stay, name="Mijn Compagnieplan", drawn_up_on=PLACED,
                written_by_detainee=True,
            )  # fmt: skip
            CaseRole.objects.create(
                person=person, role="buddy", organisation=volunteers,
                name=f"Vrijwilliger {index}", started_on=PLACED,
            )  # fmt: skip
            answer(stay, catalogue, "kri_act_ondersteuning_buddy", index < 6)
            answer(stay, catalogue, "kri_act_ondersteuning_netwerk", index < 6)
            # a volunteer organisation is no partner or expert (B7.3.1: none)
            goal = Goal.objects.create(plan=plan, domain=domain, description="Werk")
            Activity.objects.create(
                goal=goal, description="Gesprek", responsible_organisation=volunteers,
            )  # fmt: skip
    regular = PersonFactory(site=site)
    Stay.objects.create(
        site=site, person=regular, place_type=place_type, placed_on=PLACED,
        participant=False,
    )  # fmt: skip
    return site, stays


def site_with_three_stays(code: str = "almelo"):
    """Three stays: two participants who leave in March, one non-participant."""
    site = SiteFactory(code=code)
    place_type = PlaceTypeFactory(site=site)
    CapacityPeriodFactory(place_type=place_type, places=10, valid_from=D(2020, 1, 1))
    phase_one = ProgrammePhase.objects.create(
        site=site, code="one", name="Fase 1", order=1
    )
    phase_two = ProgrammePhase.objects.create(
        site=site, code="two", name="Fase 2", order=2
    )

    def stay(placed, ended=None, outflow="", participant=True):
        return Stay.objects.create(
            site=site, person=PersonFactory(site=site), place_type=place_type,
            placed_on=placed, ended_on=ended, outflow_type=outflow,
            participant=participant,
        )  # fmt: skip

    a = stay(D(2024, 1, 10), D(2024, 3, 5), "end_of_sentence")
    b = stay(D(2024, 2, 1), participant=False)
    c = stay(D(2024, 1, 1), D(2024, 3, 20), "return_to_pi")
    for owner, phase, start, end in [
        (a, phase_one, D(2024, 1, 10), D(2024, 2, 9)),
        (a, phase_two, D(2024, 2, 9), D(2024, 3, 5)),
        (c, phase_one, D(2024, 1, 1), D(2024, 1, 21)),
        (c, phase_two, D(2024, 1, 21), D(2024, 3, 20)),
    ]:
        StayPhase.objects.create(
            stay=owner, phase=phase, place_type=place_type, started_on=start,
            ended_on=end,
        )  # fmt: skip
    return site, (a, b, c)


def intake_round(site, count: int = 1):
    """Per round: three cases; all screened, one placed, one ended not interested."""
    process, _created = IntakeProcessVersion.objects.get_or_create(
        site=site, version=1, defaults={"valid_from": D(2020, 1, 1), "name": "v1"}
    )
    screen, _created = IntakeStageDefinition.objects.get_or_create(
        process=process, code="screen",
        defaults={"name": "Screening", "order": 1, "kind": "assessment",
                  "performer_role": "cm", "performer_organisation": "KV",
                  "outcomes": ["positive", "negative"]},
    )  # fmt: skip
    for _round in range(count):
        cases = [
            IntakeCase.objects.create(
                site=site,
                person=PersonFactory(site=site),
                opened_on=D(2024, 1, 5),
                outcome=outcome,
                closed_on=D(2024, 2, 1) if outcome != "open" else None,
                process=process,
            )
            for outcome in ("placed", "declined", "open")
        ]
        for case, result in zip(
            cases, ("positive", "negative", "positive"), strict=True
        ):
            StageEvent.objects.create(
                case=case, stage=screen, occurred_on=D(2024, 1, 8), outcome=result
            )
        CaseEndReason.objects.create(case=cases[1], code="not_interested")
