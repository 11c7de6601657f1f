from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import role_required
from core.concurrency import ConcurrentEditError
from core.models import Site
from core.scoping import (
    CASE_READ_ROLES,
    DASHBOARD_ROLES,
    REFERENCE_ROLES,
    RESEARCH_ROLES,
    Role,
    get_visible_or_404,
    site_ids_for,
)
from core.service_forms import add_service_errors
from evaluation.forms import KvMeasurementCreateForm, MeasurementForm, ReopenForm
from evaluation.models import KvMeasurement, Measurement, MeasurementStatus
from evaluation.registration import (
    external_systems,
    registration_map,
    respondent_group_name,
)
from evaluation.selectors import (
    GroupTab,
    catalogue_tree,
    completeness_for_site,
    earlier_kv_answers,
    kv_answer_groups,
    kv_measurements_for_site,
    measurement_queryset,
    schedule_for_site,
    site_catalogue,
)
from evaluation.services import (
    items_for,
    kv_measurement_create,
    measurement_reopen,
    measurement_save,
)

# Casemanagers see the schedule of their own site so they can arrange the
# interviews; only researchers open and fill in measurements.
SCHEDULE_ROLES = frozenset({Role.RESEARCHER, Role.CASEMANAGER, Role.PROJECT_LEADER})
EVALUATION_ROLES = SCHEDULE_ROLES | REFERENCE_ROLES


@role_required(EVALUATION_ROLES)
def index_view(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.visible_to(request.user, EVALUATION_ROLES)
    user_sites = {
        "schedule": site_ids_for(request.user, SCHEDULE_ROLES),
        "completeness": site_ids_for(request.user, DASHBOARD_ROLES),
        "kv": site_ids_for(request.user, RESEARCH_ROLES),
    }
    return render(
        request, "evaluation/index.html", {"sites": sites, "user_sites": user_sites}
    )


@role_required(REFERENCE_ROLES)
def catalogue_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, REFERENCE_ROLES, code=site_code)
    catalogue = site_catalogue(site)
    tree = catalogue_tree(catalogue) if catalogue else []
    return render(
        request,
        "evaluation/catalogue_detail.html",
        {"site": site, "catalogue": catalogue, "tree": tree},
    )


@role_required(SCHEDULE_ROLES)
def schedule_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, SCHEDULE_ROLES, code=site_code)
    context = {
        "site": site,
        "lists": schedule_for_site(site=site),
        "show_names": site.pk in site_ids_for(request.user, CASE_READ_ROLES),
        "can_enter": site.pk in site_ids_for(request.user, RESEARCH_ROLES),
        "today": timezone.localdate(),
    }
    return render(request, "evaluation/schedule.html", context)


@role_required(DASHBOARD_ROLES)
def completeness_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, DASHBOARD_ROLES, code=site_code)
    context = {
        "site": site,
        "data": completeness_for_site(site=site),
        "can_enter": site.pk in site_ids_for(request.user, RESEARCH_ROLES),
    }
    return render(request, "evaluation/completeness.html", context)


@role_required(DASHBOARD_ROLES)
def registration_map_view(request: HttpRequest, site_code: str) -> HttpResponse:
    """ "Wordt deze informatie reeds vastgelegd?" per topic of the site's
    current catalogue; ``?share=`` (and ``topic=``) opens the items behind
    one share."""
    site = get_visible_or_404(Site, request.user, DASHBOARD_ROLES, code=site_code)
    catalogue = site_catalogue(site)
    site_map = registration_map([catalogue])[0] if catalogue else None
    chosen = None
    if site_map is not None:
        topic_code = request.GET.get("topic", "")
        node = next(
            (t for t in site_map.topics if t.code == topic_code), site_map.total
        )
        key = request.GET.get("share", "")
        chosen = next(
            (
                (node, share)
                for share in node.holder_shares + node.route_shares
                if share.key == key
            ),
            None,
        )
    context = {
        "site": site,
        "catalogue": catalogue,
        "site_map": site_map,
        "chosen": chosen,
        "systems": external_systems().values(),
    }
    return render(request, "evaluation/registration_map.html", context)


def _answers_by_item(
    owner: Measurement | KvMeasurement, group: str | None = None
) -> dict[int, Any]:
    answers = owner.answers.all()
    if group is not None:
        answers = answers.filter(respondent_group=group)
    return {answer.item_id: answer for answer in answers}


def _lock_if_closed(form: MeasurementForm, owner: Any) -> None:
    """A locked or cancelled measurement is shown read-only."""
    if owner.status in (MeasurementStatus.COMPLETE, MeasurementStatus.CANCELLED):
        for name, field in form.fields.items():
            if name != "version":
                field.disabled = True


