from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import BaseTable
from partners.models import Organisation


class OrganisationTable(BaseTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    kind = tables.Column(verbose_name=_("kind"))
    contact_count = tables.Column(verbose_name=_("contact persons"), orderable=True)

    class Meta(BaseTable.Meta):
        model = Organisation
        fields = ("name", "kind", "contact_count")
        order_by = ("name",)
