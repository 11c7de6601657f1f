"""Objects behind the core URL keywords of the account pages: a colleague
account at the site (user_pk, membership_pk) and a one-time password link
for it (uidb64, token)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Site
from core.scoping import Role
from tests.factories import MembershipFactory, UserFactory


def build(site: Site, marker: str, world: dict[str, Any]) -> None:
    colleague = UserFactory(
        username=f"collega-{site.code}",
        first_name=f"Collega{marker}",
        last_name=f"Medewerker{marker}",
    )
    membership = MembershipFactory(user=colleague, site=site, role=Role.CASEMANAGER)
    world.update(
        {
            "user_pk": colleague.pk,
            "membership_pk": membership.pk,
            "uidb64": urlsafe_base64_encode(force_bytes(colleague.pk)),
            "token": default_token_generator.make_token(colleague),
        }
    )
