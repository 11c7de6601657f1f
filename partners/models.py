"""Partner organisations, their contact persons and responsibilities per site."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    DJI = "dji", "DJI"
    DIZ = "diz", _("DJI - DIZ (placement and call-up)")
    PI = "pi", _("penitentiary institution (PI)")
    PROBATION = "probation", _("probation service (3RO / Reclassering Nederland)")
    MUNICIPALITY = "municipality", _("municipality")
    VOLUNTEERS = "volunteers", _("volunteer organisation")
    CARE = "care", _("care partner")
    PROSECUTION = "prosecution", _("public prosecution service (OM)")
    POLICE = "police", _("police")
    SAFETY_HOUSE = "safety_house", _("Veiligheidshuis")
    COURT = "court", _("court")
    LAWYER = "lawyer", _("lawyer")
    EMPLOYER = "employer", _("employer")
    HOUSING = "housing", _("housing corporation")
    OTHER = "other", _("other")


class Organisation(models.Model):
    """A partner organisation; national ones serve every site."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name
