from __future__ import annotations

from django.urls import path

from intake import import_views, views

app_name = "intake"

urlpatterns = [
    path("", views.worklist_view, name="worklist"),
    path("cases/", views.case_list_view, name="case_list"),
    path("cases/new/", views.case_create_view, name="case_create"),
    path("cases/<int:case_pk>/", views.case_detail_view, name="case_detail"),
    path("cases/<int:case_pk>/edit/", views.case_update_view, name="case_update"),
    path(
        "cases/<int:case_pk>/stages/",
        views.case_event_create_view,
        name="case_event_create",
    ),
    path("cases/<int:case_pk>/prescan/", views.case_prescan_view, name="case_prescan"),
    path(
        "cases/<int:case_pk>/criteria/",
        views.case_criterion_view,
        name="case_criterion",
    ),
    path(
        "cases/<int:case_pk>/documents/",
        views.case_document_view,
        name="case_document",
    ),
    path("cases/<int:case_pk>/place/", views.case_place_view, name="case_place"),
    path("cases/<int:case_pk>/close/", views.case_close_view, name="case_close"),
    path("sites/<slug:site_code>/funnel/", views.funnel_view, name="funnel"),
    path("sites/<slug:site_code>/process/", views.process_view, name="process"),
    path("imports/", import_views.import_list_view, name="import_list"),
    path("imports/new/", import_views.import_create_view, name="import_create"),
    path(
        "imports/template/", import_views.import_template_view, name="import_template"
    ),
    path(
        "imports/<int:import_pk>/",
        import_views.import_detail_view,
        name="import_detail",
    ),
    path(
        "imports/<int:import_pk>/apply/",
        import_views.import_apply_view,
        name="import_apply",
    ),
    path(
        "imports/<int:import_pk>/retry/",
        import_views.import_retry_view,
        name="import_retry",
    ),
]
