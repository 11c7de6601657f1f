"""Views for an intake case: thin, scoped, one service call each."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import role_required
from core.concurrency import ConcurrentEditError
from core.scoping import (
    CASE_READ_ROLES,
    CASE_WRITE_ROLES,
    get_visible_or_404,
)
from core.search import table_configure
from core.service_forms import add_service_errors
from core.service_forms import can_edit as user_can_edit
from intake import services
from intake.filters import IntakeCaseFilter
from intake.forms import (
    CaseCloseForm,
    CaseOpenForm,
    CaseUpdateForm,
    CriteriaChecklistForm,
    DocumentForm,
    PlacementForm,
    PrescanAnswerForm,
    StageEventForm,
)
from intake.models import (
    IntakeCase,
    IntakeOutcome,
    StageKind,
)
from intake.selectors import (
    case_list,
    case_next_steps,
    case_stage_statuses,
)
from intake.tables import IntakeCaseTable


def _case(request: HttpRequest, case_pk: int, roles: frozenset[str]) -> IntakeCase:
    return get_visible_or_404(
        IntakeCase.objects.select_related(
            "person",
            "site",
            "process",
            "entry_route",
            "criteria_version",
            "referring_organisation",
        ),
        request.user,
        roles,
        pk=case_pk,
    )


@role_required(CASE_READ_ROLES)
def case_list_view(request: HttpRequest) -> HttpResponse:
    table = IntakeCaseTable(case_list(user=request.user, filters=request.GET))
    table_configure(request, table)
    case_filter = IntakeCaseFilter(request.GET, request_user=request.user)
    return render(
        request, "intake/case_list.html", {"table": table, "filter": case_filter}
    )


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("person"):
        initial["person"] = request.GET["person"]
    form = CaseOpenForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                site=data["person"].site,
                created_by=request.user,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Intake case opened."))
            return redirect(case)
    return render(request, "intake/case_form.html", {"form": form})


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def case_update_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    form = CaseUpdateForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                case=case,
                data=form.service_data(),
                actor=request.user,
                expected_version=form.expected_version,
            )
        except ConcurrentEditError as error:
            form.show_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(case)
    return render(request, "intake/case_update.html", {"case": case, "form": form})


def _open_stay(case: IntakeCase) -> Any:
    """The person's stay that has not ended, if any (one person, one stay)."""
    return case.person.stays.filter(ended_on__isnull=True).first()


def _placed_text(case: IntakeCase, stay: Any) -> str:
    return services.PERSON_ALREADY_PLACED % {
        "person": f"{case.person.first_name} {case.person.last_name}",
        "day": date_format(stay.placed_on),
    }


def _detail_context(
    request: HttpRequest, case: IntakeCase, **forms: Any
) -> dict[str, Any]:
    stages = list(case.process.stages.all()) if case.process else []
    events = list(
        case.events.select_related(
            "stage", "actor", "performing_organisation", "agreed_organisation"
        )
    )
    answers = list(
        case.prescan_answers.select_related(
            "performing_organisation", "agreed_organisation"
        )
    )
    can_edit = case.is_open and user_can_edit(request.user, case.site_id)
    prescan = next((s for s in stages if s.kind == StageKind.PRESCAN), None)
    statuses = case_stage_statuses(case, stages, events, answers)
    next_steps = case_next_steps(statuses)
    context: dict[str, Any] = {
        "case": case,
        "statuses": statuses,
        "next_steps": next_steps,
        "stages_recorded": sum(1 for status in statuses if status.event),
        "events": events,
        "answers": answers,
        "prescan": prescan,
        "checks": case.criterion_checks.select_related("criterion"),
        "criteria": case.criteria_version.criteria.all()
        if case.criteria_version
        else [],
        "documents": case.documents.select_related("stage"),
        "end_reasons": case.end_reasons.select_related("criterion", "stage"),
        "stay": getattr(case, "stay", None)
        if case.outcome == IntakeOutcome.PLACED
        else None,
        "can_edit": can_edit,
        "open_stay": _open_stay(case) if case.is_open else None,
    }
    if can_edit and case.process:
        context["event_form"] = forms.get("event_form") or StageEventForm(
            case=case,
            initial={"stage": next_steps[0].stage.pk} if next_steps else None,
        )
        context["prescan_form"] = forms.get("prescan_form") or PrescanAnswerForm(
            case=case
        )
        context["check_form"] = forms.get("check_form") or CriteriaChecklistForm(
            case=case
        )
        context["document_form"] = forms.get("document_form") or DocumentForm(case=case)
    return context


