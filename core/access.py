"""View access: which roles may open a view. Objects are then fetched through
``core.scoping`` so another site's object is a 404.

The declared roles are kept on the view (``view.kv_roles``) so the permission
matrix test can check every URL against what it promises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.scoping import roles_of

View = Callable[..., HttpResponse]


def role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Allow the view to users holding one of ``roles`` at any site.

    Anonymous users go to the login page; logged-in users without the role get
    403. Site scoping of the objects is the view's selector's job.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_of(request.user) & allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.kv_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def login_only(view: View) -> View:
    """A view any logged-in user may open (home page, own account)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.kv_roles = None  # type: ignore[attr-defined]
    return wrapper


def public(view: View) -> View:
    """A view anyone may open without logging in (the health endpoints,
    setting a password from a one-time link); it shows no personal data. The
    permission matrix checks it refuses nothing it should not and never
    fails."""
    view.kv_roles = None  # type: ignore[attr-defined]
    view.kv_public = True  # type: ignore[attr-defined]
    return view
