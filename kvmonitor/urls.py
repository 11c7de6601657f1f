from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("intake/", include("intake.urls")),
    path("trajectories/", include("trajectories.urls")),
    path("partners/", include("partners.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("steering/", include("steering.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("core.urls")),
]

handler400 = "core.errors.bad_request"
