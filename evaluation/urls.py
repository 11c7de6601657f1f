from __future__ import annotations

from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("sites/<slug:site_code>/catalogue/", views.catalogue_view, name="catalogue"),
    path("sites/<slug:site_code>/schedule/", views.schedule_view, name="schedule"),
    path(
        "sites/<slug:site_code>/completeness/",
        views.completeness_view,
        name="completeness",
    ),
    path(
        "sites/<slug:site_code>/registration-map/",
        views.registration_map_view,
        name="registration_map",
    ),
    path(
        "sites/<slug:site_code>/kv-measurements/",
        views.kv_measurement_list_view,
        name="kv_measurement_list",
    ),
    path(
        "measurements/<int:measurement_pk>/",
        views.measurement_edit_view,
        name="measurement_edit",
    ),
    path(
        "measurements/<int:measurement_pk>/reopen/",
        views.measurement_reopen_view,
        name="measurement_reopen",
    ),
    path(
        "kv-measurements/<int:kv_measurement_pk>/",
        views.kv_measurement_edit_view,
        name="kv_measurement_edit",
    ),
    path(
        "kv-measurements/<int:kv_measurement_pk>/reopen/",
        views.kv_measurement_reopen_view,
        name="kv_measurement_reopen",
    ),
]
