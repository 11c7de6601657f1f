"""The partners dashboard: per site and period, who did the agreed work, and
the records behind each of its numbers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.access import role_required
from core.models import Site
from core.periods import period_from_request
from core.scoping import (
    CASE_READ_ROLES,
    DASHBOARD_ROLES,
    get_visible_or_404,
    site_ids_for,
)
from dashboards.scope import Scope
from dashboards.selectors.access import CASE_LIST_ROLES
from dashboards.selectors.delivery import (
    KINDS,
    Measure,
    partner_delivery,
    record_lines,
    record_values,
    records_behind,
)
from partners.models import Organisation

LIST_PAGE_SIZE = 100


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@role_required(DASHBOARD_ROLES)
def partners_dashboard_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, DASHBOARD_ROLES, code=site_code)
    form, period = period_from_request(request.GET)
    scope = Scope(
        (site.pk,),
        period,
        reverse("dashboards:site_partner_records", args=[site.code]),
    )
    context = {
        "site": site,
        "form": form,
        "period": period,
        "delivery": partner_delivery(scope, site_id=site.pk),
        "tables": site.responsibility_tables.all(),
    }
    return render(request, "dashboards/partners.html", context)


@role_required(CASE_LIST_ROLES)
def partner_records_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, CASE_LIST_ROLES, code=site_code)
    _form, period = period_from_request(request.GET)
    kind = KINDS.get(request.GET.get("kind", ""))
    measure = request.GET.get("measure", "")
    organisation = _number(request.GET.get("organisation", ""))
    performer = _number(request.GET.get("performer", ""))
    task = request.GET.get("task", "")[:100]
    known = kind is not None and measure in Measure.ALL
    page, lines = None, []
    if known:
        rows = records_behind(
            Scope((site.pk,), period),
            kind,
            measure,
            organisation_id=organisation,
            performer_id=performer,
            task=task,
        )
        page = Paginator(record_values(rows, kind), LIST_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        lines = record_lines(request.user, list(page.object_list), kind)
    names = Organisation.objects.in_bulk([pk for pk in (organisation, performer) if pk])
    context = {
        "site": site,
        "period": period,
        "known": known,
        "kind": kind,
        "measure_label": Measure.LABELS.get(measure, ""),
        "organisation": names.get(organisation) if organisation else None,
        "performer": names.get(performer) if performer else None,
        "page": page,
        "lines": lines,
        "show_names": site.pk in site_ids_for(request.user, CASE_READ_ROLES),
        "query": period.query(
            kind=request.GET.get("kind", ""),
            measure=measure,
            organisation=organisation,
            performer=performer,
            task=task,
        ),
    }
    return render(request, "dashboards/partner_records.html", context)
