"""Every audit event reads in the reader's language: each call of
``audit_event_record`` in the application passes its summary as a message id
(``gettext_noop``) with ``params``, and every such message has a Dutch text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "tests", "migrations", "bench", "node_modules", "staticfiles"}


def _application_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIP.intersection(path.relative_to(ROOT).parts)
    )


def _audit_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in _application_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "audit_event_record":
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((where, node))
    return calls


def _noop_messages(tree: ast.AST) -> list[str]:
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "gettext_noop"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def test_the_application_records_audit_events():
    # The enumeration below would pass vacuously if it found nothing.
    assert len(_audit_calls()) > 20


@pytest.mark.parametrize(
    ("where", "call"), _audit_calls(), ids=[where for where, _call in _audit_calls()]
)
def test_audit_summary_is_a_message_with_parameters(where, call):
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    assert "params" in keywords, f"{where}: audit_event_record without params="
    summary = keywords.get("summary")
    assert summary is not None, f"{where}: audit_event_record without summary="
    assert not isinstance(summary, ast.JoinedStr | ast.Constant), (
        f"{where}: the summary is fixed text; mark it with gettext_noop and "
        "pass its values in params"
    )


def test_every_audit_message_has_a_dutch_text():
    messages = sorted(
        {
            message
            for path in _application_modules()
            for message in _noop_messages(ast.parse(path.read_text(encoding="utf-8")))
        }
    )
    assert messages
    with translation.override("nl"):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []
