"""The task queue in the admin: failed tasks, schedules and the queue are
for superusers, not for the functional administrators of one site."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_superusers_see_failed_tasks_in_the_admin_functional_admins_do_not(
    client, admin_user
):
    from core.scoping import Role
    from core.services import functional_admin_enable
    from tests.factories import SiteFactory, user_with_role

    client.force_login(admin_user)
    for page in ("failure", "success", "schedule", "ormq"):
        assert client.get(f"/admin/django_q/{page}/").status_code == 200
    administrator = user_with_role(Role.FUNCTIONAL_ADMIN, SiteFactory())
    functional_admin_enable(user=administrator)
    client.force_login(administrator)
    assert client.get("/admin/django_q/schedule/").status_code == 403
