"""Writes for sites, people and access. Typed, keyword-only, atomic."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import versioned_save
from core.models import (
    AuditEvent,
    AuditKind,
    Membership,
    NotificationSettings,
    Person,
    Site,
    UserSession,
)
from core.request_context import current_address

PERSON_DUPLICATE = _(
    "This person is already registered at this site. Open the existing record "
    "instead of creating a second one."
)


class DuplicatePersonError(ValidationError):
    """Raised with the existing records a new person would duplicate."""

    def __init__(self, matches: list[Person]) -> None:
        super().__init__(PERSON_DUPLICATE, code="duplicate_person")
        self.matches = matches


def audit_event_record(
    *,
    actor: AbstractBaseUser | None,
    kind: str,
    summary: str,
    site: Site | None = None,
    details: dict[str, Any] | None = None,
    username: str = "",
    site_id: int | None = None,
) -> AuditEvent:
    """Append one event to the audit log, with the client's address when it
    happens during a request."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=username or (actor.get_username() if actor else ""),
        kind=kind,
        summary=summary[:300],
        site_id=site.pk if site is not None else site_id,
        details=details or {},
        address=current_address(),
    )


def person_find_duplicates(
    *,
    site: Site,
    dji_number: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: datetime.date | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Person]:
    """People at ``site`` with the same DJI number, or same name and birth date."""
    match = Q(pk__in=[])
    if dji_number.strip():
        match |= Q(dji_number__iexact=dji_number.strip())
    if first_name.strip() and last_name.strip() and date_of_birth:
        match |= Q(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    people = Person.objects.filter(site=site).filter(match)
    if exclude_pk is not None:
        people = people.exclude(pk=exclude_pk)
    return people


@transaction.atomic
def person_create(
    *,
    site: Site,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    gender: str,
    dji_number: str = "",
    municipality_of_origin: str = "",
    aftercare_municipality: str = "",
) -> Person:
    """Register a person, refusing a duplicate of someone already at the site."""
    matches = list(
        person_find_duplicates(
            site=site,
            dji_number=dji_number,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
        )
    )
    if matches:
        raise DuplicatePersonError(matches)
    person = Person(
        site=site,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        gender=gender,
        dji_number=dji_number.strip(),
        municipality_of_origin=municipality_of_origin.strip(),
        aftercare_municipality=aftercare_municipality.strip(),
    )
    person.full_clean()
    person.save()
    return person


PERSON_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "dji_number",
    "municipality_of_origin",
    "aftercare_municipality",
)


@transaction.atomic
def person_update(
    *, person: Person, data: dict[str, Any], expected_version: int | None = None
) -> Person:
    """Change a person's registered details; refuses to create a duplicate.

    Raises ``core.concurrency.ConcurrentEditError`` when someone else saved the
    person after ``expected_version`` (default: the version loaded).
    """
    for field in PERSON_EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            setattr(person, field, value.strip() if isinstance(value, str) else value)
    matches = list(
        person_find_duplicates(
            site=person.site,
            dji_number=person.dji_number,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            exclude_pk=person.pk,
        )
    )
    if matches:
        raise DuplicatePersonError(matches)
    person.full_clean()
    return versioned_save(
        instance=person,
        fields=PERSON_EDITABLE_FIELDS,
        expected_version=expected_version,
    )


@transaction.atomic
def membership_grant(
    *,
    user: AbstractBaseUser,
    site: Site,
    role: str,
    granted_by: AbstractBaseUser | None,
    job_title: str = "",
) -> Membership:
    """Give a user a role at a site, logged as a permission change."""
    membership, created = Membership.objects.get_or_create(
        user=user, site=site, role=role, defaults={"job_title": job_title}
    )
    if created:
        audit_event_record(
            actor=granted_by,
            kind=AuditKind.PERMISSION_CHANGE,
            site=site,
            summary=f"granted {role} at {site.code} to {user.get_username()}",
            details={"user": user.get_username(), "role": role, "granted": True},
        )
    return membership


def _membership_values(membership: Membership) -> dict[str, str]:
    return {
        "user": membership.user.get_username(),
        "site": membership.site.code,
        "role": membership.role,
        "job_title": membership.job_title,
    }


