from __future__ import annotations

from django.urls import path

from trajectories.views import overviews, plans, printing, stays, work

app_name = "trajectories"

urlpatterns = [
    path("worklist/", overviews.worklist_view, name="worklist"),
    path("people/<int:person_pk>/place/", stays.stay_create_view, name="stay_create"),
    path(
        "people/<int:person_pk>/timeline/",
        overviews.person_timeline_view,
        name="person_timeline",
    ),
    path(
        "sites/<slug:site_code>/occupancy/",
        stays.site_occupancy_view,
        name="site_occupancy",
    ),
    path("stays/<int:stay_pk>/", stays.stay_detail_view, name="stay_detail"),
    path("stays/<int:stay_pk>/edit/", stays.stay_update_view, name="stay_update"),
    path(
        "stays/<int:stay_pk>/steps/new/",
        stays.stay_step_create_view,
        name="stay_step_create",
    ),
    path(
        "stays/<int:stay_pk>/phase/",
        stays.stay_phase_change_view,
        name="stay_phase_change",
    ),
    path(
        "stays/<int:stay_pk>/location/",
        stays.location_create_view,
        name="location_create",
    ),
    path(
        "stays/<int:stay_pk>/incident/",
        stays.incident_create_view,
        name="incident_create",
    ),
    path("stays/<int:stay_pk>/outflow/", stays.stay_outflow_view, name="stay_outflow"),
    path("stays/<int:stay_pk>/plan/", plans.plan_create_view, name="plan_create"),
    path(
        "stays/<int:stay_pk>/jobs/new/",
        work.employment_create_view,
        name="employment_create",
    ),
    path(
        "stays/<int:stay_pk>/job-search/",
        work.job_search_create_view,
        name="job_search_create",
    ),
    path("plans/<int:plan_pk>/", plans.plan_detail_view, name="plan_detail"),
    path("plans/<int:plan_pk>/edit/", plans.plan_update_view, name="plan_update"),
    path("plans/<int:plan_pk>/print/", printing.plan_print_view, name="plan_print"),
    path("plans/<int:plan_pk>/pdf/", printing.plan_pdf_view, name="plan_pdf"),
    path("plans/<int:plan_pk>/goals/new/", plans.goal_create_view, name="goal_create"),
    path(
        "plans/<int:plan_pk>/reviews/new/",
        plans.review_create_view,
        name="review_create",
    ),
    path("goals/<int:goal_pk>/edit/", plans.goal_update_view, name="goal_update"),
    path(
        "goals/<int:goal_pk>/activities/new/",
        plans.activity_create_view,
        name="activity_create",
    ),
    path(
        "activities/<int:activity_pk>/edit/",
        plans.activity_update_view,
        name="activity_update",
    ),
    path(
        "jobs/<int:employment_pk>/edit/",
        work.employment_update_view,
        name="employment_update",
    ),
    path(
        "jobs/<int:employment_pk>/checks/new/",
        work.employer_check_create_view,
        name="employer_check_create",
    ),
]
