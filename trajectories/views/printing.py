"""The individual plan printed for signature, in its site's own form: a print
page for the browser and the same document as a PDF (WeasyPrint)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from core.access import role_required
from core.models import AuditKind
from core.scoping import CASE_READ_ROLES
from core.services import audit_event_record
from trajectories.models import IndividualPlan
from trajectories.selectors import plan_document
from trajectories.views.base import visible_plan

DOCUMENT_CSS = "css/plan_document.css"


def _audit_download(request: HttpRequest, plan: IndividualPlan) -> None:
    """A downloaded plan is a read of a person's file (pseudonym only)."""
    audit_event_record(
        actor=request.user,
        kind=AuditKind.EXPORT,
        site=plan.stay.site,
        summary=gettext_noop("Plan of %(person)s downloaded as PDF"),
        params={"person": plan.stay.person.pseudonym},
        details={"plan": plan.pk},
    )


@role_required(CASE_READ_ROLES)
def plan_print_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    context = {
        **plan_document(visible_plan(request, plan_pk, CASE_READ_ROLES)),
        "today": timezone.localdate(),
    }
    return render(request, "trajectories/plan_print.html", context)


@role_required(CASE_READ_ROLES)
def plan_pdf_view(request: HttpRequest, plan_pk: int) -> HttpResponse:
    # Imported here: WeasyPrint loads Pango when imported, which only this
    # view needs.
    from weasyprint import CSS, HTML

    plan = visible_plan(request, plan_pk, CASE_READ_ROLES)
    context = {**plan_document(plan), "today": timezone.localdate()}
    html = render_to_string("trajectories/plan_pdf.html", context, request=request)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(finders.find(DOCUMENT_CSS))])
    _audit_download(request, plan)
    name = slugify(f"{plan.name} {plan.stay.person.last_name}") or "plan"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