@role_required(CASE_READ_ROLES)
def case_detail_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_READ_ROLES)
    return render(request, "intake/case_detail.html", _detail_context(request, case))


# Where each form of the case page sits (its fold opens on arrival).
FORM_ANCHORS = {
    "event_form": "next-step",
    "prescan_form": "prescan-form",
    "check_form": "criterion-form",
    "document_form": "document-form",
}


def _post_on_case(
    request: HttpRequest, case: IntakeCase, form: Any, form_name: str, write: Any
) -> HttpResponse:
    """Validate ``form``, call ``write(data, expected_version)``; on error or
    an edit conflict show the case page again with the input kept."""
    if form.is_valid():
        try:
            write(form.service_data(), form.expected_version)
        except ConcurrentEditError as error:
            form.show_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            # Back to the form just used: a browser opens the fold around it.
            return redirect(f"{case.get_absolute_url()}#{FORM_ANCHORS[form_name]}")
    context = _detail_context(request, case, **{form_name: form})
    return render(request, "intake/case_detail.html", context, status=200)


@role_required(CASE_WRITE_ROLES)
@require_POST
def case_event_create_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    return _post_on_case(
        request,
        case,
        StageEventForm(request.POST, case=case),
        "event_form",
        lambda data, version: services.stage_event_record(
            case=case, actor=request.user, expected_version=version, **data
        ),
    )


@role_required(CASE_WRITE_ROLES)
@require_POST
def case_prescan_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    return _post_on_case(
        request,
        case,
        PrescanAnswerForm(request.POST, case=case),
        "prescan_form",
        lambda data, version: services.prescan_answer_record(
            case=case, actor=request.user, expected_version=version, **data
        ),
    )


@role_required(CASE_WRITE_ROLES)
@require_POST
def case_criterion_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    form = CriteriaChecklistForm(request.POST, case=case)
    return _post_on_case(
        request,
        case,
        form,
        "check_form",
        lambda data, version: services.criteria_checklist_record(
            case=case,
            answers=form.answers(),
            checked_on=data["checked_on"],
            actor=request.user,
            expected_version=version,
        ),
    )


@role_required(CASE_WRITE_ROLES)
@require_POST
def case_document_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)

    def write(data: dict[str, Any], version: int | None) -> None:
        stage, code = data["document"]
        services.document_record(
            case=case,
            stage=stage,
            document_code=code,
            received_on=data["received_on"],
            actor=request.user,
            expected_version=version,
        )

    return _post_on_case(
        request, case, DocumentForm(request.POST, case=case), "document_form", write
    )


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def case_place_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    open_stay = _open_stay(case)
    if open_stay is not None and request.method == "GET":
        messages.error(request, _placed_text(case, open_stay))
        return redirect(case)
    form = PlacementForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_place(
                case=case,
                actor=request.user,
                expected_version=form.expected_version,
                **form.service_data(),
            )
        except ConcurrentEditError as error:
            form.show_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Placement decision recorded; stay created."))
            return redirect(case)
    # Before anything is entered, say what still stands in the way.
    problems = (
        []
        if request.method == "POST" or not case.is_open
        else [
            message
            for problem in services.placement_problems(
                case=case, placed_on=timezone.localdate()
            )
            for message in problem.messages
        ]
    )
    return render(
        request,
        "intake/case_place.html",
        {"case": case, "form": form, "problems": problems},
    )


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, CASE_WRITE_ROLES)
    form = CaseCloseForm(request.POST or None, case=case) if case.process else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reasons = []
        for code in data["reasons"]:
            if code == "criterion_not_met":
                reasons += [
                    services.EndReasonInput(code=code, criterion=c)
                    for c in data["criteria"]
                ] or [services.EndReasonInput(code=code)]
            elif code == "prescan_objection":
                reasons += [
                    services.EndReasonInput(code=code, prescan_partner=p)
                    for p in data["prescan_partners"]
                ] or [services.EndReasonInput(code=code)]
            else:
                reasons.append(services.EndReasonInput(code=code, stage=data["stage"]))
        try:
            services.case_close(
                case=case,
                outcome=data["outcome"],
                closed_on=data["closed_on"],
                actor=request.user,
                reasons=reasons,
                expected_version=form.expected_version,
            )
        except ConcurrentEditError as error:
            form.show_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Intake case closed."))
            return redirect(case)
    return render(request, "intake/case_close.html", {"case": case, "form": form})
