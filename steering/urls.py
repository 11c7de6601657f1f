from __future__ import annotations

from django.urls import path

from steering import views

app_name = "steering"

urlpatterns = [
    path("", views.index_view, name="index"),
    path(
        "sites/<slug:site_code>/meetings/", views.meeting_list_view, name="meeting_list"
    ),
    path(
        "sites/<slug:site_code>/meetings/new/",
        views.meeting_create_view,
        name="meeting_create",
    ),
    path(
        "meetings/<int:meeting_pk>/", views.meeting_detail_view, name="meeting_detail"
    ),
    path(
        "meetings/<int:meeting_pk>/decisions/new/",
        views.decision_create_view,
        name="decision_create",
    ),
    path(
        "meetings/<int:meeting_pk>/actions/new/",
        views.action_create_view,
        name="action_create",
    ),
    path("actions/<int:action_pk>/done/", views.action_done_view, name="action_done"),
    path("sites/<slug:site_code>/forecast/", views.forecast_view, name="forecast"),
    path(
        "sites/<slug:site_code>/forecast/new/",
        views.forecast_create_view,
        name="forecast_create",
    ),
    path(
        "sites/<slug:site_code>/forecast/warning/",
        views.forecast_rule_view,
        name="forecast_rule",
    ),
]
