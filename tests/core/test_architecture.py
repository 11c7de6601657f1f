"""The import-linter contracts (pyproject.toml, run by bin/test) cover every
app and every views or forms module, so a new one cannot slip past them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = PYPROJECT["tool"]["importlinter"]
LOCAL_APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
# Shared plumbing every app may import (docs/architecture.md).
SHARED = {"core.service_forms"}


def _contracts(kind: str) -> list[dict]:
    return [c for c in CONFIG["contracts"] if c["type"] == kind]


def _layer_names() -> set[str]:
    (layers,) = [c["layers"] for c in _contracts("layers")]
    return {
        name.strip().strip("()")
        for layer in layers
        for name in layer.replace(":", "|").split("|")
    }


def test_every_app_is_linted_and_has_its_layer():
    assert set(LOCAL_APPS) <= set(CONFIG["root_packages"])
    assert set(LOCAL_APPS) <= _layer_names()


def test_every_views_and_forms_module_is_protected_for_its_app():
    protected = {
        module: contract["allowed_importers"]
        for contract in _contracts("protected")
        for module in contract["protected_modules"]
    }
    for app in LOCAL_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or not any(
                "views" in part or "forms" in part for part in parts[1:]
            ):
                continue
            module = ".".join(parts).removesuffix(".__init__")
            if module in SHARED:
                continue
            # A protected package covers its modules (import-linter's default).
            covering = [
                name
                for name in protected
                if module == name or module.startswith(f"{name}.")
            ]
            assert covering, f"{module} has no protected contract"
            assert all(app in protected[name] for name in covering), module
