"""Demo meetings per site: the kinds of meeting of the reference file held at
their rhythm over the last year the site ran, each steering meeting with a
decision and follow-up actions (the latest still open), and the decisions
the report itself describes (Middelburg's changed intake process, L4012-4014
and L4142; Rotterdam's information campaign when inflow lagged, L4293-4294
and L4379-4381)."""

from __future__ import annotations

import datetime

from core.demo import DemoContext
from core.models import Site
from intake.models import IntakeCase, IntakeProcessVersion
from partners.models import Organisation
from steering.models import MeetingKind
from steering.services import (
    action_complete,
    action_create,
    decision_create,
    meeting_create,
)

DAY = datetime.timedelta(days=1)
#: the demo's rhythm per kind of meeting, in days (the report's frequencies)
EVERY_DAYS = {
    "stuurgroep": 91,
    "voorportaal": 91,
    "kernteam": 30,
    "casusoverleg": 30,
    "diz_overleg": 21,
    "projectoverleg": 14,
    "ketenoverleg": 30,
}
MEETINGS_PER_KIND = 6
STEERING_KINDS = {"stuurgroep", "voorportaal", "kernteam", "ketenoverleg"}

GENERIC_DECISIONS = [
    "De instroom wordt maandelijks met de ketenpartners besproken.",
    "De verdeling van taken in de verantwoordelijkheidstabel blijft ongewijzigd.",
    "De projectleider legt een voorstel voor extra signalering van kandidaten voor.",
]
GENERIC_ACTIONS = [
    "Overzicht instroom en bezetting voor de volgende vergadering.",
    "Navragen bij de reclassering welke capaciteit beschikbaar is.",
    "Afspraak met DIZ over het eerder doorgeven van namen.",
]

REPORT_DECISIONS = {
    "middelburg": (
        "Het advies na de pre-scan wordt door de PI gegeven in plaats van door "
        "de reclassering; de KV ontvangt de namen eerder van DIZ "
        "(zoals beschreven in het evaluatierapport).",
        datetime.date(2020, 7, 15),
    ),
    "rotterdam": (
        "Instroom blijft achter: informatie verstrekken met flyers, brieven, "
        "presentaties en rondleidingen in de KV (zoals beschreven in het "
        "evaluatierapport).",
        datetime.date(2019, 10, 15),
    ),
}


def _span(site: Site, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last year of the site's recorded life (planned, open or closed)."""
    periods = list(site.status_periods.order_by("start"))
    if not periods:
        return today - 365 * DAY, today
    first = periods[0].start
    closing = [p.start for p in periods if p.status in ("closed", "not_realised")]
    last = min(closing[0] if closing else today, today)
    return max(first, last - 365 * DAY), last


def seed_steering(ctx: DemoContext) -> None:
    for site in ctx.sites.values():
        kinds = list(MeetingKind.objects.filter(site=site))
        if not kinds:
            continue
        leader = ctx.users[f"pl-{site.code}"]
        casemanager = ctx.users[f"cm-{site.code}"]
        organisations = list(Organisation.objects.for_site(site).order_by("name"))
        start, end = _span(site, ctx.today)
        cases = list(IntakeCase.objects.filter(site=site).order_by("-opened_on")[:6])
        for kind in kinds:
            every = EVERY_DAYS.get(kind.code, 60) * DAY
            days = []
            day = end - DAY * ctx.rng.randint(3, 12)
            while day >= start and len(days) < MEETINGS_PER_KIND:
                days.append(day)
                day -= every
            for index, held_on in enumerate(sorted(days)):
                latest = index == len(days) - 1
                present = ctx.rng.sample(organisations, min(4, len(organisations)))
                meeting = meeting_create(
                    site=site,
                    kind=kind,
                    held_on=held_on,
                    organisations=present,
                    notes="Demo-verslag: voortgang van de KV besproken.",
                    created_by=leader,
                )
                if kind.code in STEERING_KINDS:
                    decision = decision_create(
                        meeting=meeting,
                        text=ctx.rng.choice(GENERIC_DECISIONS),
                        created_by=leader,
                    )
                    for owner in (leader, casemanager):
                        action = action_create(
                            meeting=meeting,
                            decision=decision,
                            description=ctx.rng.choice(GENERIC_ACTIONS),
                            owner=owner,
                            due_on=held_on + DAY * ctx.rng.choice([14, 28, 42]),
                            created_by=leader,
                        )
                        # the latest meeting's actions stay open
                        if not latest and action.due_on <= ctx.today:
                            action_complete(
                                action=action,
                                done_on=action.due_on,
                                completed_by=owner,
                            )
                elif kind.code == "casusoverleg" and cases:
                    decision_create(
                        meeting=meeting,
                        text="Casus besproken; vervolgstappen met de partners "
                        "afgesproken.",
                        cases=ctx.rng.sample(cases, min(2, len(cases))),
                        created_by=casemanager,
                    )
        _report_decision(ctx, site, leader)


def _report_decision(ctx: DemoContext, site: Site, leader: object) -> None:
    found = REPORT_DECISIONS.get(site.code)
    kind = MeetingKind.objects.filter(site=site, code="stuurgroep").first()
    if found is None or kind is None:
        return
    text, held_on = found
    meeting = meeting_create(
        site=site,
        kind=kind,
        held_on=held_on,
        notes="Demo: besluit zoals beschreven in het evaluatierapport.",
        created_by=leader,
    )
    process = (
        IntakeProcessVersion.objects.filter(site=site, valid_from__gt=held_on)
        .order_by("valid_from")
        .first()
    )
    decision_create(
        meeting=meeting, text=text, process_version=process, created_by=leader
    )
