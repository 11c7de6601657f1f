"""The read-access log: writing it (one insert per request) and reading it
per site and per person for functional administrators."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet

from core.models import AuditKind, Person, ReadAccess
from core.request_context import Read, note_read
from core.scoping import Role
from core.services import audit_event_record

READ_LOG_ROLES = frozenset({Role.FUNCTIONAL_ADMIN})
PATH_LENGTH = ReadAccess._meta.get_field("path").max_length


def read_access_record(
    *,
    user: AbstractBaseUser,
    path: str,
    address: str | None,
    reads: Iterable[Read],
) -> list[ReadAccess]:
    """Log that ``user`` was shown ``reads`` on ``path``: one insert."""
    rows = [
        ReadAccess(
            user=user,
            username=user.get_username(),
            person_id=read.person_id,
            site_id=read.site_id,
            object_type=read.object_type,
            object_id=read.object_id,
            path=path[:PATH_LENGTH],
            address=address,
        )
        for read in reads
    ]
    return ReadAccess.objects.bulk_create(rows)


def read_log_for_sites(*, user: AbstractBaseUser) -> QuerySet[ReadAccess]:
    """Reads at the sites where ``user`` is a functional administrator."""
    return ReadAccess.objects.visible_to(user, READ_LOG_ROLES).select_related(
        "person", "site"
    )


def read_log_for_person(*, person: Person) -> QuerySet[ReadAccess]:
    """Who looked at this person's file, newest first."""
    return ReadAccess.objects.filter(person=person).select_related("site")


def file_download_record(
    *,
    user: AbstractBaseUser,
    obj: Model,
    site_ids: Iterable[int],
    summary: str,
) -> None:
    """A file that is not one person's (an export) is downloaded: audited now,
    and in the read-access log of every site it covers once it is sent."""
    site_ids = sorted(set(site_ids))
    audit_event_record(
        actor=user,
        kind=AuditKind.DOWNLOAD,
        site_id=site_ids[0] if len(site_ids) == 1 else None,
        summary=summary,
        details={
            "object": obj._meta.label_lower,
            "id": obj.pk,
            "sites": site_ids,
        },
    )
    for site_id in site_ids:
        note_read(
            Read(
                person_id=None,
                site_id=site_id,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
            )
        )
