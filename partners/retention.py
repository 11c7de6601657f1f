"""What partners tell ``core.retention``: which free text names people."""

from __future__ import annotations

from django.db import models

from partners.models import (
    CaseRole,
    Consent,
    NetworkContact,
    NetworkMember,
    RoleContact,
)


def scrubbed_text() -> dict[type[models.Model], tuple[str, ...]]:
    return {
        CaseRole: ("name", "note"),
        RoleContact: ("notes",),
        Consent: ("withdrawal_note",),
        NetworkMember: ("name", "note"),
        NetworkContact: ("note",),
    }
