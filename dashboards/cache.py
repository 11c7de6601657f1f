"""Short-lived cache of dashboard figures, off unless a deployment turns it on.

Across a hundred sites the overview aggregates hundreds of thousands of
answers; with ``KV_DASHBOARD_CACHE_SECONDS`` set, each scope (sites, period,
language) is computed at most once per that many seconds per process. The
page says when its figures were computed. Case lists are never cached, so a
number opened from a cached page may be a few minutes newer than the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from dashboards.scope import Scope

T = TypeVar("T")


def cached(kind: str, scope: Scope, build: Callable[[], T]) -> tuple[T, object]:
    """``build()``'s result for this scope and the moment it was computed."""
    seconds = getattr(settings, "KV_DASHBOARD_CACHE_SECONDS", 0)
    if seconds <= 0:
        return build(), None
    raw = f"{kind}|{scope.site_ids}|{scope.period}|{scope.cases_url}|{get_language()}"
    key = "kv-dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = (build(), timezone.now())
        cache.set(key, found, seconds)
    return found
