from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from core import request_context
from core.client_address import client_address


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Dutch unless the user picked another language in the menu.

    The browser's Accept-Language is ignored on purpose: the application is
    Dutch, and English is an explicit choice, remembered in the language cookie.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than ``REQUEST_MAX_BODY_BYTES`` with 413.

    Django's own limit (``DATA_UPLOAD_MAX_MEMORY_SIZE``) leaves out uploaded
    files; this one looks at the declared length before anything is read, so
    an oversized upload is neither spooled to disk nor parsed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_BYTES:
            from core.errors import request_too_large

            return request_too_large(request)
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Slide the session's expiry with activity, at most once a minute.

    The session ends ``SESSION_COOKIE_AGE`` seconds after the last request
    (to within ``SESSION_REFRESH_SECONDS``). Saving the session on every
    request (``SESSION_SAVE_EVERY_REQUEST``) would do the same at the price
    of a database write and commit per page view; under load that write is
    what the requests queue behind. Only a logged-in user's session is
    refreshed, so a stale or forged cookie never creates a session row.
    """

    KEY = "_kv_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: saved, expiry reset
        return self.get_response(request)


class AccessContextMiddleware:
    """Per request: the client's address for the audit log; after the view,
    the read-access log of the people whose data the response showed (one
    insert); and ``Cache-Control: no-store`` on every page, since any page of
    the application may hold personal data.

    Install after ``AuthenticationMiddleware``. Only a response that showed
    something (200) is logged: a refused, missing or redirected request
    showed nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request)
        token = request_context.open_context(address)
        try:
            response = self.get_response(request)
            context = request_context.current()
            user = getattr(request, "user", None)
            if (
                context is not None
                and context.reads
                and response.status_code == 200
                and user is not None
                and user.is_authenticated
            ):
                from core.read_log import read_access_record

                read_access_record(
                    user=user,
                    path=request.get_full_path(),
                    address=address,
                    reads=context.reads,
                )
        finally:
            request_context.close_context(token)
        add_never_cache_headers(response)
        return response


class SecondFactorMiddleware:
    """While a login still needs its second factor (``core.two_factor``),
    every page leads to the verification page, or to enrolment for a user
    without a device. Install after django-otp's ``OTPMiddleware``.

    Costs nothing for a session that is done: the login marks the session,
    the second factor clears the mark.
    """

    OPEN_URL_NAMES = frozenset(
        {
            "core:two_factor_verify",
            "core:two_factor_setup",
            "logout",
            "login",
            "set_language",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core import two_factor

        step = request.session.get(two_factor.PENDING_SESSION_KEY)
        if step and request.user.is_authenticated and not request.user.is_verified():
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in self.OPEN_URL_NAMES:
                target = (
                    "core:two_factor_verify"
                    if step == two_factor.VERIFY
                    else "core:two_factor_setup"
                )
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse(target)
                )
        return self.get_response(request)