def _save_measurement(
    request: HttpRequest, form: MeasurementForm, owner: Any, group: str = ""
) -> bool:
    """Run the save service; on refusal keep the input and explain on the form."""
    try:
        measurement_save(
            measurement=owner,
            answers=form.answer_inputs(),
            expected_version=form.expected_version or 0,
            user=request.user,
            complete="complete" in request.POST,
            respondent_group=group,
        )
    except ConcurrentEditError as error:
        form.show_conflict(error)
        return False
    except ValidationError as error:
        form.show_refusal(error)
        return False
    if "complete" in request.POST:
        messages.success(request, _("Measurement saved and completed."))
    else:
        messages.success(request, _("Measurement saved (not complete yet)."))
    return True


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def measurement_edit_view(request: HttpRequest, measurement_pk: int) -> HttpResponse:
    measurement = get_visible_or_404(
        measurement_queryset(), request.user, RESEARCH_ROLES, pk=measurement_pk
    )
    form = MeasurementForm(
        request.POST or None,
        items=items_for(measurement.catalogue, measurement.moment),
        answers=_answers_by_item(measurement),
        stay=measurement.stay,
        version=measurement.version,
    )
    _lock_if_closed(form, measurement)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_measurement(request, form, measurement)
    ):
        return redirect("evaluation:measurement_edit", measurement_pk=measurement.pk)
    context = {
        "measurement": measurement,
        "form": form,
        "pseudonym": measurement.stay.person.pseudonym,
        "timing": measurement.timing_on(timezone.localdate()),
    }
    return render(request, "evaluation/measurement_form.html", context)


def _reopen(request: HttpRequest, owner: Any, back: str) -> HttpResponse:
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measurement_reopen(
                measurement=owner, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Measurement reopened."))
            return redirect(back)
    return render(
        request,
        "evaluation/measurement_reopen.html",
        {"form": form, "owner": owner, "back": back},
    )


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def measurement_reopen_view(request: HttpRequest, measurement_pk: int) -> HttpResponse:
    measurement = get_visible_or_404(
        measurement_queryset(), request.user, RESEARCH_ROLES, pk=measurement_pk
    )
    back = reverse(
        "evaluation:measurement_edit", kwargs={"measurement_pk": measurement.pk}
    )
    return _reopen(request, measurement, back)


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def kv_measurement_list_view(request: HttpRequest, site_code: str) -> HttpResponse:
    site = get_visible_or_404(Site, request.user, RESEARCH_ROLES, code=site_code)
    form = KvMeasurementCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kv_measurement = kv_measurement_create(site=site, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                "evaluation:kv_measurement_edit", kv_measurement_pk=kv_measurement.pk
            )
    context = {
        "site": site,
        "form": form,
        "kv_measurements": kv_measurements_for_site(site=site),
    }
    return render(request, "evaluation/kv_measurement_list.html", context)


def _chosen_group(request: HttpRequest, groups: list[GroupTab]) -> str:
    """The respondent group whose answers the form shows: ``?group=`` when it
    is one of the tabs, else the first tab with answers, else the first."""
    codes = [tab.code for tab in groups]
    asked = request.GET.get("group")
    if asked in codes:
        return str(asked)
    answered = [tab.code for tab in groups if tab.answered]
    return answered[0] if answered else codes[0]


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def kv_measurement_edit_view(
    request: HttpRequest, kv_measurement_pk: int
) -> HttpResponse:
    kv_measurement = get_visible_or_404(
        KvMeasurement.objects.select_related("site", "catalogue"),
        request.user,
        RESEARCH_ROLES,
        pk=kv_measurement_pk,
    )
    groups = kv_answer_groups(kv_measurement)
    group = _chosen_group(request, groups)
    form = MeasurementForm(
        request.POST or None,
        items=items_for(kv_measurement.catalogue, None),
        answers=_answers_by_item(kv_measurement, group),
        version=kv_measurement.version,
        notes_label=_("interview notes"),
    )
    _lock_if_closed(form, kv_measurement)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_measurement(request, form, kv_measurement, group)
    ):
        url = reverse(
            "evaluation:kv_measurement_edit",
            kwargs={"kv_measurement_pk": kv_measurement.pk},
        )
        return redirect(f"{url}?{urlencode({'group': group})}")
    context = {
        "kv_measurement": kv_measurement,
        "form": form,
        "groups": groups,
        "group": group,
        "group_name": respondent_group_name(group),
        "earlier_answers": earlier_kv_answers(kv_measurement),
    }
    return render(request, "evaluation/kv_measurement_form.html", context)


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def kv_measurement_reopen_view(
    request: HttpRequest, kv_measurement_pk: int
) -> HttpResponse:
    kv_measurement = get_visible_or_404(
        KvMeasurement.objects.select_related("site"),
        request.user,
        RESEARCH_ROLES,
        pk=kv_measurement_pk,
    )
    back = reverse(
        "evaluation:kv_measurement_edit",
        kwargs={"kv_measurement_pk": kv_measurement.pk},
    )
    return _reopen(request, kv_measurement, back)
