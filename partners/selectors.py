"""Reads for partners: organisations, responsibility tables, the partners of
a case with the consent warnings, and the social network."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.dates import day_text
from core.models import Person, Site
from core.scoping import REFERENCE_ROLES
from partners.filters import OrganisationFilter
from partners.models import (
    CaseRole,
    Consent,
    ConsentKind,
    ContactPerson,
    NetworkContact,
    NetworkMember,
    Organisation,
    RequiredConsent,
    ResponsibilityTable,
)

CONSENT_MISSING = _(
    "No consent for %(kind)s is registered. Do not share information with "
    "partners on this basis until the person has given it."
)
CONSENT_WITHDRAWN = _(
    "The consent for %(kind)s was withdrawn on %(day)s. Do not share "
    "information with partners on this basis any more."
)


@dataclass
class ConsentWarning:
    kind: str
    state: str  # "missing" or "withdrawn"
    message: str


def organisation_list(
    *,
    user: AbstractBaseUser | AnonymousUser,
    filters: dict[str, Any] | None = None,
    roles: Iterable[str] = REFERENCE_ROLES,
) -> QuerySet[Organisation]:
    """Organisations serving the user's sites, with their contact count."""
    organisations = (
        Organisation.objects.visible_to(user, roles)
        .annotate(contact_count=Count("contacts", distinct=True))
        .prefetch_related("sites")
        .order_by("name")
    )
    return OrganisationFilter(filters, organisations).qs


def organisation_contacts(organisation: Organisation) -> list[ContactPerson]:
    return list(organisation.contacts.select_related("backup").order_by("name"))


def responsibility_tables(site: Site) -> list[ResponsibilityTable]:
    """The site's responsibility tables with their rows (two queries)."""
    return list(
        ResponsibilityTable.objects.filter(site=site).prefetch_related(
            Prefetch("rows", queryset=_rows())
        )
    )


def _rows() -> QuerySet:
    from partners.models import PartnerResponsibility

    return PartnerResponsibility.objects.select_related("organisation").order_by(
        "order"
    )


def consent_warnings(*, person: Person) -> list[ConsentWarning]:
    """What is missing or withdrawn, for every consent the case needs.

    A case needs the consents its site requires (reference data) and, as
    soon as partners play a role on the case, consent for information
    exchange between network partners. A withdrawn consent warns until a
    new one is given. Three queries.
    """
    return consent_warnings_for([person])[person.pk]


def consent_warnings_for(
    people: Sequence[Person],
) -> dict[int, list[ConsentWarning]]:
    """``consent_warnings`` of many people at once (three queries), by person id."""
    pks = [person.pk for person in people]
    needed_by_site: dict[int, set[str]] = defaultdict(set)
    for site_id, kind in RequiredConsent.objects.filter(
        site_id__in={person.site_id for person in people}
    ).values_list("site_id", "kind"):
        needed_by_site[site_id].add(kind)
    consents_of: dict[int, list[Consent]] = defaultdict(list)
    for consent in Consent.objects.filter(person_id__in=pks).order_by(
        "-given_on", "-pk"
    ):
        consents_of[consent.person_id].append(consent)
    with_partners = set(
        CaseRole.objects.filter(person_id__in=pks, organisation__isnull=False)
        .values_list("person_id", flat=True)
        .distinct()
    )
    labels = dict(ConsentKind.choices)
    result: dict[int, list[ConsentWarning]] = {}
    for person in people:
        consents = consents_of[person.pk]
        needed = set(needed_by_site[person.site_id])
        if person.pk in with_partners:
            needed.add(ConsentKind.INFORMATION_EXCHANGE)
        needed.update(consent.kind for consent in consents)
        warnings = []
        for kind in ConsentKind.values:
            if kind not in needed:
                continue
            of_kind = [c for c in consents if c.kind == kind]
            if any(c.is_active for c in of_kind):
                continue
            label = labels[kind]
            if of_kind:
                warnings.append(
                    ConsentWarning(
                        kind,
                        "withdrawn",
                        CONSENT_WITHDRAWN
                        % {"kind": label, "day": day_text(of_kind[0].withdrawn_on)},
                    )
                )
            else:
                warnings.append(
                    ConsentWarning(kind, "missing", CONSENT_MISSING % {"kind": label})
                )
        result[person.pk] = warnings
    return result


def consents_missing_for_placement(
    *, person: Person, day: datetime.date
) -> list[RequiredConsent]:
    """The site's consents that are a condition for placement and that the
    person had not given (or had withdrawn again) on ``day``. Two queries."""
    required = list(
        RequiredConsent.objects.filter(site_id=person.site_id, before_placement=True)
    )
    if not required:
        return []
    in_force = set(
        Consent.objects.filter(
            person=person,
            kind__in=[r.kind for r in required],
            given_on__lte=day,
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .values_list("kind", flat=True)
    )
    return [r for r in required if r.kind not in in_force]


def case_partners(*, person: Person) -> dict[str, Any]:
    """Roles, consents (with warnings) and network of one person."""
    roles = list(
        CaseRole.objects.filter(person=person)
        .select_related("organisation", "agreed_organisation", "contact__backup")
        .prefetch_related("contacts")
        .order_by("ended_on", "-started_on")
    )
    return {
        "roles": roles,
        "consents": list(Consent.objects.filter(person=person)),
        "warnings": consent_warnings(person=person),
        "network": network_for(person=person),
    }


def network_for(*, person: Person) -> list[NetworkMember]:
    return list(
        NetworkMember.objects.filter(person=person).prefetch_related(
            Prefetch(
                "contacts",
                queryset=NetworkContact.objects.order_by("-contacted_on", "-pk"),
            )
        )
    )
