from __future__ import annotations

from django.urls import path

from intake.views import cases, imports, overviews

app_name = "intake"

urlpatterns = [
    path("", overviews.worklist_view, name="worklist"),
    path("cases/", cases.case_list_view, name="case_list"),
    path("cases/new/", cases.case_create_view, name="case_create"),
    path("cases/<int:case_pk>/", cases.case_detail_view, name="case_detail"),
    path("cases/<int:case_pk>/edit/", cases.case_update_view, name="case_update"),
    path(
        "cases/<int:case_pk>/stages/",
        cases.case_event_create_view,
        name="case_event_create",
    ),
    path("cases/<int:case_pk>/prescan/", cases.case_prescan_view, name="case_prescan"),
    path(
        "cases/<int:case_pk>/criteria/",
        cases.case_criterion_view,
        name="case_criterion",
    ),
    path(
        "cases/<int:case_pk>/documents/",
        cases.case_document_view,
        name="case_document",
    ),
    path("cases/<int:case_pk>/place/", cases.case_place_view, name="case_place"),
    path("cases/<int:case_pk>/close/", cases.case_close_view, name="case_close"),
    path("sites/<slug:site_code>/funnel/", overviews.funnel_view, name="funnel"),
    path("sites/<slug:site_code>/process/", overviews.process_view, name="process"),
    path("imports/", imports.import_list_view, name="import_list"),
    path("imports/new/", imports.import_create_view, name="import_create"),
    path("imports/template/", imports.import_template_view, name="import_template"),
    path(
        "imports/<int:import_pk>/",
        imports.import_detail_view,
        name="import_detail",
    ),
    path(
        "imports/<int:import_pk>/apply/",
        imports.import_apply_view,
        name="import_apply",
    ),
    path(
        "imports/<int:import_pk>/retry/",
        imports.import_retry_view,
        name="import_retry",
    ),
]
