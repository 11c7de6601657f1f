from __future__ import annotations

from django.urls import path

from core import account_views, health, privacy_views, user_admin_views, views

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
    # A user's own account and the login's second step
    path("account/", account_views.account_view, name="account"),
    path(
        "account/password/",
        account_views.password_change_view,
        name="password_change",
    ),
    path(
        "account/sessions/end/",
        account_views.session_end_view,
        name="session_end",
    ),
    path(
        "account/two-factor/",
        account_views.two_factor_setup_view,
        name="two_factor_setup",
    ),
    path(
        "account/two-factor/verify/",
        account_views.two_factor_verify_view,
        name="two_factor_verify",
    ),
    path(
        "account/two-factor/backup-codes/",
        account_views.backup_codes_renew_view,
        name="backup_codes_renew",
    ),
    path(
        "account/password/set/<uidb64>/<token>/",
        account_views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "account/password/set/done/",
        account_views.password_reset_complete_view,
        name="password_reset_complete",
    ),
    path(
        "account/password/forgot/",
        account_views.password_reset_request_view,
        name="password_reset_request",
    ),
    path(
        "account/password/forgot/sent/",
        account_views.password_reset_sent_view,
        name="password_reset_sent",
    ),
    # Functional administrators: accounts of their sites' people
    path("manage/users/", user_admin_views.user_list_view, name="user_list"),
    path("manage/users/new/", user_admin_views.user_create_view, name="user_create"),
    path(
        "manage/users/<int:user_pk>/",
        user_admin_views.user_detail_view,
        name="user_detail",
    ),
    path(
        "manage/users/<int:user_pk>/deactivate/",
        user_admin_views.user_deactivate_view,
        name="user_deactivate",
    ),
    path(
        "manage/users/<int:user_pk>/reactivate/",
        user_admin_views.user_reactivate_view,
        name="user_reactivate",
    ),
    path(
        "manage/users/<int:user_pk>/roles/",
        user_admin_views.role_grant_view,
        name="role_grant",
    ),
    path(
        "manage/roles/<int:membership_pk>/revoke/",
        user_admin_views.role_revoke_view,
        name="role_revoke",
    ),
    path(
        "manage/users/<int:user_pk>/two-factor/reset/",
        user_admin_views.two_factor_reset_view,
        name="two_factor_reset",
    ),
    path(
        "manage/users/<int:user_pk>/password-link/",
        user_admin_views.password_link_view,
        name="password_link",
    ),
    # Functional administrators: privacy
    path("privacy/reads/", privacy_views.read_log_view, name="read_log"),
    path("privacy/people/", privacy_views.privacy_people_view, name="privacy_people"),
    path(
        "privacy/people/<int:person_pk>/reads/",
        privacy_views.person_read_log_view,
        name="person_read_log",
    ),
    path(
        "privacy/people/<int:person_pk>/subject-access/",
        privacy_views.subject_access_view,
        name="subject_access",
    ),
]
