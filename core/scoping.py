"""The one scoping layer: every queryset a view uses goes through here.

A model that holds site data declares ``site_lookup`` (the ORM path from the
model to its ``Site``) and uses ``SiteScopedQuerySet`` as its manager. Views
never filter on site themselves; they call ``visible_to(user, roles)``, so a
forgotten filter cannot leak another site's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core.request_context import Read, note_read

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    CASEMANAGER = "casemanager", _("casemanager")
    PROJECT_LEADER = "project_leader", _("project leader")
    RESEARCHER = "researcher", _("researcher")
    FUNCTIONAL_ADMIN = "functional_admin", _("functional administrator")


# Who may read and who may change case data (people, intake, stays, plans).
CASE_WRITE_ROLES: frozenset[str] = frozenset({Role.CASEMANAGER})
CASE_READ_ROLES: frozenset[str] = frozenset({Role.CASEMANAGER, Role.PROJECT_LEADER})
RESEARCH_ROLES: frozenset[str] = frozenset({Role.RESEARCHER})
DASHBOARD_ROLES: frozenset[str] = frozenset({Role.PROJECT_LEADER, Role.RESEARCHER})
REFERENCE_ROLES: frozenset[str] = frozenset(
    {Role.CASEMANAGER, Role.PROJECT_LEADER, Role.RESEARCHER, Role.FUNCTIONAL_ADMIN}
)


def site_ids_for(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]
) -> set[int]:
    """Ids of the sites where the user holds one of ``roles``.

    Cached per user object and role set, so a request pays one query.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    cache: dict[frozenset[str], set[int]] = user.__dict__.setdefault("_kv_site_ids", {})
    key = frozenset(roles)
    if key not in cache:
        from core.models import Membership

        cache[key] = set(
            Membership.objects.filter(user=user, role__in=key).values_list(
                "site_id", flat=True
            )
        )
    return cache[key]


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """All roles the user holds on any site."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if "_kv_roles" not in user.__dict__:
        from core.models import Membership

        user.__dict__["_kv_roles"] = set(
            Membership.objects.filter(user=user).values_list("role", flat=True)
        )
    return user.__dict__["_kv_roles"]


class SiteScopedQuerySet(models.QuerySet):
    """Queryset for rows that belong to one site."""

    def visible_to(
        self, user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]
    ) -> SiteScopedQuerySet:
        lookup: str = self.model.site_lookup
        return self.filter(**{f"{lookup}__in": site_ids_for(user, roles)})

    def for_site(self, site: Any) -> SiteScopedQuerySet:
        return self.filter(**{self.model.site_lookup: site})


def get_visible_or_404(
    queryset: models.QuerySet[M] | type[M],
    user: AbstractBaseUser | AnonymousUser,
    roles: Iterable[str],
    **lookup: Any,
) -> M:
    """Fetch one row the user may see; anything else (other site, absent) is 404.

    A row of a person's file (its model declares ``person_lookup``) is noted
    for the read-access log: the person and site come with the same query.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    model = queryset.model
    person_lookup = getattr(model, "person_lookup", None)
    if person_lookup:
        queryset = queryset.annotate(
            kv_read_person_id=F(person_lookup),
            kv_read_site_id=F(model.site_lookup),
        )
    try:
        obj = queryset.visible_to(user, roles).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if person_lookup:
        note_read(
            Read(
                person_id=obj.kv_read_person_id,
                site_id=obj.kv_read_site_id,
                object_type=model._meta.label_lower,
                object_id=obj.pk,
            )
        )
    return obj
