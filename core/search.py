"""Bounded search and pagination for every list.

Whatever is typed into a search box or a query string, a list answers with
one scoped query of bounded size: the text is cut to at most
:data:`MAX_SEARCH_WORDS` words of at most :data:`MAX_WORD_LENGTH`
characters, every word must match one of the searched fields, and a field
across a to-many relation is searched in one subquery, not one join per
word. ``per_page`` is clamped to :data:`PER_PAGE_MIN`-:data:`PER_PAGE_MAX`;
anything else falls back to the list's default.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django_tables2 import RequestConfig, Table

MAX_SEARCH_WORDS = 8
MAX_WORD_LENGTH = 50
#: characters of the typed text looked at at all
MAX_SEARCH_CHARS = 8 * (MAX_WORD_LENGTH + 1)
PER_PAGE_MIN = 10
PER_PAGE_MAX = 200
PER_PAGE_DEFAULT = 50

_SEPARATORS = re.compile(r"[\s,;]+")


def search_text(text: Any) -> str:
    """The typed text, normalised: NFKC, no control or format characters
    (NUL, direction marks, zero-width), at most ``MAX_SEARCH_CHARS``."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_SEARCH_CHARS * 4])
    kept = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
        for char in text
        if not 0xD800 <= ord(char) <= 0xDFFF
    )
    return kept[:MAX_SEARCH_CHARS].strip()


def search_words(text: Any, limit: int = MAX_SEARCH_WORDS) -> list[str]:
    """At most ``limit`` distinct words of ``text`` (case-insensitively)."""
    words: list[str] = []
    seen: set[str] = set()
    for word in _SEPARATORS.split(search_text(text)):
        word = word[:MAX_WORD_LENGTH]
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
            if len(words) == limit:
                break
    return words


def _crosses_to_many(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def words_filter(words: Iterable[str], fields: Sequence[str]) -> Q:
    """Every word in at least one of ``fields`` (case-insensitive)."""
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def filter_matching(
    queryset: QuerySet, condition: Q, fields: Sequence[str]
) -> QuerySet:
    """``queryset`` filtered by ``condition``; through one subquery when a
    field crosses a to-many relation, so rows are neither doubled nor joined
    once per word."""
    if any(_crosses_to_many(queryset.model, field) for field in fields):
        matching = queryset.model._base_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=matching)
    return queryset.filter(condition)


def bounded_search(queryset: QuerySet, text: Any, fields: Sequence[str]) -> QuerySet:
    """Rows of ``queryset`` where every word of ``text`` (at most
    ``MAX_SEARCH_WORDS``) occurs in one of ``fields``; all rows for no words."""
    words = search_words(text)
    if not words:
        return queryset
    return filter_matching(queryset, words_filter(words, fields), fields)


def per_page_from(value: Any, default: int = PER_PAGE_DEFAULT) -> int:
    """A requested page size within ``PER_PAGE_MIN``-``PER_PAGE_MAX``; else
    ``default``."""
    try:
        size = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return size if PER_PAGE_MIN <= size <= PER_PAGE_MAX else default


def page_from(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def table_configure(
    request: HttpRequest, table: Table, *, per_page: int = PER_PAGE_DEFAULT
) -> Table:
    """Sort and paginate a django-tables2 table from the request, with the
    page size clamped and a page past the end showing the last page."""
    RequestConfig(request, paginate=False).configure(table)
    size = per_page_from(request.GET.get(table.prefixed_per_page_field), per_page)
    number = page_from(request.GET.get(table.prefixed_page_field))
    try:
        table.paginate(per_page=size, page=number)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(max(table.paginator.num_pages, 1))
    return table


class BoundedAdminSearchMixin:
    """The admin's search box with the same bound as every list: at most
    ``MAX_SEARCH_WORDS`` words (the admin ANDs one condition per word)."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        bounded = " ".join(search_words(search_term))
        return super().get_search_results(request, queryset, bounded)  # type: ignore[misc]


def bound_registered_admin_searches(site: Any = None) -> None:
    """Give every registered ModelAdmin with a search box the bounded search,
    Django's own (users, groups) included."""
    from django.contrib import admin

    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if not model_admin.search_fields or issubclass(
            admin_class, BoundedAdminSearchMixin
        ):
            continue
        bounded = type(admin_class.__name__, (BoundedAdminSearchMixin, admin_class), {})
        site.unregister(model)
        site.register(model, bounded)
