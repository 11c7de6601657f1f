from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import BaseTable
from intake.models import IntakeCase


class IntakeCaseTable(BaseTable):
    pk = tables.Column(linkify=True, verbose_name=_("case"))
    person = tables.Column(
        accessor="person__last_name",
        verbose_name=_("name"),
        order_by=("person__last_name",),
    )
    site = tables.Column(accessor="site__name", verbose_name=_("site"))
    opened_on = tables.DateColumn(verbose_name=_("opened on"))
    entry_route = tables.Column(
        accessor="entry_route__name", verbose_name=_("entry route")
    )
    last_stage_name = tables.Column(verbose_name=_("last stage"), orderable=False)
    outcome = tables.Column(verbose_name=_("outcome"))
    closed_on = tables.DateColumn(verbose_name=_("closed on"))

    class Meta(BaseTable.Meta):
        model = IntakeCase
        fields = (
            "pk",
            "person",
            "site",
            "opened_on",
            "entry_route",
            "last_stage_name",
            "outcome",
            "closed_on",
        )
        order_by = ("-opened_on",)

    def render_pk(self, value: int) -> str:
        return f"#{value}"

    def render_person(self, record: IntakeCase) -> str:
        return f"{record.person.last_name}, {record.person.first_name}"
