from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import Person
from core.statuses import person_status_choices


class BaseTable(tables.Table):
    class Meta:
        template_name = "partials/_table.html"
        attrs = {"class": "table stack"}
        empty_text = _("Nothing to show.")


class PersonTable(BaseTable):
    last_name = tables.Column(linkify=True, verbose_name=_("name"))
    status = tables.Column(verbose_name=_("status"))
    date_of_birth = tables.DateColumn(verbose_name=_("date of birth"))
    site = tables.Column(accessor="site__name", verbose_name=_("site"))

    class Meta(BaseTable.Meta):
        model = Person
        fields = ("last_name", "status", "date_of_birth", "dji_number", "site")
        order_by = ("last_name",)

    def render_last_name(self, record: Person) -> str:
        return f"{record.last_name}, {record.first_name}"

    def render_status(self, value: str) -> str:
        label = dict(person_status_choices()).get(value, value)
        return format_html('<span class="badge status-{}">{}</span>', value, label)
