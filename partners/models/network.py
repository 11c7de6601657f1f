"""The person's social network: its members and the contacts with them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import day_text
from core.fields import FactDateField
from core.models import Person
from core.scoping import SiteScopedQuerySet


class Relation(models.TextChoices):
    PARTNER = "partner", _("partner")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    FAMILY = "family", _("other family")
    FRIEND = "friend", _("friend")
    OTHER = "other", _("other")


class NetworkMember(models.Model):
    """Someone in the person's social network."""

    site_lookup = "person__site"
    person_lookup = "person"

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="network",
        verbose_name=_("person"),
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=200)
    supportive = models.BooleanField(
        _("supports the person"),
        default=True,
        help_text=_("Supports the person in carrying out the plan."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "relation", "name"]
        verbose_name = _("network member")
        verbose_name_plural = _("social network")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class NetworkContactKind(models.TextChoices):
    VISIT = "visit", _("visit")
    WARD_VISIT = "ward_visit", _("visit on the ward (family room)")
    PHONE = "phone", _("phone call")
    VIDEO = "video", _("video call (Skype)")


class NetworkContact(models.Model):
    """A visit or call from someone in the network."""

    site_lookup = "member__person__site"
    person_lookup = "member__person"

    member = models.ForeignKey(
        NetworkMember,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("member"),
    )
    contacted_on = FactDateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=NetworkContactKind.choices
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("network contact")
        verbose_name_plural = _("network contacts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {day_text(self.contacted_on)}"
