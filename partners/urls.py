from __future__ import annotations

from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.organisation_list_view, name="organisation_list"),
    path("new/", views.organisation_create_view, name="organisation_create"),
    path(
        "organisations/<int:organisation_pk>/",
        views.organisation_detail_view,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:organisation_pk>/contacts/new/",
        views.contact_create_view,
        name="contact_create",
    ),
    path(
        "sites/<slug:site_code>/responsibilities/",
        views.site_responsibilities_view,
        name="site_responsibilities",
    ),
    path("people/<int:person_pk>/", views.person_partners_view, name="person_partners"),
    path(
        "people/<int:person_pk>/roles/new/",
        views.case_role_create_view,
        name="case_role_create",
    ),
    path(
        "roles/<int:case_role_pk>/contacts/new/",
        views.role_contact_create_view,
        name="role_contact_create",
    ),
    path(
        "people/<int:person_pk>/consents/new/",
        views.consent_create_view,
        name="consent_create",
    ),
    path(
        "consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path(
        "people/<int:person_pk>/network/new/",
        views.network_member_create_view,
        name="network_member_create",
    ),
    path(
        "network/<int:network_member_pk>/contacts/new/",
        views.network_contact_create_view,
        name="network_contact_create",
    ),
]
