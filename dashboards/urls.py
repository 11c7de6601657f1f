from __future__ import annotations

from django.urls import path

from dashboards import views, views_exports, views_partners

app_name = "dashboards"

urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("cases/", views.programme_cases_view, name="programme_cases"),
    path("sites/<slug:site_code>/", views.site_dashboard_view, name="site_dashboard"),
    path("sites/<slug:site_code>/cases/", views.site_cases_view, name="site_cases"),
    path(
        "sites/<slug:site_code>/partners/",
        views_partners.partners_dashboard_view,
        name="site_partners",
    ),
    path(
        "sites/<slug:site_code>/partners/records/",
        views_partners.partner_records_view,
        name="site_partner_records",
    ),
    path("exports/", views_exports.export_list_view, name="export_list"),
    path(
        "exports/<int:job_pk>/", views_exports.export_detail_view, name="export_detail"
    ),
    path(
        "exports/<int:job_pk>/download/",
        views_exports.export_download_view,
        name="export_download",
    ),
    path(
        "exports/<int:job_pk>/retry/",
        views_exports.export_retry_view,
        name="export_retry",
    ),
]
