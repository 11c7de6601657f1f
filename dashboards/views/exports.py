"""Research exports: request, follow, download. Researchers only."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from core.access import role_required
from core.periods import Period
from core.read_log import file_download_record
from core.scoping import RESEARCH_ROLES, get_visible_or_404
from dashboards.exports.services import export_job_create, export_job_retry
from dashboards.forms import ExportForm
from dashboards.models import ExportJob, ExportStatus
from dashboards.selectors.access import dashboard_sites


@role_required(RESEARCH_ROLES)
@require_http_methods(["GET", "POST"])
def export_list_view(request: HttpRequest) -> HttpResponse:
    sites = dashboard_sites(request.user, RESEARCH_ROLES)
    default = Period.default()
    form = ExportForm(
        request.POST or None,
        sites=sites,
        initial={"start": default.start, "end": default.end, "sites": sites},
    )
    if request.method == "POST" and form.is_valid():
        job = export_job_create(
            user=request.user,
            filters=form.filters(),
            format=form.cleaned_data["format"],
        )
        messages.success(request, _("The export is being built."))
        return redirect(job)
    jobs = ExportJob.objects.visible_to(request.user, RESEARCH_ROLES).select_related(
        "created_by"
    )[:50]
    return render(request, "dashboards/export_list.html", {"form": form, "jobs": jobs})


@role_required(RESEARCH_ROLES)
def export_detail_view(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob, request.user, RESEARCH_ROLES, pk=job_pk)
    retry_url = (
        reverse("dashboards:export_retry", args=[job.pk])
        if job.status == ExportStatus.FAILED and job.created_by_id == request.user.pk
        else ""
    )
    return render(
        request, "dashboards/export_detail.html", {"job": job, "retry_url": retry_url}
    )


@role_required(RESEARCH_ROLES)
@require_POST
def export_retry_view(request: HttpRequest, job_pk: int) -> HttpResponse:
    """Build a failed export again; only the researcher who asked for it."""
    job = get_visible_or_404(ExportJob, request.user, RESEARCH_ROLES, pk=job_pk)
    if job.created_by_id != request.user.pk:
        messages.warning(
            request, _("Only the researcher who asked for this export can retry it.")
        )
    elif export_job_retry(job=job, user=request.user):
        messages.success(request, _("The export is being built again."))
    else:
        messages.info(request, _("This export had not failed; nothing was changed."))
    return redirect(job)


@role_required(RESEARCH_ROLES)
def export_download_view(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob, request.user, RESEARCH_ROLES, pk=job_pk)
    if job.status != ExportStatus.DONE or not job.file:
        messages.warning(request, _("This export has no file to download (yet)."))
        return redirect(job)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        messages.warning(
            request, _("The file of this export was removed; build it again.")
        )
        return redirect(job)
    file_download_record(
        user=request.user,
        obj=job,
        site_ids=job.sites.values_list("pk", flat=True),
        summary=gettext_noop("Downloaded export #%(export)s"),
        params={"export": job.pk},
    )
    return FileResponse(
        handle, as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )
