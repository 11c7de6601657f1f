"""What the current request is, for code that has no request at hand.

``AccessContextMiddleware`` opens a context per request: the client address
(for every audit event written during the request) and the records of people
the view fetched through ``core.scoping.get_visible_or_404`` (for the
read-access log, written once the page was shown). Outside a request (commands,
the task queue) there is no context and nothing is collected.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Read:
    """One record of a person (or a file) that a response showed."""

    person_id: int | None
    site_id: int | None
    object_type: str
    object_id: int | None


@dataclass
class RequestContext:
    address: str | None
    reads: list[Read] = field(default_factory=list)

    def note(self, read: Read) -> None:
        # One row per person and request: the first object fetched is the
        # page's subject, the path says which page it was. A file that is
        # not one person's (an export) gets a row per site it covers.
        if all(_key(r) != _key(read) for r in self.reads):
            self.reads.append(read)


def _key(read: Read) -> tuple:
    if read.person_id is not None:
        return ("person", read.person_id)
    return ("file", read.object_type, read.object_id, read.site_id)


_current: ContextVar[RequestContext | None] = ContextVar("kv_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def current_address() -> str | None:
    context = _current.get()
    return context.address if context else None


def open_context(address: str | None) -> object:
    return _current.set(RequestContext(address=address))


def close_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def note_read(read: Read) -> None:
    """Remember that this request shows ``read``; no-op outside a request."""
    context = _current.get()
    if context is not None:
        context.note(read)
