"""Error pages: every refusal is a page in the normal layout, never a 500.

``bad_request`` is ``handler400`` of the root URLconf. Django turns a request
body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or with too many fields or files
into a 400; those are answered as 413 so the user reads "too much data"
instead of a generic error.
"""

from __future__ import annotations

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def request_too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "413.html", status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, TOO_LARGE):
        return request_too_large(request)
    return defaults.bad_request(request, exception)
