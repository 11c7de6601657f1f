"""Views for list imports: upload, stored check result, confirm, template.

Uploading queues the check and confirming queues the import, both run by a
worker of the task queue (``intake.tasks``); the import page only reads what
they stored and how far they are (a GET never checks a list again).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import role_required
from core.models import Site
from core.scoping import CASE_WRITE_ROLES, get_visible_or_404
from core.search import page_from
from core.service_forms import add_service_errors, message_service_errors
from core.uploads import (
    upload_held,
    upload_held_file,
    upload_hold,
    upload_release,
)
from intake.forms import ImportUploadForm
from intake.import_checks import stored_check
from intake.importers import (
    check_upload,
    gender_codes_text,
    template_csv,
    template_xlsx,
)
from intake.models import ImportBatch, ImportKind
from intake.selectors import import_opened_cases, sites_without_lists
from intake.services.imports import (
    import_batch_confirm,
    import_batch_create,
    import_batch_retry,
)

UPLOAD_PURPOSE = "intake_import"

#: rows of the stored check shown per page, and errors listed at most
ROWS_PER_PAGE = 100
ERRORS_SHOWN = 1000


@role_required(CASE_WRITE_ROLES)
def import_list_view(request: HttpRequest) -> HttpResponse:
    batches = (
        ImportBatch.objects.visible_to(request.user, CASE_WRITE_ROLES)
        .defer("check_result")
        .select_related("site", "uploaded_by", "entry_route")
        .order_by("-uploaded_at")[:100]
    )
    return render(request, "intake/import_list.html", {"batches": batches})


@role_required(CASE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def import_create_view(request: HttpRequest) -> HttpResponse:
    held = upload_held(request=request, purpose=UPLOAD_PURPOSE)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=request.user, held=held
    )
    chosen = request.FILES.get("file")
    if request.method == "POST" and form.takes_lists and form.is_valid():
        data = form.cleaned_data
        upload = chosen or upload_held_file(request=request, purpose=UPLOAD_PURPOSE)
        try:
            check_upload(upload)
        except ValidationError as error:
            # Not a list at all: it has to be chosen again.
            upload_release(request=request, purpose=UPLOAD_PURPOSE)
            add_service_errors(form, error, field="file")
        else:
            try:
                batch = import_batch_create(
                    upload=upload,
                    site=data["site"],
                    kind=data["kind"],
                    entry_route=data["entry_route"],
                    list_date=data["list_date"],
                    uploaded_by=request.user,
                )
            except ValidationError as error:
                if chosen:
                    form = _form_keeping(request, chosen)
                add_service_errors(form, error)
            else:
                upload_release(request=request, purpose=UPLOAD_PURPOSE)
                return redirect(batch)
    elif request.method == "POST" and form.takes_lists and chosen:
        form = _form_keeping(request, chosen)
    listless = sites_without_lists(
        sites=Site.objects.visible_to(request.user, CASE_WRITE_ROLES)
    )
    return render(
        request,
        "intake/import_form.html",
        {
            "form": form,
            "listless": listless,
            "gender_codes": gender_codes_text(),
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
    )


def _form_keeping(request: HttpRequest, chosen: UploadedFile) -> ImportUploadForm:
    """The refused form again, with the chosen file kept for the retry."""
    upload_hold(request=request, upload=chosen, purpose=UPLOAD_PURPOSE)
    form = ImportUploadForm(
        request.POST,
        user=request.user,
        held=upload_held(request=request, purpose=UPLOAD_PURPOSE),
    )
    form.is_valid()
    return form


@role_required(CASE_WRITE_ROLES)
def import_detail_view(request: HttpRequest, import_pk: int) -> HttpResponse:
    batch = get_visible_or_404(
        ImportBatch.objects.select_related(
            "site", "uploaded_by", "entry_route", "applied_by"
        ),
        request.user,
        CASE_WRITE_ROLES,
        pk=import_pk,
    )
    check = stored_check(batch)
    context = {
        "batch": batch,
        "check": check,
        "cases_page": Paginator(import_opened_cases(batch), ROWS_PER_PAGE).get_page(
            page_from(request.GET.get("cases"))
        ),
    }
    if check is not None:
        bad_rows = check.bad_rows
        context.update(
            {
                "bad_rows": bad_rows[:ERRORS_SHOWN],
                "more_errors": max(len(bad_rows) - ERRORS_SHOWN, 0),
                "counts": {
                    action: check.count(action)
                    for action in ("new", "matched", "open_case")
                },
                "page": Paginator(check.rows, ROWS_PER_PAGE).get_page(
                    page_from(request.GET.get("page"))
                ),
            }
        )
    return render(request, "intake/import_detail.html", context)


@role_required(CASE_WRITE_ROLES)
@require_POST
def import_apply_view(request: HttpRequest, import_pk: int) -> HttpResponse:
    batch = get_visible_or_404(
        ImportBatch, request.user, CASE_WRITE_ROLES, pk=import_pk
    )
    try:
        batch = import_batch_confirm(batch, actor=request.user)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(
            request, _("The list is being imported; this page shows how far.")
        )
    return redirect(batch)


@role_required(CASE_WRITE_ROLES)
@require_POST
def import_retry_view(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Run a failed check or import again."""
    batch = get_visible_or_404(
        ImportBatch, request.user, CASE_WRITE_ROLES, pk=import_pk
    )
    if import_batch_retry(batch, actor=request.user):
        messages.success(request, _("The work is being done again."))
    else:
        messages.info(request, _("This work had not failed; nothing was changed."))
    return redirect(batch)


@role_required(CASE_WRITE_ROLES)
def import_template_view(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", ImportKind.DJI_LIST)
    if kind not in ImportKind.values:
        kind = ImportKind.DJI_LIST
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            template_csv(kind), content_type="text/csv; charset=utf-8"
        )
        name = f"{kind}.csv"
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{kind}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
