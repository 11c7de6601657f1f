"""What a user reads on a page: text nodes, option labels, button values,
placeholders and tooltips, without scripts, styles and the parts a page marks
as deliberately technical (``<code>``, and ``class="source"`` for the report
line references a functional administrator checks the data against)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "code", "textarea", "template"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-label")
SOURCE_CLASS = "source"


class _TextCollector(HTMLParser):
    def __init__(self, *, keep_sources: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_sources = keep_sources
        self.stack: list[bool] = []  # per open element: is it skipped?
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        skipped = tag in SKIPPED_TAGS or (
            SOURCE_CLASS in classes and not self.keep_sources
        )
        if not self.skipping and not skipped:
            for name in READ_ATTRIBUTES:
                if values.get(name):
                    self.parts.append(values[name] or "")
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in VOID_TAGS:
            self.stack.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, *, keep_sources: bool = False) -> list[str]:
    """The pieces of text a user reads on ``html``, in page order."""
    collector = _TextCollector(keep_sources=keep_sources)
    collector.feed(html)
    collector.close()
    return collector.parts


# Whole words only: "user3" or "v2" is a name or a number, not English.
WORD = re.compile(r"\b[^\W\d_]+(?:'[^\W\d_]+)?\b")


def words(text: str) -> list[str]:
    return WORD.findall(text)
