from __future__ import annotations

from django.urls import path

from core.views import accounts, health, home, people, privacy, sites, users

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("people/", people.person_list_view, name="person_list"),
    path("people/new/", people.person_create_view, name="person_create"),
    path("people/<int:person_pk>/", people.person_detail_view, name="person_detail"),
    path(
        "people/<int:person_pk>/edit/", people.person_update_view, name="person_update"
    ),
    path(
        "people/<int:person_pk>/history/",
        people.person_history_view,
        name="person_history",
    ),
    path("sites/", sites.site_list_view, name="site_list"),
    path("sites/<slug:site_code>/", sites.site_detail_view, name="site_detail"),
    path("audit/", privacy.audit_log_view, name="audit_log"),
    path("retention/", privacy.retention_listing_view, name="retention_listing"),
    path(
        "account/notifications/",
        accounts.account_notifications_view,
        name="account_notifications",
    ),
    path("health/", health.health_view, name="health"),
    path("health/web/", health.health_view, {"web_only": True}, name="health_web"),
    # A user's own account and the login's second step
    path("account/", accounts.account_view, name="account"),
    path(
        "account/password/",
        accounts.password_change_view,
        name="password_change",
    ),
    path(
        "account/sessions/end/",
        accounts.session_end_view,
        name="session_end",
    ),
    path(
        "account/two-factor/",
        accounts.two_factor_setup_view,
        name="two_factor_setup",
    ),
    path(
        "account/two-factor/verify/",
        accounts.two_factor_verify_view,
        name="two_factor_verify",
    ),
    path(
        "account/two-factor/backup-codes/",
        accounts.backup_codes_renew_view,
        name="backup_codes_renew",
    ),
    path(
        "account/password/set/<uidb64>/<token>/",
        accounts.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "account/password/set/done/",
        accounts.password_reset_complete_view,
        name="password_reset_complete",
    ),
    path(
        "account/password/forgot/",
        accounts.password_reset_request_view,
        name="password_reset_request",
    ),
    path(
        "account/password/forgot/sent/",
        accounts.password_reset_sent_view,
        name="password_reset_sent",
    ),
    # Functional administrators: accounts of their sites' people
    path("manage/users/", users.user_list_view, name="user_list"),
    path("manage/users/new/", users.user_create_view, name="user_create"),
    path(
        "manage/users/<int:user_pk>/",
        users.user_detail_view,
        name="user_detail",
    ),
    path(
        "manage/users/<int:user_pk>/deactivate/",
        users.user_deactivate_view,
        name="user_deactivate",
    ),
    path(
        "manage/users/<int:user_pk>/reactivate/",
        users.user_reactivate_view,
        name="user_reactivate",
    ),
    path(
        "manage/users/<int:user_pk>/roles/",
        users.role_grant_view,
        name="role_grant",
    ),
    path(
        "manage/roles/<int:membership_pk>/revoke/",
        users.role_revoke_view,
        name="role_revoke",
    ),
    path(
        "manage/users/<int:user_pk>/two-factor/reset/",
        users.two_factor_reset_view,
        name="two_factor_reset",
    ),
    path(
        "manage/users/<int:user_pk>/password-link/",
        users.password_link_view,
        name="password_link",
    ),
    # Functional administrators: privacy
    path("privacy/reads/", privacy.read_log_view, name="read_log"),
    path("privacy/people/", privacy.privacy_people_view, name="privacy_people"),
    path(
        "privacy/people/<int:person_pk>/reads/",
        privacy.person_read_log_view,
        name="person_read_log",
    ),
    path(
        "privacy/people/<int:person_pk>/subject-access/",
        privacy.subject_access_view,
        name="subject_access",
    ),
    path("search/", home.search_view, name="search"),
]
