"""Background work runs on the queue: no application code starts a thread."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

APP_PACKAGES = ["kvmonitor", *settings.LOCAL_APPS]


def _python_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for package in APP_PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_no_application_module_uses_threads_or_starts_processes():
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(
                name.split(".")[0] in {"threading", "_thread", "multiprocessing"}
                or name.startswith("concurrent.futures")
                for name in names
            ):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert offenders == []
    assert len(_python_files()) > 50  # the walk did find the application
