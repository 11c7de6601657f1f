from __future__ import annotations

from django.urls import path

from dashboards.views import exports, figures, partners

app_name = "dashboards"

urlpatterns = [
    path("", figures.overview_view, name="overview"),
    path("cases/", figures.programme_cases_view, name="programme_cases"),
    path("sites/<slug:site_code>/", figures.site_dashboard_view, name="site_dashboard"),
    path("sites/<slug:site_code>/cases/", figures.site_cases_view, name="site_cases"),
    path(
        "sites/<slug:site_code>/partners/",
        partners.partners_dashboard_view,
        name="site_partners",
    ),
    path(
        "sites/<slug:site_code>/partners/records/",
        partners.partner_records_view,
        name="site_partner_records",
    ),
    path("exports/", exports.export_list_view, name="export_list"),
    path("exports/<int:job_pk>/", exports.export_detail_view, name="export_detail"),
    path(
        "exports/<int:job_pk>/download/",
        exports.export_download_view,
        name="export_download",
    ),
    path(
        "exports/<int:job_pk>/retry/",
        exports.export_retry_view,
        name="export_retry",
    ),
]
