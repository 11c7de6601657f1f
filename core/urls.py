from __future__ import annotations

from django.urls import path

from core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.person_list_view, name="person_list"),
    path("people/new/", views.person_create_view, name="person_create"),
    path("people/<int:person_pk>/", views.person_detail_view, name="person_detail"),
    path(
        "people/<int:person_pk>/edit/", views.person_update_view, name="person_update"
    ),
    path(
        "people/<int:person_pk>/history/",
        views.person_history_view,
        name="person_history",
    ),
    path("sites/", views.site_list_view, name="site_list"),
    path("sites/<slug:site_code>/", views.site_detail_view, name="site_detail"),
    path("audit/", views.audit_log_view, name="audit_log"),
    path("retention/", views.retention_listing_view, name="retention_listing"),
    path(
        "account/notifications/",
        views.account_notifications_view,
        name="account_notifications",
    ),
    path("health/", health.health_view, name="health"),
    path("health/web/", health.health_view, {"web_only": True}, name="health_web"),
    path("search/", views.search_view, name="search"),
]