@transaction.atomic
def membership_change(
    *, membership: Membership, changed_by: AbstractBaseUser | None
) -> Membership:
    """Save a changed role (user, site, role or job title), logged as a
    permission change with the old and new values."""
    stored = Membership.objects.select_related("user", "site").get(pk=membership.pk)
    before = _membership_values(stored)
    membership.full_clean()
    membership.save()
    after = _membership_values(membership)
    if before != after:
        audit_event_record(
            actor=changed_by,
            kind=AuditKind.PERMISSION_CHANGE,
            site=membership.site,
            summary=f"changed {before['role']} at {before['site']} of "
            f"{before['user']} to {after['role']} at {after['site']} of "
            f"{after['user']}",
            details={"old": before, "new": after},
        )
    return membership


@transaction.atomic
def membership_revoke(
    *, membership: Membership, revoked_by: AbstractBaseUser | None
) -> None:
    audit_event_record(
        actor=revoked_by,
        kind=AuditKind.PERMISSION_CHANGE,
        site=membership.site,
        summary=(
            f"revoked {membership.role} at {membership.site.code} "
            f"from {membership.user.get_username()}"
        ),
        details={
            "user": membership.user.get_username(),
            "role": membership.role,
            "granted": False,
        },
    )
    membership.delete()


def user_create(
    *, username: str, password: str, first_name: str = "", last_name: str = ""
) -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


FUNCTIONAL_ADMIN_GROUP = "Functioneel beheer"
# Access is managed through memberships, so functional administrators may read
# these in the admin but not change them there.
READ_ONLY_ADMIN_MODELS = {"core.auditevent", "auth.user", "auth.group"}
# Login throttling and the task queue of the whole installation: superusers.
SUPERUSER_APPS = {"axes", "django_q"}


def functional_admin_group_sync() -> Group:
    """The admin group of functional administrators: reference data only.

    They get full rights on every model in the admin that is not case data
    (case models declare ``person_lookup``) and belongs to sites, and view
    rights on users and the audit log; rows without a site (login
    throttling, second-factor devices, groups) and the task queue stay with
    superusers.
    """
    from django.contrib import admin

    from core.admin_scoping import superuser_only

    group, _created = Group.objects.get_or_create(name=FUNCTIONAL_ADMIN_GROUP)
    permissions = []
    # Inline rows (a site's status periods, a table's responsibilities) are
    # edited on their parent's page and need their own permissions.
    administered = [
        (model, type(model_admin))
        for parent, model_admin in admin.site._registry.items()
        for model in [parent, *(inline.model for inline in model_admin.inlines)]
    ]
    for model, admin_class in dict(administered).items():
        label = model._meta.label_lower
        if (
            hasattr(model, "person_lookup")
            or model._meta.app_label in SUPERUSER_APPS
            or superuser_only(model, admin_class)
        ):
            continue
        content_type = ContentType.objects.get_for_model(model)
        actions = ["view"] if label in READ_ONLY_ADMIN_MODELS else None
        permissions.extend(
            Permission.objects.filter(content_type=content_type).filter(
                codename__in=[f"{a}_{model._meta.model_name}" for a in actions]
            )
            if actions
            else Permission.objects.filter(content_type=content_type)
        )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def functional_admin_enable(*, user: AbstractBaseUser) -> None:
    """Let a functional administrator into the admin for reference data."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(functional_admin_group_sync())


@transaction.atomic
def notification_settings_update(
    *, user: AbstractBaseUser, daily_digest: bool
) -> NotificationSettings:
    """Switch the user's daily reminder e-mail on or off."""
    choice, _created = NotificationSettings.objects.get_or_create(user=user)
    if choice.daily_digest != daily_digest:
        choice.daily_digest = daily_digest
        choice.save(update_fields=["daily_digest"])
    return choice


def user_session_start(
    *,
    user: AbstractBaseUser,
    session_key: str,
    user_agent: str = "",
    started_at: datetime.datetime | None = None,
) -> UserSession | None:
    """Remember a new login session so its user can see and end it."""
    session = Session.objects.filter(session_key=session_key).first()
    if session is None:  # a session backend without database rows
        return None
    user_session, _created = UserSession.objects.update_or_create(
        session=session,
        defaults={
            "user": user,
            "address": current_address(),
            "user_agent": user_agent,
            "started_at": started_at or timezone.now(),
        },
    )
    return user_session
