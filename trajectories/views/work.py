"""Work during a stay: jobs, employer checks and job-search activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.access import role_required
from core.scoping import (
    CASE_WRITE_ROLES,
    get_visible_or_404,
)
from core.service_forms import (
    GET_POST,
    service_form_view,
)
from trajectories import services
from trajectories.forms import (
    EmployerCheckForm,
    EmploymentForm,
    JobSearchForm,
)
from trajectories.models import (
    Employment,
)
from trajectories.views.base import visible_stay

EMPLOYMENT_FORM_ONLY = ("employer_name", "confirm_rule_breach", "rule_breach_reason")


def _employment_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in EMPLOYMENT_FORM_ONLY}


def _job_saved(request: HttpRequest, job: Employment, success: str) -> str:
    """The success message; a job against the work rules says so."""
    if job.rule_breach_reason:
        messages.warning(
            request,
            _(
                "Job saved against the work rules of %(site)s; it shows under "
                "Plans to do until it meets them."
            )
            % {"site": job.stay.site.name},
        )
    else:
        messages.success(request, success)
    return job.stay.get_absolute_url()


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employment_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = visible_stay(request, stay_pk)
    work_rules = list(stay.site.work_rules.all())
    form = EmploymentForm(request.POST or None, has_work_rules=bool(work_rules))
    return service_form_view(
        request,
        form,
        lambda data: _job_saved(
            request,
            services.employment_record(
                stay=stay,
                employer_name=data["employer_name"],
                data=_employment_data(data),
                actor=request.user,
                **form.rule_breach_data(),
            ),
            _("Job registered."),
        ),
        title=_("Register a job"),
        back=stay.get_absolute_url(),
        success="",
        context={"person": stay.person, "work_rules": work_rules},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employment_update_view(request: HttpRequest, employment_pk: int) -> HttpResponse:
    job = get_visible_or_404(
        Employment.objects.select_related("stay__person", "stay__site", "employer"),
        request.user,
        CASE_WRITE_ROLES,
        pk=employment_pk,
    )
    work_rules = list(job.stay.site.work_rules.all())
    form = EmploymentForm(
        request.POST or None, instance=job, has_work_rules=bool(work_rules)
    )
    return service_form_view(
        request,
        form,
        lambda data: _job_saved(
            request,
            services.employment_update(
                job=job,
                employer_name=data["employer_name"],
                data=_employment_data(data),
                actor=request.user,
                expected_version=form.expected_version,
                **form.rule_breach_data(),
            ),
            _("Changes saved."),
        ),
        title=_("Change the job"),
        back=job.stay.get_absolute_url(),
        success="",
        context={"person": job.stay.person, "work_rules": work_rules},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def employer_check_create_view(
    request: HttpRequest, employment_pk: int
) -> HttpResponse:
    job = get_visible_or_404(
        Employment.objects.select_related("stay__person"),
        request.user,
        CASE_WRITE_ROLES,
        pk=employment_pk,
    )
    form = EmployerCheckForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.employer_check_record(job=job, **data),
        title=_("Register an employer check"),
        back=job.stay.get_absolute_url(),
        success=_("Employer check registered."),
        context={"person": job.stay.person},
    )


@role_required(CASE_WRITE_ROLES)
@GET_POST
def job_search_create_view(request: HttpRequest, stay_pk: int) -> HttpResponse:
    stay = visible_stay(request, stay_pk)
    form = JobSearchForm(request.POST or None)
    return service_form_view(
        request,
        form,
        lambda data: services.job_search_record(stay=stay, **data),
        title=_("Register a job-search activity"),
        back=stay.get_absolute_url(),
        success=_("Job-search activity registered."),
        context={"person": stay.person},
    )
