from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.registry import nav_items
from core.scoping import Role, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries the current user gets; nothing here grants access."""
    roles = roles_of(request.user) if hasattr(request, "user") else set()
    return {
        "nav_roles": roles,
        "nav_is_case_staff": Role.CASEMANAGER in roles,
        "nav_is_project_leader": Role.PROJECT_LEADER in roles,
        "nav_is_researcher": Role.RESEARCHER in roles,
        "nav_is_admin": Role.FUNCTIONAL_ADMIN in roles,
        "nav_app_items": [item for item in nav_items() if item.roles & roles],
        "password_reset_by_email": settings.KV_PASSWORD_RESET_BY_EMAIL,
    }
