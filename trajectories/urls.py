from __future__ import annotations

from django.urls import path

from trajectories import views, views_print

app_name = "trajectories"

urlpatterns = [
    path("worklist/", views.worklist_view, name="worklist"),
    path("people/<int:person_pk>/place/", views.stay_create_view, name="stay_create"),
    path(
        "people/<int:person_pk>/timeline/",
        views.person_timeline_view,
        name="person_timeline",
    ),
    path(
        "sites/<slug:site_code>/occupancy/",
        views.site_occupancy_view,
        name="site_occupancy",
    ),
    path("stays/<int:stay_pk>/", views.stay_detail_view, name="stay_detail"),
    path("stays/<int:stay_pk>/edit/", views.stay_update_view, name="stay_update"),
    path(
        "stays/<int:stay_pk>/steps/new/",
        views.stay_step_create_view,
        name="stay_step_create",
    ),
    path(
        "stays/<int:stay_pk>/phase/",
        views.stay_phase_change_view,
        name="stay_phase_change",
    ),
    path(
        "stays/<int:stay_pk>/location/",
        views.location_create_view,
        name="location_create",
    ),
    path(
        "stays/<int:stay_pk>/incident/",
        views.incident_create_view,
        name="incident_create",
    ),
    path("stays/<int:stay_pk>/outflow/", views.stay_outflow_view, name="stay_outflow"),
    path("stays/<int:stay_pk>/plan/", views.plan_create_view, name="plan_create"),
    path(
        "stays/<int:stay_pk>/jobs/new/",
        views.employment_create_view,
        name="employment_create",
    ),
    path(
        "stays/<int:stay_pk>/job-search/",
        views.job_search_create_view,
        name="job_search_create",
    ),
    path("plans/<int:plan_pk>/", views.plan_detail_view, name="plan_detail"),
    path("plans/<int:plan_pk>/edit/", views.plan_update_view, name="plan_update"),
    path("plans/<int:plan_pk>/print/", views_print.plan_print_view, name="plan_print"),
    path("plans/<int:plan_pk>/pdf/", views_print.plan_pdf_view, name="plan_pdf"),
    path("plans/<int:plan_pk>/goals/new/", views.goal_create_view, name="goal_create"),
    path(
        "plans/<int:plan_pk>/reviews/new/",
        views.review_create_view,
        name="review_create",
    ),
    path("goals/<int:goal_pk>/edit/", views.goal_update_view, name="goal_update"),
    path(
        "goals/<int:goal_pk>/activities/new/",
        views.activity_create_view,
        name="activity_create",
    ),
    path(
        "activities/<int:activity_pk>/edit/",
        views.activity_update_view,
        name="activity_update",
    ),
    path(
        "jobs/<int:employment_pk>/edit/",
        views.employment_update_view,
        name="employment_update",
    ),
    path(
        "jobs/<int:employment_pk>/checks/new/",
        views.employer_check_create_view,
        name="employer_check_create",
    ),
]
